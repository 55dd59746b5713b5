"""Mean subtraction as the model's first layer (Practitioner Bundle, chapters 10 and 11).

The book subtracted the training set's mean R, G, B from every image with a
`MeanPreprocessor` in its HDF5 generator. Here the batches stay uint8 until
they reach the model, whose first layer subtracts the means: the saved
model carries its own preprocessing and takes raw RGB pixels (0-255).
`pixel_mean_layer(images)` subtracts a mean image instead, one mean per
pixel and channel (the book's MiniGoogLeNet on CIFAR-10).

The means are applied in R, G, B order: the HDF5 files hold RGB images.
"""

import keras
import numpy as np

from pyimagesearch._checks import finite_array, one_of
from pyimagesearch.nn.conv.common import channel_axis
from pyimagesearch.preprocessing.meanpreprocessor import load_means

__all__ = ["load_means", "mean_subtraction_layer", "pixel_mean_layer"]


def mean_subtraction_layer(means, data_format=None, name="mean_subtraction"):
    """A layer that subtracts the per-channel means `(R, G, B)` from RGB images.

    A `keras.layers.Normalization` with the given means and unit variances:
    it computes ``x - mean`` exactly, is saved with the model, and needs no
    `adapt()`.

    Args:
        means: ``{"R": .., "G": .., "B": ..}``, the path of the mean JSON
            file, or three numbers (R, G, B); see `load_means`.
        data_format: ``"channels_last"`` or ``"channels_first"``; default
            `keras.config.image_data_format()`.
        name: the layer's name.

    Example:

    >>> layer = mean_subtraction_layer([120.0, 110.0, 100.0])
    >>> np.asarray(layer(np.full((1, 2, 2, 3), 128.0)))[0, 0, 0].tolist()
    [8.0, 18.0, 28.0]
    """
    if data_format is None:
        axis = channel_axis()
    else:
        one_of("data_format", data_format, ("channels_last", "channels_first"))
        axis = 1 if data_format == "channels_first" else -1
    return keras.layers.Normalization(axis=axis, mean=list(load_means(means)),
                                      variance=[1.0, 1.0, 1.0], name=name)


def pixel_mean_layer(images, name="pixel_mean"):
    """A layer that subtracts the per-pixel mean image of `images`.

    The mean is taken over the images (axis 0), as the book's MiniGoogLeNet
    on CIFAR-10 did (``mean = np.mean(trainX, axis=0)``): pass the training
    images only, so that nothing of the test images leaks into the model.
    Like `mean_subtraction_layer`, it is a `keras.layers.Normalization`.

    Args:
        images: a non-empty 4-D array of images in the model's layout, on
            the scale the model is fed (e.g. raw 0-255 pixels).
        name: the layer's name.

    Example:

    >>> from pyimagesearch.nn.conv import MiniGoogLeNet
    >>> train_x = np.random.default_rng(0).integers(0, 256, (8, 32, 32, 3), dtype=np.uint8)
    >>> model = MiniGoogLeNet.build(32, 32, 3, 10, preprocessing=pixel_mean_layer(train_x))
    >>> model.output_shape
    (None, 10)
    """
    images = finite_array("images", images, ndim=4)
    if len(images) == 0 or images.dtype.kind not in "uif":
        raise ValueError("`images` must be a non-empty array of numbers. "
                         f"Received: images of shape {images.shape} and dtype {images.dtype}")
    mean = images.mean(axis=0, dtype=np.float64).astype(np.float32)
    return keras.layers.Normalization(axis=(1, 2, 3), mean=mean,
                                      variance=np.ones(mean.shape, np.float32), name=name)
