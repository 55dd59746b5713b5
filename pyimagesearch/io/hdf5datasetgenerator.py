"""Stream batches from an HDF5 data set into `model.fit` (Practitioner Bundle, ch. 9-10)."""

import itertools
import os

import h5py
import keras
import numpy as np

from pyimagesearch import _checks
from pyimagesearch._compat import book_aliases, book_attribute
from pyimagesearch.errors import DatasetError
from pyimagesearch.io.hdf5datasetreader import check_complete
from pyimagesearch.preprocessing.meanlayer import load_means

CROP_MODES = ("random", "center", "resize")


class HDF5DatasetGenerator(keras.utils.PyDataset):
    """Batches of `(images, labels)` read from an HDF5 file of images.

    Each batch is read as one slice, then optionally cropped, passed through
    `preprocessors`, mirrored (`flip`), augmented by `aug`, mean-subtracted
    and moved to channels first if Keras is so configured. As a `PyDataset`
    it shuffles the batches every epoch; `generator()` reads in file order.

    Args:
        db_path, batch_size: the ``.hdf5`` file, and images per batch.
        preprocessors: per-image objects with `preprocess(image)`.
        aug: a callable (a Keras augmentation model) applied to each batch.
        binarize, classes: one-hot labels with `classes` columns.
        shuffle, seed: shuffle the batches every epoch; the seed of the
            order, the crop windows and the flips.
        crop, crop_mode: `None`, an int or `(height, width)`; ``"random"``,
            ``"center"`` or ``"resize"``.
        mean: per-channel means (``{"R", "G", "B"}``, a JSON path, or 3 numbers).
        shard: `None`, or `(index, count)`: read only that share of the rows.
        **kwargs: `keras.utils.PyDataset` arguments.

    Raises:
        DatasetError: missing, incomplete or empty file, or (with
            `binarize`) a label outside ``[0, classes)``.
        ValueError: a bad argument (e.g. a crop larger than the images).

    Example:

    ```python
    train_gen = HDF5DatasetGenerator("hdf5/train.hdf5", 128, crop=227, flip=True)
    val_gen = HDF5DatasetGenerator("hdf5/val.hdf5", 128, crop=227, crop_mode="center",
                                   shuffle=False)
    model.fit(train_gen, validation_data=val_gen, epochs=75)
    ```
    """

    @book_aliases(dbPath="db_path", batchSize="batch_size", dataKey="data_key")
    def __init__(self, db_path, batch_size, preprocessors=None, aug=None, binarize=True,
                 classes=2, shuffle=True, seed=None, crop=None, crop_mode="random", flip=False,
                 mean=None, data_key=None, shard=None, **kwargs):
        super().__init__(**kwargs)
        self.batch_size = _checks.positive_int("batch_size", batch_size)
        self.classes = _checks.integer("classes", classes, minimum=2)
        self.crop_mode = _checks.one_of("crop_mode", crop_mode, CROP_MODES)
        self.binarize, self.shuffle, self.flip = (
            _checks.flag(n, v) for n, v in (("binarize", binarize), ("shuffle", shuffle),
                                            ("flip", flip)))
        self.preprocessors = list(preprocessors or [])
        for p in self.preprocessors:
            if not callable(getattr(p, "preprocess", None)):
                raise ValueError("every preprocessor must have a `preprocess(image)` method. "
                                 f"Received: {p!r}")
        if aug is not None and not callable(aug):
            raise ValueError(f"`aug` must be callable (a Keras model). Received: aug={aug!r}")
        self.aug = aug
        self.seed = _checks.non_negative_int("seed", int(
            np.random.SeedSequence().entropy % 2**63) if seed is None else seed)
        shard = (0, 1) if shard is None else shard
        if not (np.ndim(shard) == 1 and len(shard) == 2 and all(map(_checks.is_int, shard))
                and 0 <= shard[0] < shard[1]):
            raise ValueError("`shard` must be None or (index, count) with 0 <= index < count. "
                             f"Received: shard={shard!r}")
        index, count = self.shard = (int(shard[0]), int(shard[1]))

        info = check_complete(db_path, data_key=data_key)
        self.db_path, self.data_key = str(db_path), info["data_key"]
        self.image_shape = tuple(info["shape"][1:])
        if len(self.image_shape) != 3:
            raise DatasetError(f"{db_path}: `{self.data_key}` must hold images (N, H, W, C). "
                               f"Received shape {info['shape']}")
        self.crop = _crop_size(crop, self.image_shape)
        self.first_row, self.labels = _shard_labels(db_path, info["rows"], index, count)
        self.num_images = len(self.labels)
        if self.binarize and (self.labels.min() < 0 or self.labels.max() >= self.classes):
            raise DatasetError(
                f"{db_path}: labels lie in [{self.labels.min()}, {self.labels.max()}] but "
                f"classes={self.classes} (one-hot labels need [0, classes); pass "
                "binarize=False for other labels)")

        self.mean = None if mean is None else np.asarray(load_means(mean), dtype=np.float32)
        self.channels_first = keras.config.image_data_format() == "channels_first"
        self.epoch = 0
        self._order = self._draw_order()
        self._db = self._pid = None

    numImages = book_attribute("num_images")
    batchSize = book_attribute("batch_size")

    @property
    def db(self):
        """The open `h5py.File` (read-only; one handle per process)."""
        if self._db is None or self._pid != os.getpid():
            self._db = h5py.File(self.db_path, "r")
            self._pid = os.getpid()
        return self._db

    def __getstate__(self):
        return {**self.__dict__, "_db": None, "_pid": None}

    def close(self):
        """Close the HDF5 file (it is opened again when needed)."""
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = self._pid = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __len__(self):
        return -(-self.num_images // self.batch_size)

    def on_epoch_end(self):
        self.epoch += 1
        self._order = self._draw_order()

    def _draw_order(self):
        rng = np.random.default_rng([self.seed, self.epoch])
        return rng.permutation(len(self)) if self.shuffle else np.arange(len(self))

    def batch_rows(self, index):
        """`(start, stop)`: the rows of the file that batch `index` reads this epoch."""
        return self._block_rows(int(self._order[index]))

    def _block_rows(self, block):
        start = block * self.batch_size
        stop = min(start + self.batch_size, self.num_images)
        return self.first_row + start, self.first_row + stop

    def __getitem__(self, index):
        return self._batch(int(self._order[index]))

    def _batch(self, block):
        """`(images, labels)` of batch `block` in file order (of the shard)."""
        start, stop = self._block_rows(block)
        # one random stream per (epoch, batch): the same for any worker
        rng = np.random.default_rng([self.seed, self.epoch, block]
                                    + ([self.first_row] if self.first_row else []))
        images = _read(self.db[self.data_key], start, stop, self.crop, self.crop_mode, rng)
        if self.preprocessors:
            images = np.array([_preprocess(image, self.preprocessors) for image in images])

        if self.flip:
            images = _flip(images, rng)
        if self.aug is not None:
            images = keras.ops.convert_to_numpy(self.aug(images, training=True))
        if self.mean is not None:
            images = np.subtract(images, self.mean, dtype=np.float32)
        if self.channels_first:
            images = np.ascontiguousarray(np.moveaxis(images, -1, 1))

        labels = self.labels[start - self.first_row:stop - self.first_row]
        if self.binarize:
            labels = keras.utils.to_categorical(labels, self.classes).astype("float32")
        return images, labels

    def generator(self, passes=np.inf, shuffle=False):
        """Yield `(images, labels)` batches for `passes` epochs, in file order (the book's API).

        `shuffle=True` gives each pass the shuffled order of the `PyDataset`.

        ```python
        preds = model.predict(gen.generator(passes=1), steps=len(gen))
        (rank1, _) = rank5_accuracy(preds, gen.db["labels"])
        ```
        """
        _checks.flag("shuffle", shuffle)
        for _ in (itertools.count() if passes == np.inf
                  else range(_checks.non_negative_int("passes", passes))):
            for index in range(len(self)):
                yield self[index] if shuffle else self._batch(index)
            self.on_epoch_end()


def _crop_size(crop, image_shape):
    if crop is None:
        return None
    ch, cw = (crop, crop) if np.ndim(crop) == 0 else crop
    ch, cw = _checks.positive_int("crop", ch), _checks.positive_int("crop", cw)
    height, width = image_shape[:2]
    if ch > height or cw > width:
        raise ValueError(f"`crop` must fit in the images ({height}x{width}). "
                         f"Received: crop={crop!r}")
    return ch, cw


def _shard_labels(db_path, rows, index, count):
    first, stop = index * rows // count, (index + 1) * rows // count
    if stop == first:
        raise DatasetError(f"{db_path} holds {rows} images: too few for {count} shards")
    with h5py.File(db_path, "r") as db:
        return first, db["labels"][first:stop]


def _flip(images, rng):
    import cv2

    images = images if images.flags.writeable else images.copy()
    for i in np.flatnonzero(rng.random(len(images)) < 0.5):
        images[i] = cv2.flip(images[i], 1).reshape(images[i].shape)
    return images


def _preprocess(image, preprocessors):
    for p in preprocessors:
        image = p.preprocess(image)
    return image


def _read(data, start, stop, crop, crop_mode, rng):
    """Rows ``[start, stop)`` of `data`, cropped to `crop` (one window for the whole batch)."""
    if crop is None:
        return data[start:stop]
    (height, width), (ch, cw) = data.shape[1:3], crop
    if crop_mode == "resize":
        import cv2

        batch = data[start:stop]
        if (ch, cw) == (height, width):
            return batch
        out = np.empty((len(batch), ch, cw, batch.shape[-1]), dtype=batch.dtype)
        for i, image in enumerate(batch):
            out[i] = cv2.resize(image, (cw, ch), interpolation=cv2.INTER_AREA).reshape(
                out.shape[1:])
        return out
    if crop_mode == "center":
        y, x = (height - ch) // 2, (width - cw) // 2
    else:
        y, x = int(rng.integers(0, height - ch + 1)), int(rng.integers(0, width - cw + 1))
    # the crop window of the whole batch, read as one hyperslab
    return data[start:stop, y:y + ch, x:x + cw]
