"""`pyimagesearch.io.hdf5build`: images to HDF5 on every core."""


import h5py
import numpy as np
import pytest

from conftest import kaggle_label
from pyimagesearch.datasets import list_labelled_images




@pytest.mark.parametrize("kind", ["thread", "process"])
def test_write_images_in_parallel_equals_one_worker(tmp_path, kaggle, kind):
    from pyimagesearch.io import hdf5build

    paths, labels = list_labelled_images(kaggle, label_from=kaggle_label)
    one = hdf5build.write_images(paths, labels, tmp_path / "one.hdf5", ["cat", "dog"], size=24,
                                 workers=1, verbose=False)
    # 40 images in chunks of 5: more chunks than the pool keeps in flight
    two = hdf5build.write_images(paths, labels, tmp_path / "two.hdf5", ["cat", "dog"], size=24,
                                 workers=2, verbose=False, pool_kind=kind)
    assert one["written"] == two["written"] == 40 and two["skipped"] == 0
    assert one["mean"] == pytest.approx(two["mean"])
    with h5py.File(tmp_path / "one.hdf5", "r") as a, h5py.File(tmp_path / "two.hdf5", "r") as b:
        np.testing.assert_array_equal(a["images"][:], b["images"][:])
        np.testing.assert_array_equal(a["labels"][:], b["labels"][:])
        assert b["images"].dtype == np.uint8 and b.attrs["channel_order"] == "RGB"


def test_write_images_decoding_threads_run_opencv_single_threaded(tmp_path, kaggle, monkeypatch):
    """Decoding threads are the parallelism: OpenCV's own threads are off meanwhile, then back."""
    import cv2

    from pyimagesearch.io import hdf5build

    seen = []
    load_chunk = hdf5build.load_chunk

    def recording(paths, size):
        seen.append(cv2.getNumThreads())
        return load_chunk(paths, size)

    monkeypatch.setattr(hdf5build, "load_chunk", recording)
    paths, labels = list_labelled_images(kaggle, label_from=kaggle_label)
    before = cv2.getNumThreads()
    cv2.setNumThreads(2)
    try:
        hdf5build.write_images(paths, labels, tmp_path / "t.hdf5", ["cat", "dog"], size=24,
                               workers=2, verbose=False, pool_kind="thread")
        assert seen and set(seen) == {1}
        assert cv2.getNumThreads() == 2
        # the same for a pool shared by several splits, for as long as it is open
        with hdf5build.decoding_pool(2, "thread") as pool:
            assert cv2.getNumThreads() == 1
            hdf5build.write_images(paths, labels, tmp_path / "u.hdf5", ["cat", "dog"], size=24,
                                   verbose=False, pool=pool)
        assert cv2.getNumThreads() == 2
    finally:
        cv2.setNumThreads(before)


def test_write_images_writes_each_chunk_without_a_large_buffer(tmp_path, kaggle, monkeypatch):
    """By default the writer buffers one chunk: every decoded chunk goes to disk as it comes."""
    from pyimagesearch.io import HDF5DatasetWriter
    from pyimagesearch.io import hdf5build

    flushes = []
    flush = HDF5DatasetWriter.flush

    def recording(self):
        flushes.append(self.buffered)
        return flush(self)

    monkeypatch.setattr(HDF5DatasetWriter, "flush", recording)
    paths, labels = list_labelled_images(kaggle, label_from=kaggle_label)
    hdf5build.write_images(paths, labels, tmp_path / "c.hdf5", ["cat", "dog"], size=24,
                           workers=1, verbose=False)
    # 40 images in chunks of 10 (few images: small chunks): fewer than one
    # buffer's worth, written once, at close
    assert [n for n in flushes if n] == [40]
    assert hdf5build.CHUNK_SIZE == 128
    flushes.clear()
    hdf5build.write_images(paths * 8, labels * 8, tmp_path / "d.hdf5", ["cat", "dog"], size=24,
                           workers=1, verbose=False)
    # 320 images in chunks of 80: written once 128 are buffered, i.e. every
    # 2 chunks (a 1,000-image buffer would have written all 320 at close)
    assert [n for n in flushes if n] == [160, 160]
