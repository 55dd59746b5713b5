from pyimagesearch.datasets.builtin import DIGIT_NAMES
from pyimagesearch.datasets.builtin import load_digits
from pyimagesearch.datasets.builtin import load_iris
from pyimagesearch.datasets.builtin import load_mnist
from pyimagesearch.datasets.simpledatasetloader import SimpleDatasetLoader
from pyimagesearch.datasets.simpledatasetloader import list_images
from pyimagesearch.datasets.simpledatasetloader import list_labelled_images
from pyimagesearch.datasets.pipeline import array_dataset, pydataset_to_tf
from pyimagesearch.datasets.imagepaths import image_path_dataset
from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES
from pyimagesearch.datasets.cifar10 import load_cifar10
from pyimagesearch.datasets.splits import split_counts
from pyimagesearch.datasets.splits import split_dataset
from pyimagesearch.datasets.splits import split_labelled
from pyimagesearch.datasets.boxes import BoxDataset
from pyimagesearch.datasets.boxes import BoxRow
from pyimagesearch.datasets.boxes import load_boxes
from pyimagesearch.datasets.boxes import read_box_csv
