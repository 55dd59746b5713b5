# crop_accuracy.py (Practitioner Bundle, ch. 10): accuracy of AlexNet on the
# test split, one view and ten crops. The book's script with its Keras 3
# edits only:
#   model.predict(gen.generator(), steps=...)  (Keras 2: predict_generator(..., max_queue_size=...))
#   the model loaded from .keras               (Keras 2: .model / .hdf5)
# The config module becomes arguments; the small version takes --size (the
# book's 227) and --batch-size (64).

# import the necessary packages
from pyimagesearch.preprocessing import ImageToArrayPreprocessor
from pyimagesearch.preprocessing import SimplePreprocessor
from pyimagesearch.preprocessing import MeanPreprocessor
from pyimagesearch.preprocessing import CropPreprocessor
from pyimagesearch.io import HDF5DatasetGenerator
from pyimagesearch.utils.ranked import rank5_accuracy
from keras.models import load_model
import numpy as np
import progressbar
import argparse
import json
import os

ap = argparse.ArgumentParser()
ap.add_argument("--hdf5", required=True)
ap.add_argument("--model", required=True)
ap.add_argument("--size", type=int, default=227)
ap.add_argument("--batch-size", type=int, default=64)
args = vars(ap.parse_args())
TEST_HDF5 = os.path.sep.join([args["hdf5"], "test.hdf5"])
DATASET_MEAN = os.path.sep.join([args["hdf5"], "dogs_vs_cats_mean.json"])
BS = args["batch_size"]

# load the RGB means for the training set
means = json.loads(open(DATASET_MEAN).read())

# initialize the image preprocessors
sp = SimplePreprocessor(args["size"], args["size"])
mp = MeanPreprocessor(means["R"], means["G"], means["B"])
cp = CropPreprocessor(args["size"], args["size"])
iap = ImageToArrayPreprocessor()

# load the pretrained network
print("[INFO] loading model...")
model = load_model(args["model"])

# initialize the testing dataset generator, then make predictions on
# the testing data
print("[INFO] predicting on test data (no crops)...")
testGen = HDF5DatasetGenerator(TEST_HDF5, BS,
	preprocessors=[sp, mp, iap], classes=2)
predictions = model.predict(testGen.generator(),
	steps=testGen.numImages // BS)

# compute the rank-1 and rank-5 accuracies
(rank1, _) = rank5_accuracy(predictions, testGen.db["labels"])
print("[INFO] rank-1: {:.2f}%".format(rank1 * 100))
testGen.close()

# re-initialize the testing set generator, this time excluding the
# `SimplePreprocessor`
testGen = HDF5DatasetGenerator(TEST_HDF5, BS,
	preprocessors=[mp], classes=2)
predictions = []

# initialize the progress bar
widgets = ["Evaluating: ", progressbar.Percentage(), " ",
	progressbar.Bar(), " ", progressbar.ETA()]
pbar = progressbar.ProgressBar(maxval=testGen.numImages // BS,
	widgets=widgets).start()

# loop over a single pass of the test data
for (i, (images, labels)) in enumerate(testGen.generator(passes=1)):
	# loop over each of the individual images
	for image in images:
		# apply the crop preprocessor to the image to generate 10
		# separate crops, then convert them from images to arrays
		crops = cp.preprocess(image)
		crops = np.array([iap.preprocess(c) for c in crops],
			dtype="float32")

		# make predictions on the crops and then average them
		# together to obtain the final prediction
		pred = model.predict(crops)
		predictions.append(pred.mean(axis=0))

	# update the progress bar
	pbar.update(i)

# compute the rank-1 accuracy
pbar.finish()
print("[INFO] predicting on test data (with crops)...")
(rank1, _) = rank5_accuracy(predictions, testGen.db["labels"])
print("[INFO] rank-1: {:.2f}%".format(rank1 * 100))
testGen.close()
