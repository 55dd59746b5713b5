"""Turn an image into a float32 array in Keras' channel ordering."""

import numpy as np

from pyimagesearch._checks import image as check_image, one_of
from pyimagesearch._compat import book_aliases, book_attribute


class ImageToArrayPreprocessor:
    """Converts an image to a float32 array ordered the way Keras expects.

    The book wraps Keras' `img_to_array`; this does the same with NumPy: a
    grayscale image `(H, W)` gains a channel axis, and the result is
    `(H, W, C)` for `"channels_last"` or `(C, H, W)` for `"channels_first"`.

    Args:
        data_format: `"channels_last"`, `"channels_first"`, or `None` for
            `keras.config.image_data_format()` (read here). The book's
            `dataFormat` is accepted too.

    Example:

    >>> iap = ImageToArrayPreprocessor("channels_first")
    >>> iap.preprocess(np.zeros((32, 32, 3), np.uint8)).shape
    (3, 32, 32)
    """

    @book_aliases(dataFormat="data_format")
    def __init__(self, data_format=None):
        if data_format is None:
            import keras  # here: the other preprocessors load without Keras

            data_format = keras.config.image_data_format()
        self.data_format = one_of("data_format", data_format,
                                  ("channels_last", "channels_first"))

    # the book's attribute name
    dataFormat = book_attribute("data_format")

    def preprocess(self, image):
        """`image` as a float32 array, `(H, W, C)` or `(C, H, W)`."""
        array = np.asarray(check_image("image", image), dtype=np.float32)
        if array.ndim == 2:
            array = array[:, :, np.newaxis]  # a grayscale image gets one channel
        if self.data_format == "channels_first":
            array = np.transpose(array, (2, 0, 1))
        return np.ascontiguousarray(array)
