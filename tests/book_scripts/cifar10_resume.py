# cifar10_resume.py (Practitioner Bundle, ch. 12's resnet_cifar10.py, with
# MiniVGGNet): train, stop, and resume from a checkpoint with a new
# learning rate. The book's script with its Keras 3 edits only:
#   SGD(learning_rate=...)                            (Keras 2: lr=)
#   model.optimizer.learning_rate (.numpy/.assign)    (Keras 2: K.get_value/K.set_value(model.optimizer.lr))
#   build_augmentation + array_dataset                (Keras 2: ImageDataGenerator().flow)
#   fit(dataset) without steps_per_epoch             (Keras 2: fit_generator(aug.flow(...), steps_per_epoch=...))
#   checkpoints named epoch_N.keras                   (Keras 2: epoch_N.hdf5; or pass
#                                                      EpochCheckpoint(..., file_format="epoch_{epoch}.hdf5"))
# The small version takes --epochs (the book trains 100), --every (5),
# --batch-size (128) and --output (the book writes under output/).

# set the matplotlib backend so figures can be saved in the background
import matplotlib
matplotlib.use("Agg")

# import the necessary packages
from sklearn.preprocessing import LabelBinarizer
from pyimagesearch.nn.conv import MiniVGGNet
from pyimagesearch.callbacks import EpochCheckpoint
from pyimagesearch.callbacks import TrainingMonitor
from pyimagesearch.preprocessing import build_augmentation
from pyimagesearch.datasets import array_dataset
from keras.optimizers import SGD
from keras.datasets import cifar10
from keras.models import load_model
import numpy as np
import argparse
import os

# construct the argument parse and parse the arguments
ap = argparse.ArgumentParser()
ap.add_argument("-c", "--checkpoints", required=True,
	help="path to output checkpoint directory")
ap.add_argument("-m", "--model", type=str,
	help="path to *specific* model checkpoint to load")
ap.add_argument("-s", "--start-epoch", type=int, default=0,
	help="epoch to restart training at")
ap.add_argument("-e", "--epochs", type=int, default=100)
ap.add_argument("-v", "--every", type=int, default=5)
ap.add_argument("-b", "--batch-size", type=int, default=128)
ap.add_argument("-o", "--output", required=True)
args = vars(ap.parse_args())

# load the training and testing data, converting the images from
# integers to floats
print("[INFO] loading CIFAR-10 data...")
((trainX, trainY), (testX, testY)) = cifar10.load_data()
trainX = trainX.astype("float")
testX = testX.astype("float")

# apply mean subtraction to the data
mean = np.mean(trainX, axis=0)
trainX -= mean
testX -= mean

# convert the labels from integers to vectors
lb = LabelBinarizer()
trainY = lb.fit_transform(trainY)
testY = lb.transform(testY)

# construct the image generator for data augmentation
aug = build_augmentation(rotation=0, shift=0.1, shear=0, zoom=0,
	horizontal_flip=True, fill_mode="nearest")

# if there is no specific model checkpoint supplied, then initialize
# the network and compile the model
if args["model"] is None:
	print("[INFO] compiling model...")
	opt = SGD(learning_rate=1e-1)
	model = MiniVGGNet.build(width=32, height=32, depth=3, classes=10)
	model.compile(loss="categorical_crossentropy", optimizer=opt,
		metrics=["accuracy"])

# otherwise, load the checkpoint from disk
else:
	print("[INFO] loading {}...".format(args["model"]))
	model = load_model(args["model"])

	# update the learning rate
	print("[INFO] old learning rate: {}".format(
		float(model.optimizer.learning_rate.numpy())))
	model.optimizer.learning_rate.assign(1e-5)
	print("[INFO] new learning rate: {}".format(
		float(model.optimizer.learning_rate.numpy())))

# construct the set of callbacks
plotPath = os.path.sep.join([args["output"], "minivggnet_cifar10.png"])
jsonPath = os.path.sep.join([args["output"], "minivggnet_cifar10.json"])
callbacks = [
	EpochCheckpoint(args["checkpoints"], every=args["every"],
		startAt=args["start_epoch"]),
	TrainingMonitor(plotPath, jsonPath=jsonPath,
		startAt=args["start_epoch"])]

# train the network
print("[INFO] training network...")
model.fit(
	array_dataset(trainX, trainY, args["batch_size"], augmentation=aug,
		shuffle=True),
	validation_data=(testX, testY), epochs=args["epochs"],
	callbacks=callbacks, verbose=1)
