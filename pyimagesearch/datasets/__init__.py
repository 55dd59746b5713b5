from pyimagesearch.datasets.builtin import DIGIT_NAMES, load_digits, load_iris, load_mnist
from pyimagesearch.datasets.simpledatasetloader import SimpleDatasetLoader
from pyimagesearch.datasets.simpledatasetloader import list_images
from pyimagesearch.datasets.simpledatasetloader import list_labelled_images
from pyimagesearch.datasets.pipeline import array_dataset, pydataset_to_tf
from pyimagesearch.datasets.imagepaths import image_path_dataset
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES, load_cifar10
from pyimagesearch.datasets.splits import split_counts, split_dataset, split_labelled
from pyimagesearch.datasets.boxes import BoxDataset, BoxRow, load_boxes, read_box_csv
