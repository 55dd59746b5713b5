"""tf.data input pipelines over in-memory arrays."""


def array_dataset(x, y, batch_size, augmentation=None, shuffle=False, seed=None):
    """A batched, prefetched `tf.data.Dataset` of `(x, y)`, augmented on the fly.

    The arrays are turned into tensors once; every epoch shuffles indices
    (not images: no second copy of the data in a shuffle buffer) and
    gathers whole batches from them, so nothing is copied in Python per
    epoch. The batches are prefetched while the model trains on the
    previous one. The dataset auto-shards by data: under a
    `MultiWorkerMirroredStrategy` each worker trains on its own part of
    every global batch (give every worker the same `seed`).

    Args:
        x, y: NumPy arrays of equal length.
        batch_size: the mini-batch size (under a strategy: the global batch).
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
    if isinstance(batch_size, bool) or int(batch_size) < 1:
        raise ValueError(f"`batch_size` must be >= 1. Received: batch_size={batch_size}")
    images, labels = tf.convert_to_tensor(x), tf.convert_to_tensor(y)
    ds = tf.data.Dataset.range(len(x))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(int(batch_size))
    ds = ds.map(lambda index: (tf.gather(images, index), tf.gather(labels, index)),
                num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if augmentation is not None:
        ds = ds.map(lambda batch, target: (augmentation(batch, training=True), target),
                    num_parallel_calls=tf.data.AUTOTUNE)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options).prefetch(tf.data.AUTOTUNE)
