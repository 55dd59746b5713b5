"""tf.data input pipelines over in-memory arrays."""


def array_dataset(x, y, batch_size, augmentation=None, shuffle=False, seed=None,
                  preprocess=None, drop_remainder=False):
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
        preprocess: a function of a batch of images (TensorFlow ops, e.g. a
            network's `preprocess_input`) applied after `augmentation`, in
            the pipeline, to the training and the test batches alike.
        drop_remainder: leave out the last, partial batch of each epoch (a
            different set of samples each epoch when `shuffle`); what a
            training set on several replicas needs, so that no replica gets
            an empty part of a batch. Ignored when the data hold less than
            one batch.

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
    for name, fn in (("augmentation", augmentation), ("preprocess", preprocess)):
        if fn is not None and not callable(fn):
            raise ValueError(f"`{name}` must be callable or None. Received: {name}={fn!r}")
    images, labels = tf.convert_to_tensor(x), tf.convert_to_tensor(y)
    ds = tf.data.Dataset.range(len(x))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(int(batch_size), drop_remainder=bool(drop_remainder) and len(x) >= batch_size)
    ds = ds.map(lambda index: (tf.gather(images, index), tf.gather(labels, index)),
                num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if augmentation is not None:
        ds = ds.map(lambda batch, target: (augmentation(batch, training=True), target),
                    num_parallel_calls=tf.data.AUTOTUNE)
    if preprocess is not None:
        ds = ds.map(lambda batch, target: (preprocess(batch), target),
                    num_parallel_calls=tf.data.AUTOTUNE)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options).prefetch(tf.data.AUTOTUNE)


def pydataset_to_tf(data):
    """A `keras.utils.PyDataset` as a `tf.data.Dataset` of the same batches, epoch by epoch.

    Each pass over the returned dataset is one epoch of `data`: it yields
    ``data[0], ..., data[len - 1]``, and every pass after the first calls
    ``data.on_epoch_end()`` before (a shuffling `PyDataset` draws its new
    order there).
    The number of batches is known (`len(data)`), so `fit` counts its
    steps from the first epoch, and batches are prefetched while the model
    trains. This is how a `PyDataset` reaches the replicas through
    `tf.distribute.Strategy.distribute_datasets_from_function` (see
    `pyimagesearch.harness.Run.sharded`), which takes `tf.data` only.

    Args:
        data: a `keras.utils.PyDataset` (e.g. `HDF5DatasetGenerator`) of
            `(x, y)` batches of one dtype and shape apart from the batch size.

    Example:

    >>> import keras, numpy as np
    >>> class Squares(keras.utils.PyDataset):
    ...     def __len__(self):
    ...         return 2
    ...     def __getitem__(self, i):
    ...         return np.full((3, 1), i * i, "float32"), np.zeros(3, "float32")
    >>> [float(x[0, 0]) for x, _ in pydataset_to_tf(Squares())]
    [0.0, 1.0]
    """
    import keras
    import numpy as np
    import tensorflow as tf

    if not isinstance(data, keras.utils.PyDataset):
        raise ValueError(f"`data` must be a keras.utils.PyDataset. Received: {data!r}")
    batches = len(data)
    if batches < 1:
        raise ValueError(f"`data` holds no batch (len(data) = {batches})")

    def spec(value):
        value = np.asarray(value)
        return tf.TensorSpec((None, *value.shape[1:]), tf.as_dtype(value.dtype))

    first = [data[0]]  # read once for the signature, yielded by the first pass
    signature = tuple(spec(part) for part in first[0])
    passes = [0]

    def epoch():
        for _ in range(passes[0]):
            data.on_epoch_end()
        passes[0] = 1
        for index in range(batches):
            yield first.pop() if index == 0 and first else data[index]

    ds = tf.data.Dataset.from_generator(epoch, output_signature=signature)
    ds = ds.apply(tf.data.experimental.assert_cardinality(batches))
    return ds.prefetch(tf.data.AUTOTUNE)
