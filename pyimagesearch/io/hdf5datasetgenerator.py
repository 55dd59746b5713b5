"""Stream batches from an HDF5 data set into `model.fit` (Practitioner Bundle, ch. 9-10).

Dogs vs. Cats does not fit in memory as float32 (25,000 x 256 x 256 x 3 x 4
bytes = 19.7 GB), so the book writes the images to HDF5 once and reads them
back one batch at a time. Compared with the 2020 generator, this one:

- reads every batch as ONE contiguous slice ``images[i:i + bs]`` (and a
  random crop as one hyperslab ``images[i:i + bs, y:y + h, x:x + w]``), never
  row by row nor with fancy indexing;
- keeps the pixels uint8 until they reach the model (4x fewer bytes to copy
  and to send to the GPU), where the input casts them and a first layer
  subtracts the mean (`mean_subtraction_layer`); subtracting here is
  optional (`mean=`);
- as a `PyDataset` (``model.fit(gen)``) it shuffles: `on_epoch_end` draws
  a new order of the batches (the rows themselves were shuffled once when
  the file was written), so every image is seen exactly once per epoch, the
  last partial batch included; the book's `generator()` reads in file order
  (as the book's did), so predictions line up with ``gen.db["labels"]``;
- gives one-hot labels with one column per class (`keras.utils.
  to_categorical`; `LabelBinarizer` gave ONE column for two classes);
- opens the file lazily, once per process, and is never pickled with an
  open handle, so it works with `workers=` and `use_multiprocessing=True`;
- refuses a file whose writer never finished (`check_complete`); a file
  of the book's own writer (no completion mark, no ``label_names``) is read
  with a warning.

It is a `keras.utils.PyDataset`: pass it straight to `model.fit`,
`evaluate` or `predict` (with ``shuffle=False`` for `predict`, whose rows
must stay in file order). The book's `generator(passes)` is kept too, and so
are its keyword and attribute names (``dbPath``, ``batchSize``, ``gen.db``,
``gen.batchSize``, ``gen.numImages``).
"""

import numbers
import os

import h5py
import keras
import numpy as np

from pyimagesearch._compat import book_aliases
from pyimagesearch._compat import book_attribute
from pyimagesearch.io.hdf5datasetreader import check_complete

CROP_MODES = ("random", "center", "resize")


class HDF5DatasetGenerator(keras.utils.PyDataset):
    """Batches of `(images, labels)` read from an HDF5 file of images.

    The file holds ``images`` (N, H, W, C) uint8, ``labels`` (N,) integers
    and ``label_names``, as `HDF5DatasetWriter` writes it (``label_names``
    may be missing, as in the book's build scripts' files). A batch goes
    through these steps, each optional:

    1. read rows ``[i, i + batch_size)`` (the last batch may be smaller),
       cropped to `crop`: a ``"random"`` window (one new window per batch,
       read straight from the file), the ``"center"`` window, or the whole
       image ``"resize"``-d to `crop` with OpenCV (INTER_AREA);
    2. `preprocessors`: the book's per-image objects with `preprocess(image)`
       (slow: a Python loop; the fast path needs none);
    3. `flip`: mirror each image left-right with probability 1/2;
    4. `aug`: a Keras model of random layers called on the whole batch
       (``training=True``), e.g. `build_augmentation(...)`;
    5. `mean`: subtract the per-channel means (float32 out); leave it
       `None` when the model subtracts them (`mean_subtraction_layer`);
    6. channels first when `keras.config.image_data_format()` says so.

    Without `preprocessors`, `aug` and `mean`, the images stay uint8.

    Args:
        db_path: the ``.hdf5`` file.
        batch_size: images per batch.
        preprocessors: per-image preprocessors (applied in order).
        aug: a callable (a Keras augmentation model) applied to each batch.
        binarize: one-hot labels (`to_categorical`, `classes` columns);
            `False` gives the integer labels as stored (any values, e.g. the
            -1 of a file without classes).
        classes: the number of classes (the book's default 2).
        shuffle: draw a new order of the batches every epoch, for `fit`
            (the default); `False` keeps the file order. The book's
            `generator()` reads in file order whatever this says.
        seed: seed of the order, the crop windows and the flips; `None`
            draws one. Batch `k` of epoch `e` always gets the same window and
            flips for the same seed, whatever the worker that reads it.
        crop: `None` (whole images), an int (square) or `(height, width)`.
        crop_mode: ``"random"`` (training), ``"center"`` or ``"resize"``
            (evaluation).
        flip: randomly mirror half of the images of each batch.
        mean: per-channel means to subtract: ``{"R":.., "G":.., "B":..}``,
            the mean JSON's path, or 3 numbers, in the file's channel order
            (RGB for `build_dataset.py`'s files).
        data_key: the images' dataset (default: the one the writer recorded).
        shard: `None` (every row), or `(index, count)`: read only part
            `index` of `count` contiguous, equal (to a row) index ranges of
            the file, rows ``[index * N // count, (index + 1) * N // count)``:
            what one worker of a multi-worker run reads (see
            `pyimagesearch.harness.Run.sharded`). `num_images`, `labels`
            and the batches are the shard's.
        **kwargs: `keras.utils.PyDataset` arguments (`workers`,
            `use_multiprocessing`, `max_queue_size`).

    Raises:
        DatasetError: missing or incomplete file, or (with `binarize`) a
            label outside ``[0, classes)``.
        ValueError: a bad argument (e.g. a crop larger than the images).

    Example:

    ```python
    train_gen = HDF5DatasetGenerator("hdf5/train.hdf5", 128, crop=227, flip=True,
                                     aug=build_augmentation(horizontal_flip=False))
    val_gen = HDF5DatasetGenerator("hdf5/val.hdf5", 128, crop=227, crop_mode="center",
                                   shuffle=False)
    model.fit(train_gen, validation_data=val_gen, epochs=75)
    ```
    """

    @book_aliases(dbPath="db_path", batchSize="batch_size", dataKey="data_key")
    def __init__(self, db_path: "str | os.PathLike", batch_size: int, preprocessors=None,
                 aug=None, binarize: bool = True, classes: int = 2, shuffle: bool = True,
                 seed: "int | None" = None, crop=None, crop_mode: str = "random",
                 flip: bool = False, mean=None, data_key: "str | None" = None,
                 shard: "tuple[int, int] | None" = None, **kwargs):
        """Check every argument, then read the file's summary (see the class docstring)."""
        super().__init__(**kwargs)
        preprocessors = _check_arguments(batch_size, classes, crop_mode, aug, preprocessors,
                                         seed)
        shard = _check_shard(shard)
        self._read_summary(db_path, data_key, binarize, classes, shard)

        self.crop = _crop_size(crop, self.image_shape)
        self.crop_mode = crop_mode
        self.batch_size = int(batch_size)
        self.preprocessors = preprocessors
        self.aug = aug
        self.binarize = bool(binarize)
        self.classes = int(classes)
        self.shuffle = bool(shuffle)
        self.flip = bool(flip)
        self.mean = None
        if mean is not None:
            from pyimagesearch.preprocessing.meanlayer import load_means

            self.mean = np.asarray(load_means(mean), dtype=np.float32)
        self.channels_first = keras.config.image_data_format() == "channels_first"
        self.seed = int(seed) if seed is not None else int(
            np.random.SeedSequence().entropy % (2**63))
        self.epoch = 0
        self._order = self._draw_order()
        self._db = None
        self._pid = None

    def _read_summary(self, db_path, data_key, binarize, classes, shard):
        """Check the file once (complete, keys present, image shape, labels); keep its summary.

        With a `shard`, the rows, the labels and `num_images` are that part's.
        """
        from pyimagesearch.errors import DatasetError

        info = check_complete(db_path, data_key=data_key)
        self.db_path = str(db_path)
        self.data_key = info["data_key"]
        self.image_shape = tuple(info["shape"][1:])
        if len(self.image_shape) != 3:
            raise ValueError(
                f"{db_path}: `{self.data_key}` must hold images (N, H, W, C). "
                f"Received shape {info['shape']}"
            )
        rows = info["rows"]
        if rows == 0:
            raise DatasetError(f"{db_path} holds no images")
        index, count = shard
        self.shard = shard
        self.first_row = index * rows // count
        self.num_images = (index + 1) * rows // count - self.first_row
        if self.num_images == 0:
            raise DatasetError(f"{db_path} holds {rows} images: too few for {count} shards "
                               "(each needs at least one)")
        with h5py.File(self.db_path, "r") as db:
            self.labels = db["labels"][self.first_row:self.first_row + self.num_images]
        # only one-hot encoding needs the labels to be class indices
        if binarize and (self.labels.min() < 0 or self.labels.max() >= classes):
            raise DatasetError(
                f"{db_path}: labels lie in [{self.labels.min()}, {self.labels.max()}] but "
                f"classes={classes} (one-hot labels need [0, classes); pass binarize=False "
                "for other labels)"
            )

    # -- the book's names ---------------------------------------------------------
    numImages = book_attribute("num_images")
    batchSize = book_attribute("batch_size")

    @property
    def db(self):
        """The open `h5py.File` (read-only), as the book's ``gen.db["labels"]`` reads it."""
        return self._file()

    # -- the HDF5 file, opened once per process ------------------------------------
    def _file(self):
        pid = os.getpid()
        if self._db is None or self._pid != pid:
            # a fresh handle in every process (a forked or spawned worker
            # never reuses its parent's)
            self._db = h5py.File(self.db_path, "r")
            self._pid = pid
        return self._db

    def _images(self):
        return self._file()[self.data_key]

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_db"] = None
        state["_pid"] = None
        return state

    def close(self):
        """Close the HDF5 file (it is opened again when needed)."""
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None
        self._pid = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- the keras.utils.PyDataset protocol ---------------------------------------
    def __len__(self):
        return int(np.ceil(self.num_images / self.batch_size))

    def on_epoch_end(self):
        # a new order of the batches for the next epoch
        self.epoch += 1
        self._order = self._draw_order()

    def _draw_order(self):
        if not self.shuffle:
            return np.arange(len(self))
        return np.random.default_rng([self.seed, self.epoch]).permutation(len(self))

    def batch_rows(self, index: int) -> "tuple[int, int]":
        """`(start, stop)`: the rows of the file that batch `index` reads this epoch."""
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(f"batch index must be an integer. Received: {index!r}")
        if not -len(self) <= index < len(self):
            raise IndexError(f"batch index {index} out of range for {len(self)} batches")
        return self._block_rows(int(self._order[index]))

    def _block_rows(self, block):
        """The file rows ``[start, stop)`` of batch `block` of the file order (of the shard)."""
        start = block * self.batch_size
        stop = min(start + self.batch_size, self.num_images)
        return self.first_row + start, self.first_row + stop

    def __getitem__(self, index):
        self.batch_rows(index)  # checks the index
        return self._batch(int(self._order[index]))

    def _batch(self, block):
        """`(images, labels)` of rows ``[block * batch_size, ...)`` of the file (or shard)."""
        start, stop = self._block_rows(block)
        # one random stream per (epoch, batch): the same for any worker (a
        # shard's batches add where the shard starts: other windows and flips)
        rng = np.random.default_rng([self.seed, self.epoch, block]
                                    + ([self.first_row] if self.first_row else []))
        images = self._read(start, stop, rng)

        # the book's per-image preprocessors
        if self.preprocessors:
            processed = []
            for image in images:
                for p in self.preprocessors:
                    image = p.preprocess(image)
                processed.append(image)
            images = np.array(processed)

        # mirror a random half of the batch (OpenCV's flip is ~20x faster
        # than NumPy's reversed copy of 3-byte pixels)
        if self.flip:
            import cv2

            mirror = np.flatnonzero(rng.random(len(images)) < 0.5)
            if len(mirror) and not images.flags.writeable:
                images = images.copy()
            for i in mirror:
                images[i] = cv2.flip(images[i], 1).reshape(images[i].shape)

        # the Keras augmentation layers, on the whole batch
        if self.aug is not None:
            images = keras.ops.convert_to_numpy(self.aug(images, training=True))

        # subtract the means here only when the model does not
        if self.mean is not None:
            images = np.subtract(images, self.mean, dtype=np.float32)

        if self.channels_first:
            images = np.ascontiguousarray(np.moveaxis(images, -1, 1))

        labels = self.labels[start - self.first_row:stop - self.first_row]
        if self.binarize:
            labels = keras.utils.to_categorical(labels, self.classes).astype("float32")
        return images, labels

    def _read(self, start, stop, rng):
        data = self._images()
        height, width = self.image_shape[:2]
        if self.crop is None:
            return data[start:stop]
        ch, cw = self.crop
        if self.crop_mode == "resize":
            import cv2

            batch = data[start:stop]
            if (ch, cw) == (height, width):
                return batch
            out = np.empty((len(batch), ch, cw, batch.shape[-1]), dtype=batch.dtype)
            for i, image in enumerate(batch):
                out[i] = cv2.resize(image, (cw, ch), interpolation=cv2.INTER_AREA).reshape(
                    out.shape[1:])
            return out
        if self.crop_mode == "center":
            y, x = (height - ch) // 2, (width - cw) // 2
        else:
            y = int(rng.integers(0, height - ch + 1))
            x = int(rng.integers(0, width - cw + 1))
        # the crop window of the whole batch, read as one hyperslab
        return data[start:stop, y:y + ch, x:x + cw]

    # -- the book's generator ------------------------------------------------------
    def generator(self, passes=np.inf, shuffle=False):
        """Yield `(images, labels)` batches for `passes` epochs (the book's API).

        As in the book, the batches come in file order, so the predictions
        made over one pass line up with ``gen.db["labels"]``. Random crops
        and flips still change from one pass to the next.

        Args:
            passes: epochs to yield (`np.inf`: forever, for ``fit(...,
                steps_per_epoch=gen.numImages // batch_size)``).
            shuffle: `True` gives each pass the shuffled order the
                `PyDataset` uses (when `shuffle` was set at construction).

        Example:

        ```python
        preds = model.predict(gen.generator(passes=1), steps=len(gen))
        (rank1, _) = rank5_accuracy(preds, gen.db["labels"])
        ```
        """
        if not (passes == np.inf or (isinstance(passes, numbers.Integral) and passes >= 0)):
            raise ValueError(
                f"`passes` must be an integer >= 0 or np.inf. Received: passes={passes!r}"
            )
        if not isinstance(shuffle, (bool, np.bool_)):
            raise ValueError(f"`shuffle` must be True or False. Received: shuffle={shuffle!r}")
        done = 0
        while done < passes:
            for index in range(len(self)):
                yield self[index] if shuffle else self._batch(index)
            done += 1
            self.on_epoch_end()


def _crop_size(crop, image_shape):
    if crop is None:
        return None
    if isinstance(crop, numbers.Integral) and not isinstance(crop, bool):
        crop = (int(crop), int(crop))
    try:
        ch, cw = (int(c) for c in crop)
        valid = all(isinstance(c, numbers.Integral) and not isinstance(c, bool) for c in crop)
    except (TypeError, ValueError):
        valid = False
    if not valid or ch < 1 or cw < 1:
        raise ValueError(
            f"`crop` must be None, a positive int or (height, width). Received: crop={crop!r}"
        )
    height, width = image_shape[:2]
    if ch > height or cw > width:
        raise ValueError(
            f"`crop` must fit in the images ({height}x{width}). Received: crop={crop!r}"
        )
    return ch, cw


def _check_shard(shard):
    """`shard` as `(index, count)`: `None` is ``(0, 1)``, the whole file."""
    if shard is None:
        return 0, 1
    try:
        index, count = shard
        valid = all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                    for v in (index, count)) and 0 <= index < count
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise ValueError(
            "`shard` must be None or (index, count) with 0 <= index < count. "
            f"Received: shard={shard!r}"
        )
    return int(index), int(count)


def _check_arguments(batch_size, classes, crop_mode, aug, preprocessors, seed):
    """Validate `HDF5DatasetGenerator`'s arguments; return the preprocessors as a list."""
    if (isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral)
            or batch_size < 1):
        raise ValueError(
            f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}"
        )
    if isinstance(classes, bool) or not isinstance(classes, numbers.Integral) or classes < 2:
        raise ValueError(f"`classes` must be an integer >= 2. Received: classes={classes!r}")
    if crop_mode not in CROP_MODES:
        raise ValueError(
            f"`crop_mode` must be one of {CROP_MODES}. Received: crop_mode={crop_mode!r}"
        )
    if aug is not None and not callable(aug):
        raise ValueError(f"`aug` must be callable (a Keras model). Received: aug={aug!r}")
    preprocessors = list(preprocessors or [])
    for p in preprocessors:
        if not callable(getattr(p, "preprocess", None)):
            raise ValueError(
                f"every preprocessor must have a `preprocess(image)` method. Received: {p!r}"
            )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                             or seed < 0):
        raise ValueError(f"`seed` must be an integer >= 0 or None. Received: seed={seed!r}")
    return preprocessors
