"""Turn an image into a float32 array in Keras' channel ordering."""

import numpy as np

from pyimagesearch._compat import book_aliases
from pyimagesearch._compat import book_attribute
from pyimagesearch.preprocessing.checks import check_image

_DATA_FORMATS = ("channels_last", "channels_first")


class ImageToArrayPreprocessor:
    """Converts an image to a float32 array ordered the way Keras expects.

    The book wraps Keras' `img_to_array`; this does the same with NumPy: a
    grayscale image `(H, W)` gains a channel axis, `(H, W, 1)`, and the
    result is `(H, W, C)` for `"channels_last"` or `(C, H, W)` for
    `"channels_first"`.

    Args:
        data_format: `"channels_last"`, `"channels_first"`, or `None` to use
            `keras.config.image_data_format()` (read when the preprocessor is
            created). The book's `dataFormat` is accepted too.

    Example:

    ```python
    iap = ImageToArrayPreprocessor()
    array = iap.preprocess(np.zeros((32, 32, 3), dtype="uint8"))
    array.dtype, array.shape  # float32, (32, 32, 3)
    ```
    """

    @book_aliases(dataFormat="data_format")
    def __init__(self, data_format=None):
        if data_format is None:
            # Imported here so that the other preprocessors load without
            # paying for Keras (and its backend) at import time.
            import keras

            data_format = keras.config.image_data_format()
        if data_format not in _DATA_FORMATS:
            raise ValueError(
                f"`data_format` must be one of {_DATA_FORMATS} or None. "
                f"Received: data_format={data_format!r}"
            )
        self.data_format = data_format

    # the book's attribute name
    dataFormat = book_attribute("data_format")

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        """Returns `image` as a float32 array, `(H, W, C)` or `(C, H, W)`."""
        check_image(image, allow_empty=True)
        array = np.asarray(image, dtype=np.float32)
        # A grayscale image gets an explicit single channel.
        if array.ndim == 2:
            array = array[:, :, np.newaxis]
        if self.data_format == "channels_first":
            array = np.transpose(array, (2, 0, 1))
        return np.ascontiguousarray(array)
