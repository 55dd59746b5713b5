from pyimagesearch.datasets.builtin import DIGIT_NAMES
from pyimagesearch.datasets.builtin import load_digits
from pyimagesearch.datasets.builtin import load_iris
from pyimagesearch.datasets.builtin import load_mnist
from pyimagesearch.datasets.simpledatasetloader import SimpleDatasetLoader
from pyimagesearch.datasets.simpledatasetloader import list_images
from pyimagesearch.datasets.pipeline import array_dataset
