# build_dogs_vs_cats.py (Practitioner Bundle, ch. 9): write the train, val
# and test splits of Kaggle's Dogs vs. Cats to HDF5 and the training set's
# RGB means to JSON. The book's script: no Keras, no edit; its config module
# becomes arguments, and the class is read from the file name
# ("cat.1.jpg") wherever the folder is. The small version takes --size (the
# book's 256).

# import the necessary packages
from sklearn.preprocessing import LabelEncoder
from sklearn.model_selection import train_test_split
from pyimagesearch.preprocessing import AspectAwarePreprocessor
from pyimagesearch.io import HDF5DatasetWriter
from imutils import paths
import numpy as np
import progressbar
import argparse
import json
import cv2
import os

ap = argparse.ArgumentParser()
ap.add_argument("-i", "--images", required=True)
ap.add_argument("-o", "--output", required=True)
ap.add_argument("--num-val", type=int, default=1250)
ap.add_argument("--num-test", type=int, default=1250)
ap.add_argument("--size", type=int, default=256)
args = vars(ap.parse_args())
TRAIN_HDF5 = os.path.sep.join([args["output"], "train.hdf5"])
VAL_HDF5 = os.path.sep.join([args["output"], "val.hdf5"])
TEST_HDF5 = os.path.sep.join([args["output"], "test.hdf5"])
DATASET_MEAN = os.path.sep.join([args["output"], "dogs_vs_cats_mean.json"])

# grab the paths to the images
trainPaths = list(paths.list_images(args["images"]))
trainLabels = [p.split(os.path.sep)[-1].split(".")[0]
	for p in trainPaths]
le = LabelEncoder()
trainLabels = le.fit_transform(trainLabels)

# perform stratified sampling from the training set to build the
# testing split from the training data
split = train_test_split(trainPaths, trainLabels,
	test_size=args["num_test"], stratify=trainLabels,
	random_state=42)
(trainPaths, testPaths, trainLabels, testLabels) = split

# perform another stratified sampling, this time to build the
# validation data
split = train_test_split(trainPaths, trainLabels,
	test_size=args["num_val"], stratify=trainLabels,
	random_state=42)
(trainPaths, valPaths, trainLabels, valLabels) = split

# construct a list pairing the training, validation, and testing
# image paths along with their corresponding labels and output HDF5
# files
datasets = [
	("train", trainPaths, trainLabels, TRAIN_HDF5),
	("val", valPaths, valLabels, VAL_HDF5),
	("test", testPaths, testLabels, TEST_HDF5)]

# initialize the image preprocessor and the lists of RGB channel
# averages
aap = AspectAwarePreprocessor(args["size"], args["size"])
(R, G, B) = ([], [], [])

# loop over the dataset tuples
for (dType, paths, labels, outputPath) in datasets:
	# create HDF5 writer
	print("[INFO] building {}...".format(outputPath))
	writer = HDF5DatasetWriter((len(paths), args["size"], args["size"], 3),
		outputPath)

	# initialize the progress bar
	widgets = ["Building Dataset: ", progressbar.Percentage(), " ",
		progressbar.Bar(), " ", progressbar.ETA()]
	pbar = progressbar.ProgressBar(maxval=len(paths),
		widgets=widgets).start()

	# loop over the image paths
	for (i, (path, label)) in enumerate(zip(paths, labels)):
		# load the image and process it
		image = cv2.imread(path)
		image = aap.preprocess(image)

		# if we are building the training dataset, then compute the
		# mean of each channel in the image, then update the
		# respective lists
		if dType == "train":
			(b, g, r) = cv2.mean(image)[:3]
			R.append(r)
			G.append(g)
			B.append(b)

		# add the image and label # to the HDF5 dataset
		writer.add([image], [label])
		pbar.update(i)

	# close the HDF5 writer
	pbar.finish()
	writer.close()

# construct a dictionary of averages, then serialize the means to a
# JSON file
print("[INFO] serializing means...")
D = {"R": np.mean(R), "G": np.mean(G), "B": np.mean(B)}
f = open(DATASET_MEAN, "w")
f.write(json.dumps(D))
f.close()
