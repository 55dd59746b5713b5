"""tf.data input pipelines over in-memory arrays."""


def array_dataset(x, y, batch_size, augmentation=None, shuffle=False, seed=None):
    """A batched, prefetched `tf.data.Dataset` of `(x, y)`, augmented on the fly.

    Args:
        x, y: NumPy arrays of equal length.
        batch_size: the mini-batch size.
        augmentation: a Keras model or layer (e.g. from
            `pyimagesearch.preprocessing.build_augmentation`) applied to each
            batch with `training=True`, in parallel with training.
        shuffle: reshuffle the samples every epoch.
        seed: the shuffling seed.

    Example:

    >>> import numpy as np
    >>> ds = array_dataset(np.zeros((10, 8, 8, 3)), np.zeros(10), 4)
    >>> [int(b[0].shape[0]) for b in ds]
    [4, 4, 2]
    """
    import tensorflow as tf

    if len(x) != len(y):
        raise ValueError(f"`x` and `y` differ in length. Received: {len(x)} and {len(y)}")
    if int(batch_size) < 1:
        raise ValueError(f"`batch_size` must be >= 1. Received: batch_size={batch_size}")
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(int(batch_size))
    if augmentation is not None:
        ds = ds.map(lambda images, labels: (augmentation(images, training=True), labels),
                    num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
