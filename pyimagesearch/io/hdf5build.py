"""Images to HDF5 on every core: a pool decodes chunks to uint8 RGB, written in order.

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

from pyimagesearch import _checks
from pyimagesearch.errors import DatasetError
from pyimagesearch.utils.atomic import atomic_write

__all__ = ["CHUNK_SIZE", "POOL_KINDS", "decoding_pool", "default_workers",
           "iter_image_chunks", "load_chunk", "write_images", "write_mean_json"]

# images a decoder handles per task (25 MB at 256x256)
CHUNK_SIZE = 128


def default_workers():
    """Worker processes: every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _init_worker():
    """Start a decoding process: one OpenCV thread (the processes are the parallelism)."""
    import cv2

    cv2.setNumThreads(1)


def load_chunk(paths, size):
    """Decode and resize `paths`: `(images, ok, means)`.

    `images` holds the readable images only, uint8 RGB `(k, size, size, 3)`;
    `ok[i]` says whether `paths[i]` could be read; `means[j]` is the mean
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
        image = read_image(path, cv2.IMREAD_COLOR)
        if image is None:
            continue
        image = aap.preprocess(image)
        cv2.cvtColor(image, cv2.COLOR_BGR2RGB, dst=images[i])
        means[i] = cv2.mean(images[i])[:3]
        ok[i] = True
    if not ok.all():
        images, means = images[ok], means[ok]
    return images, ok, means


POOL_KINDS = ("thread", "process")


def decoding_pool(workers=None, kind="thread"):
    """A pool of `workers` decoders (a `concurrent.futures` executor), or None for 1.

    Args:
        workers: decoders (default: every core); 1 decodes in the calling thread.
        kind: ``"thread"`` (OpenCV releases the GIL) or ``"process"``
            ("spawn"ed: a forked child of OpenCV's or TensorFlow's thread
            pools can deadlock).

    Example:

    >>> with decoding_pool(1) as pool:
    ...     print(pool)
    None
    """
    from concurrent.futures import ProcessPoolExecutor

    workers = _checks.positive_int("workers", default_workers() if workers is None else workers)
    _checks.one_of("kind", kind, POOL_KINDS)
    if workers == 1:
        return contextlib.nullcontext(None)
    if kind == "thread":
        return _thread_pool(workers)
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker)


@contextlib.contextmanager
def _thread_pool(workers):
    """Decoding threads, with OpenCV's own threads off while they run."""
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

    With a `pool` at most ``2 * workers`` chunks are in flight; without one
    they are decoded here. `chunk_size` defaults to up to `CHUNK_SIZE`.
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
            nxt = next(starts, None)
            if nxt is not None:
                pending.append(submit(nxt))
            yield (start, *result)
    finally:
        for _, future in pending:
            future.cancel()


def write_images(paths, labels, output_path, class_names, size, workers=None,
                buf_size=CHUNK_SIZE, overwrite=False, verbose=True, label="", attrs=None, pool=None,
                pool_kind="thread", on_chunk=None):
    """Write images to one HDF5 file: uint8 RGB images, integer labels, label names.

    Unreadable images are skipped; the file is marked complete only when
    every image is on disk.

    Args:
        paths, labels: the images and their class names.
        class_names: every class (label `i` is `class_names[i]`).
        size: the square size of the stored images.
        workers, pool_kind: the decoders made when no `pool` is given.
        verbose, label: show a progress bar, with this label.
        on_chunk: called with the images done so far after each chunk.
        attrs: extra attributes of the file.
        pool: a `decoding_pool` shared by several files.

    Returns:
        ``{"written", "skipped", "classes": {name: images written},
        "mean": {"R", "G", "B"}, "seconds"}``, of the images written.

    Raises:
        DatasetError: a label is not a class name, or no image could be read.
    """
    import time

    from pyimagesearch.utils import progress_bar

    _checks.positive_int("size", size)
    if len(labels) != len(paths):
        raise ValueError(f"one label per path is needed. Received: {len(paths)} paths and "
                         f"{len(labels)} labels")
    index = {name: i for i, name in enumerate(class_names)}
    unknown = sorted(set(labels) - set(index))
    if unknown:
        raise DatasetError(f"labels {unknown} are not among the class names {class_names}")
    targets = np.array([index[name] for name in labels], dtype=np.int64)

    started = time.perf_counter()
    bar = progress_bar(len(paths), label, verbose)
    context = (decoding_pool(workers, pool_kind) if pool is None
               else contextlib.nullcontext(pool))
    with context as pool:
        counts, totals = _write(paths, targets, output_path, class_names, size, buf_size,
                                overwrite, attrs, pool, bar, on_chunk)
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


def _write(paths, targets, output_path, class_names, size, buf_size, overwrite, attrs, pool, bar,
           on_chunk):
    from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter

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
            chunk_targets = targets[start:start + len(ok)][ok]
            if len(images):
                writer.add(images, chunk_targets)
                totals += means.sum(axis=0)
                counts += np.bincount(chunk_targets, minlength=len(class_names))
            bar.update(min(start + len(ok), len(paths)))
            if on_chunk is not None:
                on_chunk(min(start + len(ok), len(paths)))
    return counts, totals


def write_mean_json(path, mean):
    """Write ``{"R": .., "G": .., "B": ..}`` atomically (temporary file + rename)."""
    with atomic_write(path) as f:
        f.write(json.dumps({k: float(mean[k]) for k in ("R", "G", "B")}, indent=2) + "\n")
    return path
