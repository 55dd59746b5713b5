"""The table of data sets: where each comes from, its licence, its size, its layout.

Example:

>>> SOURCES["cifar10"].layout
'cifar10/{train,test}/<class>/*.png (classes airplane..truck)'
>>> sorted(name for name, source in SOURCES.items() if source.manual)
['animals', 'dogs_vs_cats']
"""

import collections

Source = collections.namedtuple(
    "Source", "name title url archive sha256 license size layout manual subsets")

#: Flowers-17's classes, in the order of the official image numbers (80 each)
FLOWERS17_CLASSES = ("Daffodil", "Snowdrop", "LilyValley", "Bluebell", "Crocus", "Iris",
                     "Tigerlily", "Tulip", "Fritillary", "Sunflower", "Daisy", "ColtsFoot",
                     "Dandelion", "Cowslip", "Buttercup", "Windflower", "Pansy")
ANIMALS_CLASSES = ("cats", "dogs", "panda")

#: every data set the studies read, by the name they give to --dataset
SOURCES = {s.name: s for s in (
    Source("mnist", "MNIST (LeCun, Cortes and Burges), Keras' copy",
           "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
           "mnist.npz", "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
           "CC BY-SA 3.0", "11 MB; 70,000 images 28x28",
           "mnist/mnist.npz (x_train, y_train, x_test, y_test)", None, ()),
    Source("cifar10", "CIFAR-10 (Krizhevsky, 2009), python version",
           "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
           "cifar-10-python.tar.gz",
           "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
           "research use (no licence stated by the authors)",
           "163 MB; 60,000 images 32x32 (readme subset: 12,000)",
           "cifar10/{train,test}/<class>/*.png (classes airplane..truck)", None, ("readme",)),
    Source("flowers17", "Oxford Flowers-17 (Nilsback and Zisserman, 2006)",
           "https://www.robots.ox.ac.uk/~vgg/data/flowers/17/17flowers.tgz",
           "17flowers.tgz", None, "research use (no licence stated by the authors)",
           "58 MB; 1,360 images (17 x 80)", "flowers17/<Class>/image_NNNN.jpg", None, ()),
    Source("caltech101_airplanes", "CALTECH-101 (Fei-Fei, Fergus and Perona), airplanes",
           "https://data.caltech.edu/records/mzrjq-6wc02/files/caltech-101.zip",
           "caltech-101.zip", None, "CC BY 4.0",
           "138 MB download; 800 airplane images with one box each",
           "caltech101_airplanes/images/image_NNNN.jpg + airplanes.csv "
           "(filename,startX,startY,endX,endY)", None, ()),
    Source("dogs_vs_cats", "Kaggle Dogs vs. Cats (Asirra), train.zip",
           "https://www.kaggle.com/c/dogs-vs-cats/data", "train.zip", None,
           "Kaggle competition rules (research use); a Kaggle login is needed",
           "543 MB; 25,000 images (readme subset: 2,000, shorter side <= 256 px)",
           "dogs_vs_cats/train/{cat,dog}.N.jpg",
           ("Dogs vs. Cats is behind a Kaggle login: sign in, accept the rules and download "
            "train.zip from https://www.kaggle.com/c/dogs-vs-cats/data",
            "then: python -m pyimagesearch.harness.data prepare dogs_vs_cats --from train.zip "
            "[--subset readme]"), ("readme",)),
    Source("animals", "DL4CV 'animals' (Kaggle cats and dogs, ImageNet giant pandas)",
           "(none: ships with the book's downloads)", None, None,
           "the sources' own (Kaggle rules; ImageNet terms of access)",
           "3 x 1,000 images", "animals/{cats,dogs,panda}/*.jpg",
           ("animals has no public download: make a folder with cats/, dogs/ and panda/ "
            "(e.g. 1,000 Kaggle cats, 1,000 Kaggle dogs, 1,000 ImageNet n02510455 pandas)",
            "then: python -m pyimagesearch.harness.data prepare animals --from FOLDER"), ()),
)}
