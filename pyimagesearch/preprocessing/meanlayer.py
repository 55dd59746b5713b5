"""Mean subtraction as the model's first layer (Practitioner Bundle, chapters 10 and 11).

The book subtracted the training set's mean R, G, B from every image with a
`MeanPreprocessor` inside its HDF5 generator, so every batch left the
generator as float32 (4x the bytes of the uint8 pixels). Here the batches
stay uint8 until they reach the model; the model's input casts them to
float and its first layer subtracts the means. The saved model then carries
its own preprocessing: a user feeds it raw RGB pixels (0-255) and never has
to remember the means.

`pixel_mean_layer(images)` subtracts a mean image instead, one mean per
pixel and channel (the book's MiniGoogLeNet on CIFAR-10), computed from the
images it is given: the training images only.

Channel order: the Dogs vs. Cats HDF5 files are written in RGB order
(`build_dataset.py` converts OpenCV's BGR with `cv2.cvtColor`), so the means
are applied in R, G, B order. (`MeanPreprocessor` still expects BGR images,
as `cv2.imread` returns them.)
"""

import json
import math
from pathlib import Path

import keras
import numpy as np


def load_means(means):
    """The `(R, G, B)` means from a dict, a JSON file or a sequence of 3.

    Args:
        means: ``{"R": .., "G": .., "B": ..}`` (the book's JSON), the path of
            such a JSON file, or three numbers in R, G, B order.

    Returns:
        A tuple of three floats, in R, G, B order.

    Raises:
        ValueError: missing keys, wrong length or non-finite values; a
            missing or malformed JSON file.

    Example:

    >>> load_means({"R": 124.9, "G": 116.0, "B": 106.2})
    (124.9, 116.0, 106.2)
    """
    source = means
    if isinstance(means, (str, Path)):
        path = Path(means)
        if not path.is_file():
            raise ValueError(f"no such means file. Received: means={str(means)!r}")
        try:
            means = json.loads(path.read_text())
        except ValueError as error:
            raise ValueError(f"{path} is not a JSON file: {error}") from None
    if isinstance(means, dict):
        if not {"R", "G", "B"} <= set(means):
            raise ValueError(
                'the means must have the keys "R", "G" and "B". '
                f"Received: means={source!r} holding {means!r}"
            )
        values = (means["R"], means["G"], means["B"])
    else:
        try:
            values = tuple(means)
        except TypeError:
            raise ValueError(
                'the means must be {"R": .., "G": .., "B": ..}, a JSON file of it, or 3 '
                f"numbers. Received: means={source!r}"
            ) from None
        if len(values) != 3:
            raise ValueError(f"expected 3 means (R, G, B). Received: means={source!r}")
    for value in values:
        if (isinstance(value, bool) or not isinstance(value, (int, float, np.number))
                or not math.isfinite(float(value))):
            raise ValueError(f"every mean must be a finite number. Received: means={source!r}")
    return tuple(float(v) for v in values)


def mean_subtraction_layer(means, data_format=None, name="mean_subtraction"):
    """A layer that subtracts the per-channel means `(R, G, B)` from RGB images.

    It is a `keras.layers.Normalization` with the given means and unit
    variances: it computes ``x - mean`` exactly, is saved with the model in
    a ``.keras`` file, and needs no `adapt()`.

    Args:
        means: ``{"R": .., "G": .., "B": ..}``, the path of the mean JSON
            written by `build_dataset.py`, or three numbers (R, G, B).
        data_format: ``"channels_last"`` or ``"channels_first"``; default
            `keras.config.image_data_format()`.
        name: the layer's name.

    Returns:
        A `keras.layers.Normalization` layer.

    Example:

    ```python
    inputs = keras.Input((227, 227, 3))
    x = mean_subtraction_layer("hdf5/mean.json")(inputs)  # uint8 batches are cast first
    ```
    """
    r, g, b = load_means(means)
    data_format = data_format or keras.config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "`data_format` must be 'channels_last' or 'channels_first'. "
            f"Received: data_format={data_format!r}"
        )
    axis = 1 if data_format == "channels_first" else -1
    return keras.layers.Normalization(axis=axis, mean=[r, g, b], variance=[1.0, 1.0, 1.0],
                                      name=name)


def pixel_mean_layer(images, name="pixel_mean"):
    """A layer that subtracts the per-pixel mean image of `images`.

    The mean is taken over the images only (axis 0): every pixel of every
    channel gets its own mean, as the book's MiniGoogLeNet on CIFAR-10 did
    (``mean = np.mean(trainX, axis=0)``). Pass the training images only, so
    that no statistic of the test images leaks into the model. The layer is
    a `keras.layers.Normalization` over axes 1, 2 and 3 with unit variances:
    it computes ``x - mean`` exactly, is saved with the model in a
    ``.keras`` file, and needs no `adapt()`.

    Args:
        images: a 4-D array of images in the layout the model takes
            (`(N, H, W, C)` on channels_last, `(N, C, H, W)` on
            channels_first), on the scale the model is fed (e.g. raw 0-255
            pixels).
        name: the layer's name.

    Returns:
        A `keras.layers.Normalization` layer whose mean has the shape of one
        image.

    Example:

    >>> import numpy as np
    >>> from pyimagesearch.nn.conv import MiniGoogLeNet
    >>> train_x = np.random.default_rng(0).integers(0, 256, (8, 32, 32, 3), dtype=np.uint8)
    >>> layer = pixel_mean_layer(train_x)
    >>> model = MiniGoogLeNet.build(32, 32, 3, 10, preprocessing=layer)
    >>> model.output_shape
    (None, 10)
    """
    images = np.asarray(images)
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(
            "`images` must be a non-empty 4-D array of images (N, rows, cols, channels). "
            f"Received: shape {images.shape}"
        )
    if not np.issubdtype(images.dtype, np.number) or np.issubdtype(images.dtype, np.bool_):
        raise ValueError(f"`images` must hold numbers. Received: dtype {images.dtype}")
    mean = images.mean(axis=0, dtype=np.float64)
    if not np.isfinite(mean).all():
        raise ValueError("`images` hold non-finite values: their mean is not finite")
    return keras.layers.Normalization(axis=(1, 2, 3), mean=mean.astype(np.float32),
                                      variance=np.ones(mean.shape, np.float32), name=name)
