# train_alexnet.py (Practitioner Bundle, ch. 10): AlexNet on the HDF5
# Dogs vs. Cats, read by the book's HDF5DatasetGenerator. The book's script
# with its Keras 3 edits only:
#   Adam(learning_rate=...)                     (Keras 2: lr=)
#   build_augmentation(...)                     (Keras 2: ImageDataGenerator(...))
#   model.fit(...) without max_queue_size       (Keras 2: fit_generator(..., max_queue_size=...))
#   the model saved as .keras                   (Keras 2: .model / .hdf5)
# The config module becomes arguments; the small version takes --size (the
# book's 227), --batch-size (128) and --epochs (75).

# set the matplotlib backend so figures can be saved in the background
import matplotlib
matplotlib.use("Agg")

# import the necessary packages
from pyimagesearch.preprocessing import ImageToArrayPreprocessor
from pyimagesearch.preprocessing import SimplePreprocessor
from pyimagesearch.preprocessing import PatchPreprocessor
from pyimagesearch.preprocessing import MeanPreprocessor
from pyimagesearch.preprocessing import build_augmentation
from pyimagesearch.callbacks import TrainingMonitor
from pyimagesearch.io import HDF5DatasetGenerator
from pyimagesearch.nn.conv import AlexNet
from keras.optimizers import Adam
import argparse
import json
import os

ap = argparse.ArgumentParser()
ap.add_argument("--hdf5", required=True)
ap.add_argument("--output", required=True)
ap.add_argument("--size", type=int, default=227)
ap.add_argument("--batch-size", type=int, default=128)
ap.add_argument("--epochs", type=int, default=75)
args = vars(ap.parse_args())
TRAIN_HDF5 = os.path.sep.join([args["hdf5"], "train.hdf5"])
VAL_HDF5 = os.path.sep.join([args["hdf5"], "val.hdf5"])
DATASET_MEAN = os.path.sep.join([args["hdf5"], "dogs_vs_cats_mean.json"])
MODEL_PATH = os.path.sep.join([args["output"], "alexnet_dogs_vs_cats.keras"])
BS = args["batch_size"]

# construct the training image generator for data augmentation
aug = build_augmentation(rotation=20, zoom=0.15, shift=0.2, shear=0.15,
	horizontal_flip=True, fill_mode="nearest")

# load the RGB means for the training set
means = json.loads(open(DATASET_MEAN).read())

# initialize the image preprocessors
sp = SimplePreprocessor(args["size"], args["size"])
pp = PatchPreprocessor(args["size"], args["size"])
mp = MeanPreprocessor(means["R"], means["G"], means["B"])
iap = ImageToArrayPreprocessor()

# initialize the training and validation dataset generators
trainGen = HDF5DatasetGenerator(TRAIN_HDF5, BS, aug=aug,
	preprocessors=[pp, mp, iap], classes=2)
valGen = HDF5DatasetGenerator(VAL_HDF5, BS,
	preprocessors=[sp, mp, iap], classes=2)

# initialize the optimizer
print("[INFO] compiling model...")
opt = Adam(learning_rate=1e-3)
model = AlexNet.build(width=args["size"], height=args["size"], depth=3,
	classes=2, reg=0.0002)
model.compile(loss="binary_crossentropy", optimizer=opt,
	metrics=["accuracy"])

# construct the set of callbacks
path = os.path.sep.join([args["output"], "{}.png".format(
	os.getpid())])
callbacks = [TrainingMonitor(path)]

# train the network
model.fit(
	trainGen.generator(),
	steps_per_epoch=trainGen.numImages // BS,
	validation_data=valGen.generator(),
	validation_steps=valGen.numImages // BS,
	epochs=args["epochs"],
	callbacks=callbacks, verbose=1)

# save the model to file
print("[INFO] serializing model...")
model.save(MODEL_PATH, overwrite=True)

# close the HDF5 datasets
trainGen.close()
valGen.close()
