"""tf.data pipelines that read images from their paths while the network works."""

import os
from concurrent.futures import ThreadPoolExecutor

from pyimagesearch._checks import one_of, positive_int, size as check_size
from pyimagesearch.errors import DatasetError
from pyimagesearch.io.imagefile import check_image


def _passing(paths, skip_unreadable):
    """The indices of `paths` that pass `check_image` (checked on threads, before decoding)."""
    def problem(path):
        try:
            check_image(path)
        except DatasetError as error:
            return error
        return None

    with ThreadPoolExecutor(min(16, os.cpu_count() or 1)) as pool:
        problems = list(pool.map(problem, paths))
    if not skip_unreadable and any(problems):
        raise next(p for p in problems if p is not None)
    return [i for i, p in enumerate(problems) if p is None]


def image_path_dataset(paths, size, preprocess=None, batch_size=32, resize="squash",
                       skip_unreadable=True):
    """Batches of `(index, images)` decoded from `paths` in parallel.

    The pipeline: read the file => decode it (RGB, 3 channels) => resize to
    `size` => batch => `preprocess` => prefetch. Decoding runs on tf.data's
    threads and `prefetch` keeps the next batches ready while the model
    computes the current one. The order of `paths` is kept.

    Each element carries the indices of its images in `paths`: a file that
    cannot be decoded (an empty, text or truncated file, or one over the
    pixel limit of `pyimagesearch.io.imagefile.check_image`, which reads
    every header in Python first) is skipped with ``skip_unreadable``
    (else a `DatasetError`), and the indices say which labels go with the
    images that remain.

    Args:
        paths: image file paths (JPEG, PNG, BMP or GIF: what TensorFlow
            decodes).
        size: the output size, an int (square) or `(height, width)`.
        preprocess: applied to every float32 RGB batch on a 0-255 scale,
            e.g. `keras.applications.vgg16.preprocess_input`; `None` keeps
            the pixels.
        batch_size: images per batch (the last batch may be smaller).
        resize: ``"squash"`` resizes to `size` ignoring the aspect ratio
            (the book's ``load_img(path, target_size=...)``); ``"crop"``
            scales the shorter side to `size` and takes the centre (like
            `AspectAwarePreprocessor`). Both resize bilinearly, with an
            anti-aliasing filter when shrinking more than 2x.
        skip_unreadable: drop files that fail to decode instead of failing.

    Returns:
        A `tf.data.Dataset` of `(indices, images)`: `int64` of shape `(b,)`
        and float32 of shape `(b, height, width, 3)` (channels first when
        `keras.config.image_data_format()` says so).

    Example:

    ```python
    ds = image_path_dataset(paths, 224, vgg16.preprocess_input, batch_size=32)
    for (index, images) in ds:
        features = model.predict_on_batch(images)
        labels_of_batch = labels[index.numpy()]
    ```
    """
    import tensorflow as tf

    from pyimagesearch.nn.conv.common import channel_axis

    paths = [str(p) for p in paths]
    if not paths:
        raise ValueError("`paths` is empty: there is nothing to read")
    height, width = check_size("size", size)
    batch_size = positive_int("batch_size", batch_size)
    one_of("resize", resize, ("squash", "crop"))
    channels_first = channel_axis() == 1

    def _resize(image, new_size, scale):
        # bilinear; with an anti-aliasing filter only when shrinking more than 2x
        return tf.cond(
            scale < 0.5,
            lambda: tf.image.resize(image, new_size, method="bilinear", antialias=True),
            lambda: tf.image.resize(image, new_size, method="bilinear"),
        )

    def load(index, path):
        # read and decode the image (RGB), then bring it to the network's size
        image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        image = tf.cast(image, tf.float32)
        if resize == "crop":
            shape = tf.cast(tf.shape(image)[:2], tf.float32)
            scale = tf.maximum(height / shape[0], width / shape[1])
            new = tf.maximum(tf.cast(tf.round(shape * scale), tf.int32), [height, width])
            image = _resize(image, new, scale)
            top = (new[0] - height) // 2
            left = (new[1] - width) // 2
            image = image[top:top + height, left:left + width]
        else:
            shape = tf.cast(tf.shape(image)[:2], tf.float32)
            scale = tf.minimum(height / shape[0], width / shape[1])
            image = _resize(image, (height, width), scale)
        image = tf.clip_by_value(image, 0.0, 255.0)
        image.set_shape((height, width, 3))
        if channels_first:
            image = tf.transpose(image, (2, 0, 1))
        return index, image

    keep = _passing(paths, skip_unreadable)
    ds = tf.data.Dataset.from_tensor_slices((tf.constant(keep, tf.int64),
                                             tf.constant([paths[i] for i in keep], tf.string)))
    ds = ds.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if skip_unreadable:
        ds = ds.ignore_errors()
    ds = ds.batch(batch_size)
    if preprocess is not None:
        ds = ds.map(lambda index, images: (index, preprocess(images)),
                    num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE)

