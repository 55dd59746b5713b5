"""tf.data input pipelines over in-memory arrays."""

from pyimagesearch._checks import positive_int


def array_dataset(x, y, batch_size, augmentation=None, shuffle=False, seed=None,
                  preprocess=None, drop_remainder=False):
    """A batched, prefetched `tf.data.Dataset` of `(x, y)`, augmented on the fly.

    Every epoch shuffles indices (not images) and gathers whole batches;
    the dataset auto-shards by data (give every worker the same `seed`).

    Args:
        augmentation: a Keras model or layer applied to each batch with
            `training=True`; its Keras preprocessing layers draw from a seed
            of the batch's own (stateless), so seeded runs repeat exactly.
        preprocess: a function of a batch (TensorFlow ops), applied after
            `augmentation`.
        drop_remainder: leave out the last, partial batch (ignored when the
            data hold less than one batch).

    Example:

    >>> import numpy as np
    >>> ds = array_dataset(np.zeros((10, 8, 8, 3)), np.zeros(10), 4)
    >>> [int(b[0].shape[0]) for b in ds]
    [4, 4, 2]
    """
    import tensorflow as tf

    if len(x) != len(y):
        raise ValueError(f"`x` and `y` differ in length. Received: {len(x)} and {len(y)}")
    batch_size = positive_int("batch_size", batch_size)
    for name, function in (("augmentation", augmentation), ("preprocess", preprocess)):
        if function is not None and not callable(function):  # else it fails inside tf.data
            raise ValueError(f"`{name}` must be callable. Received: {name}={function!r}")
    images, labels = tf.convert_to_tensor(x), tf.convert_to_tensor(y)
    ds = tf.data.Dataset.range(len(x))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=bool(drop_remainder) and len(x) >= batch_size)
    ds = ds.map(lambda index: (tf.gather(images, index), tf.gather(labels, index)),
                num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if augmentation is not None:
        # each batch draws its own seed from a sequential stream (a new one every epoch),
        # so workers in any order give the same augmentation for a seeded run
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
        augment = _seeded(augmentation)
        ds = tf.data.Dataset.zip(seeds, ds).map(
            lambda key, pair: (augment(pair[0], key), pair[1]),
            num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if preprocess is not None:
        ds = ds.map(lambda batch, target: (preprocess(batch), target),
                    num_parallel_calls=tf.data.AUTOTUNE)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options).prefetch(tf.data.AUTOTUNE)


def _seeded(augmentation):
    """`augment(images, key)`: `augmentation`'s random layers, seeded by the int64 `key`.

    Keras' preprocessing layers keep one random state, drawn in whatever order
    tf.data's parallel calls run; here each layer of each batch gets a seed
    folded from the batch's key instead. Other layers are called as they are.
    """
    import keras
    import tensorflow as tf

    class BatchSeed(keras.random.SeedGenerator):
        def __init__(self, seed):  # no super().__init__: no state variable, nothing shared
            self.seed, self.draws = seed, 0

        def next(self, ordered=True):
            self.draws += 1
            return tf.random.experimental.stateless_fold_in(self.seed, self.draws)

    def flat(layer):
        inner = getattr(layer, "layers", None)
        return [leaf for sub in inner for leaf in flat(sub)] if inner else [layer]

    def augment(images, key):
        seed = tf.stack([key, tf.constant(0, tf.int64)])
        for i, layer in enumerate(flat(augmentation)):
            if hasattr(layer, "get_random_transformation") and hasattr(layer, "transform_images"):
                generator = BatchSeed(tf.random.experimental.stateless_fold_in(seed, i))
                change = layer.get_random_transformation(images, training=True, seed=generator)
                images = layer.transform_images(images, change, training=True)
            else:
                images = layer(images, training=True)
        return images

    return augment


def pydataset_to_tf(data):
    """A `keras.utils.PyDataset` as a `tf.data.Dataset` of the same batches, epoch by epoch.

    Every pass after the first calls ``data.on_epoch_end()`` first; the
    cardinality is known, so `fit` counts its steps from the first epoch.

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
