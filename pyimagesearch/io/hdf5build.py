"""Images to HDF5 on every core: a decoding pool and chunked, in-order writes.

The book's `build_dogs_vs_cats.py` decoded, resized and wrote one image at a
time on one core. Here a pool of decoders (threads by default: OpenCV
releases Python's GIL while it decodes, resizes and converts) turns chunks
of image paths into uint8 **RGB** arrays (OpenCV decodes BGR; the channels
are swapped once, here, so that everything downstream - the mean, the
model, the ImageNet networks - sees RGB), and each decoded chunk is written
to an `HDF5DatasetWriter` as it arrives, in the order of the paths.
Nothing here knows a data set: the caller gives the paths, the labels,
the class names and the size.

- `decoding_pool(workers, kind)`: the decoders, shared by several files.
- `iter_image_chunks(paths, size, pool)`: decoded chunks, in order, with a
  bounded number in flight.
- `write_images(paths, labels, output_path, class_names, size)`: one HDF5
  file (``images``, ``labels``, ``label_names``), marked complete when
  every image is on disk, with the mean R, G, B of what was written.
- `write_mean_json(path, mean)`: the book's mean file, atomically.

Example:

```python
with decoding_pool(2) as pool:
    for split, (paths, labels) in splits.items():
        summary = write_images(paths, labels, f"hdf5/{split}.hdf5", ["cat", "dog"],
                               size=256, pool=pool)
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

import numpy as np

from pyimagesearch.errors import DatasetError
from pyimagesearch.utils.atomic import atomic_write

__all__ = ["CHUNK_SIZE", "POOL_KINDS", "decoding_pool", "default_workers",
           "iter_image_chunks", "load_chunk", "write_images", "write_mean_json"]

# images a decoder handles per task (25 MB at 256x256; at most two per
# worker wait in memory); also what write_images buffers before a write, so
# that each decoded chunk goes to disk as it is (no 1,000-image buffer to
# assemble, which costs the writing thread a copy and fresh memory). On 2
# cores, 2,000 images: chunks of 16, 32, 64, 128 gave 1.53x, 1.67x, 1.87x,
# 1.95x the single-process loop (fewer hand-overs between the threads)
CHUNK_SIZE = 128


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
    `paths[i]` could be read (not an empty, unreadable or truncated file,
    see `pyimagesearch.io.imagefile.read_image`); `means[j]` is the mean
    (R, G, B) of image `j`.
    """
    import cv2

    from pyimagesearch.io.imagefile import read_image
    from pyimagesearch.preprocessing.aspectawarepreprocessor import AspectAwarePreprocessor

    aap = AspectAwarePreprocessor(size, size)
    images = np.empty((len(paths), size, size, 3), dtype=np.uint8)
    means = np.zeros((len(paths), 3), dtype=np.float64)
    ok = np.zeros(len(paths), dtype=bool)
    for i, path in enumerate(paths):
        # load the image (BGR; None if unreadable or a truncated JPEG),
        # resize it keeping the aspect ratio, then swap the channels to RGB
        # once and for all
        image = read_image(path, cv2.IMREAD_COLOR)
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

    Use it as a context manager and pass it to `write_images` for every
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
        for name in ("train", "val", "test"):
            write_images(..., pool=pool)
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


def write_images(paths, labels, output_path, class_names, size, workers=None,
                buf_size=CHUNK_SIZE, overwrite=False, verbose=True, label="", attrs=None, pool=None,
                pool_kind="thread"):
    """Write images to one HDF5 file: uint8 RGB images, integer labels, label names.

    Unreadable images are skipped (the file is trimmed to the images
    written). The file is marked complete only when every image is on
    disk: an interrupted build leaves a file the generator refuses.

    Args:
        paths, labels: the images and their class names.
        output_path: the ``.hdf5`` file.
        class_names: every class, sorted (label `i` is `class_names[i]`).
        size: the square size of the stored images.
        workers: decoders (default: every core) when no `pool` is given.
        buf_size: images buffered before a write to disk (default: one
            decoded chunk, `CHUNK_SIZE`, which is then written as it is).
        overwrite: replace an existing file.
        verbose: show a progress bar.
        label: the progress bar's label.
        attrs: extra attributes of the file (e.g. a split's name).
        pool: a `decoding_pool` shared by several files.
        pool_kind: ``"thread"`` or ``"process"``: the kind of pool made when
            no `pool` is given (see `decoding_pool`).

    Returns:
        ``{"written", "skipped", "classes": {name: images written},
        "mean": {"R", "G", "B"}, "seconds"}``; the counts and the mean
        (0-255) are of the images written, not of the paths given.
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
        counts, totals = _write(paths, targets, output_path, class_names, size, buf_size,
                                overwrite, attrs, pool, bar)
    bar.finish()
    written = int(counts.sum())
    if written == 0:
        raise DatasetError(f"none of the {len(paths)} images could be read "
                           f"(first: {paths[0] if paths else 'no paths'})")
    mean = totals / written
    return {"written": written, "skipped": len(paths) - written,
            "classes": {name: int(n) for name, n in zip(class_names, counts)},
            "mean": {"R": float(mean[0]), "G": float(mean[1]), "B": float(mean[2])},
            "seconds": time.perf_counter() - started}


def _write(paths, targets, output_path, class_names, size, buf_size, overwrite, attrs, pool, bar):
    from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter

    from pyimagesearch.utils.faults import fault_point

    totals = np.zeros(3, dtype=np.float64)
    counts = np.zeros(len(class_names), dtype=np.int64)
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
                counts += np.bincount(chunk_targets, minlength=len(class_names))
            bar.update(min(start + len(ok), len(paths)))
            fault_point("hdf5_chunk")  # tests: a kill in the middle of a build
    return counts, totals


def write_mean_json(path, mean):
    """Write ``{"R": .., "G": .., "B": ..}`` atomically (temporary file + rename)."""
    with atomic_write(path) as f:
        f.write(json.dumps({k: float(mean[k]) for k in ("R", "G", "B")}, indent=2) + "\n")
    return path


