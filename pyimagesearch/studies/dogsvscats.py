"""Dogs vs. Cats: the configuration and the HDF5 build the 2020-11-23 scripts share.

The book keeps its settings in a `config/dogs_vs_cats_config.py`; here they
are the defaults of the scripts' flags, defined once below:

- the images: `<dataset>/{cat,dog}.N.jpg`, the label is the file name
  before the first dot (`label_from_filename`);
- the split: stratified train/val/test, seeded; the diary held out 2,500
  validation and 2,500 test images of 25,000, i.e. 10% each
  (`VAL_FRACTION`, `TEST_FRACTION`; absolute counts override them);
- the files: one `--hdf5-dir` holding ``train.hdf5``, ``val.hdf5``,
  ``test.hdf5`` and ``mean.json`` (`hdf5_paths`);
- the sizes: images stored at 256x256 (`IMAGE_SIZE`), AlexNet trained on
  227x227 crops (`CROP_SIZE`).

`write_split` decodes and resizes the images on every core (a pool of
threads or processes, `decoding_pool`; the 2020 code used one core) and
writes them as uint8 **RGB** (OpenCV
decodes BGR; the channels are swapped once, here, so that everything
downstream - the mean, the model, the ImageNet networks - sees RGB).

Example:

```python
paths, labels = list_labelled_images("dogs_vs_cats/train")
splits = split_dataset(paths, labels, *split_counts(len(paths), 0.1, 0.1))
summary = write_split(splits["train"][0], splits["train"][1], "hdf5/train.hdf5",
                      class_names=["cat", "dog"])
write_mean_json("hdf5/mean.json", summary["mean"])
```
"""

import collections
import contextlib
import itertools
import json
import math
import multiprocessing
import os
import re
from pathlib import Path

import numpy as np

from pyimagesearch.errors import DatasetError

STUDY = "2020-11-23-dogs-vs-cats"
IMAGE_SIZE = 256
CROP_SIZE = 227
VAL_FRACTION = 0.1
TEST_FRACTION = 0.1
SEED = 42
SPLITS = ("train", "val", "test")
# images a decoder handles per task (25 MB at 256x256; at most two per
# worker wait in memory); also what write_split buffers before a write, so
# that each decoded chunk goes to disk as it is (no 1,000-image buffer to
# assemble, which costs the writing thread a copy and fresh memory). On 2
# cores, 2,000 images: chunks of 16, 32, 64, 128 gave 1.53x, 1.67x, 1.87x,
# 1.95x the single-process loop (fewer hand-overs between the threads)
CHUNK_SIZE = 128
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp")


# ---------------------------------------------------------------------------
# where things live
# ---------------------------------------------------------------------------
def hdf5_paths(hdf5_dir):
    """The files of a build: ``{"train", "val", "test": .hdf5, "mean": mean.json}``."""
    folder = Path(hdf5_dir)
    paths = {split: folder / f"{split}.hdf5" for split in SPLITS}
    paths["mean"] = folder / "mean.json"
    return paths


# ---------------------------------------------------------------------------
# labels and the split
# ---------------------------------------------------------------------------
def label_from_filename(path):
    """The label of a Kaggle file: the name before the first dot (``cat.12.jpg`` -> cat).

    Example:

    >>> label_from_filename("train/dog.1042.jpg")
    'dog'
    """
    name = Path(path).name
    label = name.split(".", 1)[0]
    if not label or "." not in name:
        raise DatasetError(f"{path}: no label before the first dot (expected cat.N.jpg)")
    return label


def list_labelled_images(folder, labels_from="filename"):
    """Sorted image paths of `folder` and their labels.

    Args:
        folder: the Kaggle ``train`` folder (``{cat,dog}.N.jpg``), or a
            ``<class>/<image>`` tree with ``labels_from="folder"``.
        labels_from: ``"filename"`` (text before the first dot) or
            ``"folder"`` (the parent folder's name).

    Returns:
        `(paths, labels)`: two lists of str.

    Raises:
        DatasetError: no such folder, no images, or fewer than 2 classes.
    """
    if labels_from not in ("filename", "folder"):
        raise ValueError(
            f"`labels_from` must be 'filename' or 'folder'. Received: {labels_from!r}"
        )
    base = Path(folder)
    if not base.is_dir():
        raise DatasetError(f"--dataset {base}: no such folder")
    pattern = "*" if labels_from == "filename" else "*/*"
    paths = sorted(str(p) for p in base.glob(pattern)
                   if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file())
    if not paths:
        layout = "{cat,dog}.N.jpg" if labels_from == "filename" else "<class>/<image>"
        raise DatasetError(f"--dataset {base}: no images ({layout}) in it")
    if labels_from == "filename":
        labels = [label_from_filename(p) for p in paths]
    else:
        labels = [Path(p).parent.name for p in paths]
    if len(set(labels)) < 2:
        raise DatasetError(
            f"--dataset {base}: only one class ({labels[0]!r}) among {len(paths)} images"
        )
    return paths, labels


def split_counts(total, val_fraction=VAL_FRACTION, test_fraction=TEST_FRACTION,
                 val_count=None, test_count=None):
    """How many images go to validation and test: `(val, test)`.

    Counts win over fractions (the diary's ``--val-count 2500 --test-count
    2500`` on 25,000 images equals the default fractions 0.1 and 0.1).
    A fraction is rounded to the nearest image.

    Example:

    >>> split_counts(25000)
    (2500, 2500)
    >>> split_counts(40, test_count=6)
    (4, 6)
    """
    def resolve(name, fraction, count):
        if count is not None:
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise ValueError(f"`{name}_count` must be a positive integer. Received: {count!r}")
            return count
        if not 0 < fraction < 1:
            raise ValueError(
                f"`{name}_fraction` must lie between 0 and 1. Received: {fraction!r}"
            )
        return max(1, int(round(total * fraction)))

    n_val = resolve("val", val_fraction, val_count)
    n_test = resolve("test", test_fraction, test_count)
    if n_val + n_test >= total:
        raise DatasetError(
            f"{n_val} validation + {n_test} test images leave no training images out of {total}"
        )
    return n_val, n_test


def split_dataset(paths, labels, n_val, n_test, seed=SEED):
    """Stratified, seeded train/val/test split (the book's order: test first).

    Every split keeps the class proportions; the rows of each split come
    out shuffled, so contiguous batches of an HDF5 file are random samples.

    Returns:
        ``{"train": (paths, labels), "val": (...), "test": (...)}``.

    Raises:
        DatasetError: a split too small to hold every class.
    """
    from sklearn.model_selection import train_test_split

    classes = sorted(set(labels))
    n_train = len(paths) - n_val - n_test
    for name, count in (("validation", n_val), ("test", n_test), ("training", n_train)):
        if count < len(classes):
            raise DatasetError(
                f"the {name} split ({count} images) is smaller than the number of classes "
                f"({len(classes)}): a stratified split needs at least one image of each"
            )
    # hold out the test images, then the validation images, stratified
    train_paths, test_paths, train_labels, test_labels = train_test_split(
        list(paths), list(labels), test_size=n_test, stratify=labels, random_state=seed)
    train_paths, val_paths, train_labels, val_labels = train_test_split(
        train_paths, train_labels, test_size=n_val, stratify=train_labels, random_state=seed)
    return {"train": (train_paths, train_labels), "val": (val_paths, val_labels),
            "test": (test_paths, test_labels)}


# ---------------------------------------------------------------------------
# decoding on every core
# ---------------------------------------------------------------------------
def default_workers():
    """Worker processes: every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _init_worker():
    """Start a decoding process (``kind="process"``): one OpenCV thread.

    The processes are started fresh ("spawn": forking a process that has
    used OpenCV's or TensorFlow's thread pools can deadlock the child) and
    import only OpenCV, NumPy and the preprocessors (the
    `pyimagesearch.preprocessing` package imports keras only when a
    Keras-based name is used).
    """
    import cv2

    # one OpenCV thread per process: the processes are the parallelism
    cv2.setNumThreads(1)


def load_chunk(paths, size):
    """Decode and resize `paths`: `(images, ok, means)`.

    `images` holds the readable images only, uint8 RGB `(k, size, size, 3)`
    (aspect-aware resize, `AspectAwarePreprocessor`); `ok[i]` says whether
    `paths[i]` could be read; `means[j]` is the mean (R, G, B) of image `j`.
    """
    import cv2

    from pyimagesearch.preprocessing.aspectawarepreprocessor import AspectAwarePreprocessor

    aap = AspectAwarePreprocessor(size, size)
    images = np.empty((len(paths), size, size, 3), dtype=np.uint8)
    means = np.zeros((len(paths), 3), dtype=np.float64)
    ok = np.zeros(len(paths), dtype=bool)
    for i, path in enumerate(paths):
        # load the image (BGR), resize it keeping the aspect ratio, then
        # swap the channels to RGB once and for all
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            continue
        image = aap.preprocess(image)
        cv2.cvtColor(image, cv2.COLOR_BGR2RGB, dst=images[i])
        # the image's mean R, G, B (the book's cv2.mean, now in RGB order)
        means[i] = cv2.mean(images[i])[:3]
        ok[i] = True
    if not ok.all():
        images, means = images[ok], means[ok]
    return images, ok, means


POOL_KINDS = ("thread", "process")


def decoding_pool(workers=None, kind="thread"):
    """A pool of `workers` decoders (a `concurrent.futures` executor), or None for 1.

    Use it as a context manager and pass it to `write_split` for every
    split, so the workers start once per build.

    Args:
        workers: decoders (default: every core); 1 gives no pool (the
            images are decoded in the calling thread).
        kind: ``"thread"`` (default) or ``"process"``. OpenCV releases
            Python's GIL while it decodes, resizes, swaps channels and
            averages, so threads use every core with no copies; processes
            ("spawn": a forked child of a process that has used OpenCV's or
            TensorFlow's thread pools can deadlock) must be started (about
            0.5 s each) and send every image back through a pipe. Measured
            on the 2,000 shared Kaggle images (shorter side <= 256) on this
            project's 2-core machine, against the one-image-at-a-time loop:
            threads 1.91-1.96x, processes 0.84-0.86x (pickling 25 MB chunks
            through pipes), see bench/bench_build_dataset.py.

    Example:

    ```python
    with decoding_pool(2) as pool:
        for split in ("train", "val", "test"):
            write_split(..., pool=pool)
    ```
    """
    from concurrent.futures import ProcessPoolExecutor

    workers = default_workers() if workers is None else workers
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"`workers` must be a positive integer. Received: workers={workers!r}")
    if kind not in POOL_KINDS:
        raise ValueError(f"`kind` must be one of {POOL_KINDS}. Received: kind={kind!r}")
    if workers == 1:
        return contextlib.nullcontext(None)
    if kind == "thread":
        return _thread_pool(workers)
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker)


@contextlib.contextmanager
def _thread_pool(workers):
    """Decoding threads, with OpenCV's own threads switched off while they run.

    The decoding threads are the parallelism (as `_init_worker` makes each
    decoding process single-threaded): OpenCV would otherwise split every
    resize over all the cores too, and the two kinds of threads would
    compete for them. OpenCV's setting is restored when the pool closes.
    """
    from concurrent.futures import ThreadPoolExecutor

    import cv2

    before = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decode") as pool:
            yield pool
    finally:
        cv2.setNumThreads(before)


def iter_image_chunks(paths, size, pool=None, chunk_size=None):
    """Yield `(start, images, ok, means)` for consecutive chunks of `paths`, in order.

    With a `pool` (see `decoding_pool`) the chunks are decoded by its
    workers; at most ``2 * workers`` chunks are in flight, so memory
    stays bounded however many images there are (`Executor.map` would
    queue them all). Without one, they are decoded here.

    Args:
        paths: image paths.
        size: the square output size.
        pool: a `concurrent.futures` executor, or None.
        chunk_size: images per task (default: up to `CHUNK_SIZE`, smaller for few
            images, so that every worker gets several tasks).
    """
    workers = getattr(pool, "_max_workers", 1) if pool is not None else 1
    if chunk_size is None:
        chunk_size = max(1, min(CHUNK_SIZE, math.ceil(len(paths) / (4 * workers))))
    starts = iter(range(0, len(paths), chunk_size))
    if pool is None:
        for start in starts:
            yield (start, *load_chunk(paths[start:start + chunk_size], size))
        return

    def submit(start):
        return (start, pool.submit(load_chunk, paths[start:start + chunk_size], size))

    pending = collections.deque(submit(start) for start in itertools.islice(starts, 2 * workers))
    try:
        while pending:
            start, future = pending.popleft()
            result = future.result()
            # keep the pool busy: one new chunk for each one taken
            nxt = next(starts, None)
            if nxt is not None:
                pending.append(submit(nxt))
            yield (start, *result)
    finally:
        for _, future in pending:
            future.cancel()


def write_split(paths, labels, output_path, class_names, size=IMAGE_SIZE, workers=None,
                buf_size=CHUNK_SIZE, overwrite=False, verbose=True, label="", attrs=None, pool=None,
                pool_kind="thread"):
    """Write one split to HDF5: uint8 RGB images, integer labels, label names.

    Unreadable images are skipped (the file is trimmed to the images
    written). The file is marked complete only when every image is on
    disk: an interrupted build leaves a file the generator refuses.

    Args:
        paths, labels: the split's images and their class names.
        output_path: the ``.hdf5`` file.
        class_names: every class, sorted (label `i` is `class_names[i]`).
        size: the square size of the stored images.
        workers: decoders (default: every core) when no `pool` is given.
        buf_size: images buffered before a write to disk (default: one
            decoded chunk, `CHUNK_SIZE`, which is then written as it is).
        overwrite: replace an existing file.
        verbose: show a progress bar.
        label: the progress bar's label.
        attrs: extra attributes of the file (e.g. the split's name).
        pool: a `decoding_pool` shared by several splits.
        pool_kind: ``"thread"`` or ``"process"``: the kind of pool made when
            no `pool` is given (see `decoding_pool`).

    Returns:
        ``{"written", "skipped", "mean": {"R", "G", "B"}, "seconds"}``; the
        mean is over the written images (0-255).
    """
    import time

    from pyimagesearch.utils import progress_bar

    index = {name: i for i, name in enumerate(class_names)}
    unknown = sorted(set(labels) - set(index))
    if unknown:
        raise DatasetError(f"labels {unknown} are not among the class names {class_names}")
    targets = np.array([index[name] for name in labels], dtype=np.int64)

    started = time.perf_counter()
    bar = progress_bar(len(paths), label, verbose)
    # decode in the given pool, else in a pool of our own (none for 1 worker)
    context = (decoding_pool(workers, pool_kind) if pool is None
               else contextlib.nullcontext(pool))
    with context as pool:
        written, totals = _write(paths, targets, output_path, class_names, size, buf_size,
                                 overwrite, attrs, pool, bar)
    bar.finish()
    if written == 0:
        raise DatasetError(f"none of the {len(paths)} images of {output_path} could be read")
    mean = totals / written
    return {"written": written, "skipped": len(paths) - written,
            "mean": {"R": float(mean[0]), "G": float(mean[1]), "B": float(mean[2])},
            "seconds": time.perf_counter() - started}


def _write(paths, targets, output_path, class_names, size, buf_size, overwrite, attrs, pool, bar):
    from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter

    totals = np.zeros(3, dtype=np.float64)
    written = 0
    with HDF5DatasetWriter((len(paths), size, size, 3), output_path, data_key="images",
                           buf_size=buf_size, overwrite=overwrite) as writer:
        writer.storeClassLabels(class_names)
        writer.db.attrs["channel_order"] = "RGB"
        writer.db.attrs["image_size"] = size
        for key, value in (attrs or {}).items():
            writer.db.attrs[key] = value
        for (start, images, ok, means) in iter_image_chunks(paths, size, pool):
            # add the chunk's readable images (and their labels) to the writer
            chunk_targets = targets[start:start + len(ok)][ok]
            if len(images):
                writer.add(images, chunk_targets)
                totals += means.sum(axis=0)
                written += len(images)
            bar.update(min(start + len(ok), len(paths)))
    return written, totals


# ---------------------------------------------------------------------------
# the mean JSON
# ---------------------------------------------------------------------------
def write_mean_json(path, mean):
    """Write ``{"R": .., "G": .., "B": ..}`` atomically (temporary file + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps({k: float(mean[k]) for k in ("R", "G", "B")}, indent=2) + "\n")
    os.replace(tmp, path)
    return path


def check_build(hdf5_dir, splits=SPLITS, mean=True):
    """Check that a build is complete; return `hdf5_paths(hdf5_dir)`.

    Raises:
        DatasetError: a missing or incomplete file (run build_dataset.py).
    """
    from pyimagesearch.io.hdf5datasetwriter import check_complete

    paths = hdf5_paths(hdf5_dir)
    hint = "run build_dataset.py first (or again, with --force)"
    for split in splits:
        if not paths[split].is_file():
            raise DatasetError(f"--hdf5-dir {hdf5_dir}: no {paths[split].name}; {hint}")
        try:
            check_complete(paths[split], data_key="images")
        except DatasetError as error:
            raise DatasetError(f"{error}; {hint}") from None
    if mean and not paths["mean"].is_file():
        raise DatasetError(f"--hdf5-dir {hdf5_dir}: no mean.json (the build did not finish); "
                           f"{hint}")
    return paths


def epoch_from_checkpoint(path):
    """The epoch in a checkpoint's name (``epoch_25.keras`` -> 25), else None."""
    match = re.fullmatch(r"epoch_(\d+)\.keras", Path(path).name)
    return int(match.group(1)) if match else None
