"""HDF5DatasetWriter and its readers: dtypes, names as str, buffering, safety."""

import h5py
import numpy as np
import pytest

from pyimagesearch.errors import DatasetError, OutputExistsError
from pyimagesearch.io import (HDF5DatasetWriter, check_complete, open_hdf5_dataset,
                              read_label_names)


def test_images_round_trip_as_uint8_with_str_names(tmp_path):
    path = tmp_path / "images.hdf5"
    images = np.random.default_rng(0).integers(0, 256, (10, 8, 8, 3), dtype=np.uint8)
    labels = np.arange(10) % 3
    with HDF5DatasetWriter((10, 8, 8, 3), path, buf_size=4) as writer:
        writer.storeClassLabels(np.array(["cats", "dogs", "pandas \u00e9"]))
        writer.add(images[:6], labels[:6])
        writer.add(images[6:], labels[6:])
    info = check_complete(path)
    assert info == {"data_key": "images", "rows": 10, "shape": (10, 8, 8, 3),
                    "dtype": "uint8", "path": str(path)}
    with open_hdf5_dataset(path) as db:
        assert db["images"].dtype == np.uint8
        assert np.issubdtype(db["labels"].dtype, np.integer)
        np.testing.assert_array_equal(db["images"][:], images)
        np.testing.assert_array_equal(db["labels"][:], labels)
        names = read_label_names(db)
        assert names == ["cats", "dogs", "pandas \u00e9"]
        assert all(type(n) is str for n in names)


def test_features_default_to_float32_never_float64(tmp_path):
    path = tmp_path / "features.hdf5"
    rows = np.random.default_rng(1).normal(size=(5, 7))  # float64 in
    with HDF5DatasetWriter((5, 7), path, data_key="features") as writer:
        writer.storeClassLabels(["a", "b"])
        writer.add(rows, [0, 1, 0, 1, 1])
    with open_hdf5_dataset(path, data_key="features") as db:
        assert db["features"].dtype == np.float32
        np.testing.assert_allclose(db["features"][:], rows, rtol=1e-6)
    with pytest.raises(ValueError, match="never float64"):
        HDF5DatasetWriter((5, 7), tmp_path / "x.hdf5", dtype="float64")
    with HDF5DatasetWriter((2, 3), tmp_path / "f16.hdf5", data_key="features",
                           dtype="float16") as writer:
        writer.storeClassLabels(["a"])
        writer.add(np.ones((2, 3)), [0, 0])
    assert check_complete(tmp_path / "f16.hdf5")["dtype"] == "float16"


def test_buffer_flushes_at_buf_size(tmp_path):
    path = tmp_path / "buffered.hdf5"
    writer = HDF5DatasetWriter((10, 2), path, data_key="features", buf_size=4)
    writer.add(np.ones((3, 2)), [0, 0, 0])
    assert writer.idx == 0 and writer.buffered == 3  # still in memory
    writer.add(np.ones((2, 2)), [1, 1])
    assert writer.idx == 5 and writer.buffered == 0  # 5 >= 4: flushed
    writer.add(np.ones((1, 2)), [1])
    writer.flush()
    assert writer.idx == 6 and writer.rows_written == 6
    writer.storeClassLabels(["a", "b"])
    writer.close()
    writer.close()  # idempotent


def test_close_trims_to_the_rows_written(tmp_path):
    path = tmp_path / "short.hdf5"
    with HDF5DatasetWriter((100, 3), path, data_key="features", buf_size=8) as writer:
        writer.storeClassLabels(["a", "b"])
        writer.add(np.full((7, 3), 2.0), [1] * 7)
    with open_hdf5_dataset(path) as db:
        assert db["features"].shape == (7, 3) and db["labels"].shape == (7,)
        assert db.attrs["rows"] == 7 and db["features"].maxshape == (None, 3)


def test_existing_file_is_refused_unless_overwrite(tmp_path):
    path = tmp_path / "exists.hdf5"
    path.write_bytes(b"precious")
    with pytest.raises(OutputExistsError, match="already exists"):
        HDF5DatasetWriter((2, 2), path)
    assert path.read_bytes() == b"precious"
    with HDF5DatasetWriter((2, 2), path, data_key="features", overwrite=True) as writer:
        writer.storeClassLabels(["a"])
        writer.add(np.zeros((2, 2)), [0, 0])
    assert check_complete(path)["rows"] == 2


def test_a_writer_that_never_closed_leaves_an_incomplete_file(tmp_path):
    path = tmp_path / "crashed.hdf5"
    writer = HDF5DatasetWriter((10, 2), path, data_key="features", buf_size=2)
    writer.storeClassLabels(["a", "b"])
    writer.add(np.ones((4, 2)), [0, 1, 0, 1])
    writer.db.close()  # the process died here: close() never ran
    with pytest.raises(DatasetError, match="incomplete"):
        check_complete(path)
    with pytest.raises(DatasetError, match="incomplete"):
        open_hdf5_dataset(path)


def test_an_error_inside_the_with_block_leaves_it_incomplete(tmp_path):
    path = tmp_path / "interrupted.hdf5"
    with pytest.raises(RuntimeError):
        with HDF5DatasetWriter((10, 2), path, data_key="features") as writer:
            writer.storeClassLabels(["a"])
            writer.add(np.ones((3, 2)), [0, 0, 0])
            raise RuntimeError("interrupted")
    with h5py.File(path, "r") as db:  # the rows are there, but flagged
        assert not db.attrs["complete"] and db.attrs["rows"] == 3
    with pytest.raises(DatasetError, match="incomplete"):
        check_complete(path)


def test_missing_keys_and_bad_files_are_dataset_errors(tmp_path):
    path = tmp_path / "no_names.hdf5"
    with HDF5DatasetWriter((2, 2), path, data_key="features") as writer:
        writer.add(np.zeros((2, 2)), [0, 1])
    # no class names: read with a warning, refused when they are required
    with pytest.warns(UserWarning, match="no label_names"):
        with open_hdf5_dataset(path) as db:
            with pytest.raises(DatasetError, match="no label_names"):
                read_label_names(db)
    with pytest.raises(DatasetError, match="label_names"):
        open_hdf5_dataset(path, keys=("labels", "label_names"))
    with pytest.warns(UserWarning, match="no label_names"):
        assert check_complete(path, keys=("labels",))["rows"] == 2
    with pytest.raises(DatasetError, match="images"):
        check_complete(path, data_key="images", keys=())
    (tmp_path / "text.hdf5").write_text("not hdf5")
    with pytest.raises(DatasetError, match="cannot open"):
        check_complete(tmp_path / "text.hdf5")
    with pytest.raises(DatasetError, match="no such"):
        open_hdf5_dataset(tmp_path / "missing.hdf5")


def test_bad_shapes_counts_and_too_many_rows(tmp_path):
    writer = HDF5DatasetWriter((5, 4, 4, 3), tmp_path / "bad.hdf5", buf_size=2)
    with pytest.raises(ValueError, match=r"shape \(4, 4, 3\)"):
        writer.add(np.zeros((2, 4, 4, 1), "uint8"), [0, 1])
    with pytest.raises(ValueError, match="one integer per row"):
        writer.add(np.zeros((2, 4, 4, 3), "uint8"), [0, 1, 2])
    with pytest.raises(ValueError, match="must be integers"):
        writer.add(np.zeros((2, 4, 4, 3), "uint8"), ["cat", "dog"])
    with pytest.raises(ValueError, match=r"\[0, 255\]"):
        writer.add(np.full((1, 4, 4, 3), 300.0), [0])
    writer.add(np.zeros((4, 4, 4, 3), "uint8"), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="past dims"):
        writer.add(np.zeros((2, 4, 4, 3), "uint8"), [0, 1])
    writer.add(np.zeros((4, 4, 3), "uint8"), 1)  # a single row still fits
    writer.storeClassLabels(["a", "b"])
    writer.close()
    with pytest.raises(ValueError, match="closed"):
        writer.add(np.zeros((1, 4, 4, 3), "uint8"), [0])
    assert check_complete(tmp_path / "bad.hdf5")["rows"] == 5


@pytest.mark.parametrize("kwargs, message", [
    (dict(dims=(0, 3)), "dims"),
    (dict(dims=(2.5, 3)), "dims"),
    (dict(dims=(4, 3), buf_size=0), "buf_size"),
    (dict(dims=(4, 3), data_key="labels"), "data_key"),
    (dict(dims=(4, 3), dtype="U3"), "dtype"),
])
def test_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        HDF5DatasetWriter(output_path=tmp_path / "x.hdf5", **kwargs)
    assert not (tmp_path / "x.hdf5").exists()


# -- the book's files, names and errors ------------------------------------------
def _book_writer_file(path, key="images", shape=(5, 4, 4, 3)):
    """What the book's HDF5DatasetWriter wrote: float64 data, int labels, no marks."""
    with h5py.File(path, "w") as db:
        db.create_dataset(key, data=np.arange(np.prod(shape), dtype="float").reshape(shape))
        db.create_dataset("labels", data=np.arange(shape[0]) % 2)
    return path


def test_files_of_the_books_writer_are_read_with_one_warning(tmp_path):
    images = _book_writer_file(tmp_path / "book.hdf5")
    with pytest.warns(UserWarning, match="no completion mark and no label_names") as caught:
        info = check_complete(images)
    assert len(caught) == 1
    assert info["data_key"] == "images" and info["rows"] == 5 and info["dtype"] == "float64"
    features = _book_writer_file(tmp_path / "features.hdf5", key="features", shape=(6, 10))
    with pytest.warns(UserWarning, match="no completion mark"):
        with open_hdf5_dataset(features) as db:
            assert db["features"].shape == (6, 10)
    # a file explicitly marked incomplete is still refused
    with h5py.File(images, "a") as db:
        db.attrs["complete"] = False
    with pytest.raises(DatasetError, match="incomplete"):
        check_complete(images)


def test_an_existing_output_is_also_a_value_error(tmp_path):
    from pyimagesearch.errors import PyImageSearchError

    path = tmp_path / "exists.hdf5"
    path.write_bytes(b"precious")
    # the book's scripts catch the writer's refusal as a ValueError
    with pytest.raises(ValueError, match="already exists") as caught:
        HDF5DatasetWriter((2, 2), path)
    assert isinstance(caught.value, OutputExistsError)
    assert isinstance(caught.value, (PyImageSearchError, FileExistsError))


def test_the_writer_takes_the_books_keywords(tmp_path):
    path = tmp_path / "features.hdf5"
    writer = HDF5DatasetWriter(dims=(4, 3), outputPath=path, dataKey="features", bufSize=2)
    assert (writer.bufSize, writer.buf_size, writer.data_key) == (2, 2, "features")
    writer.storeClassLabels(classLabels=["a", "b"])
    writer.add(np.ones((4, 3)), [0, 1, 0, 1])
    writer.close()
    with open_hdf5_dataset(path) as db:
        assert read_label_names(db) == ["a", "b"]
    with pytest.raises(TypeError, match="bufSize.*buf_size"):
        HDF5DatasetWriter((4, 3), tmp_path / "x.hdf5", bufSize=2, buf_size=2)
    with pytest.raises(TypeError, match="outputPath.*output_path"):
        HDF5DatasetWriter((4, 3), tmp_path / "x.hdf5", outputPath=tmp_path / "y.hdf5")
    assert not (tmp_path / "x.hdf5").exists()


def test_the_readers_live_in_their_own_module():
    import pyimagesearch.io as io
    from pyimagesearch.io import hdf5datasetreader, hdf5datasetwriter

    for name in ("check_complete", "open_hdf5_dataset", "read_label_names"):
        assert getattr(io, name) is getattr(hdf5datasetreader, name)
        assert not hasattr(hdf5datasetwriter, name)


# -- the checks on write and on read ---------------------------------------------
def test_close_closes_the_file_whatever_the_flush_raises(tmp_path, monkeypatch):
    path = tmp_path / "full_disk.hdf5"
    writer = HDF5DatasetWriter((4, 2), path, data_key="features")
    writer.storeClassLabels(["a", "b"])
    writer.add(np.ones((2, 2)), [0, 1])

    def full_disk():
        raise OSError("No space left on device")

    monkeypatch.setattr(writer, "flush", full_disk)
    with pytest.raises(OSError, match="No space"):
        writer.close()
    assert writer.closed and not writer.db.id.valid  # closed: no open handle left
    writer.close()  # and closing again does nothing
    with pytest.raises(DatasetError, match="incomplete"):
        check_complete(path)


def test_non_finite_float_rows_are_refused(tmp_path):
    with HDF5DatasetWriter((4, 2), tmp_path / "f.hdf5", data_key="features") as writer:
        writer.storeClassLabels(["a", "b"])
        for bad in (np.nan, np.inf, 1e300):  # 1e300 overflows float32
            with pytest.raises(ValueError, match="finite values"):
                writer.add(np.full((1, 2), bad), [0])
        writer.add(np.ones((1, 2)), [1])
    assert check_complete(tmp_path / "f.hdf5")["rows"] == 1


def _marked_file(path, images, labels, names=None, **attrs):
    with h5py.File(path, "w") as db:
        db.attrs.update({"complete": True, "data_key": "images", **attrs})
        db.create_dataset("images", data=images)
        db.create_dataset("labels", data=labels)
        if names is not None:
            db.create_dataset("label_names", data=names)
    return path


def test_row_counts_that_disagree_are_dataset_errors(tmp_path):
    images = np.zeros((5, 4, 4, 3), np.uint8)
    short = _marked_file(tmp_path / "short.hdf5", images, np.zeros(4, int), ["a"])
    with pytest.raises(DatasetError, match="row counts disagree: 5 images, 4 labels"):
        check_complete(short)
    attr = _marked_file(tmp_path / "attr.hdf5", images, np.zeros(5, int), ["a"], rows=7)
    with pytest.raises(DatasetError, match="7 the rows attribute"):
        open_hdf5_dataset(attr)


def test_a_builds_images_must_be_uint8_and_names_strings(tmp_path):
    floats = _marked_file(tmp_path / "floats.hdf5", np.zeros((2, 4, 4, 3), np.float32),
                          [0, 1], ["a", "b"], channel_order="RGB")
    with pytest.raises(DatasetError, match="must be uint8. Received images of dtype float32"):
        check_complete(floats)
    numbers = _marked_file(tmp_path / "numbers.hdf5", np.zeros((2, 4, 4, 3), np.uint8),
                           [0, 1], [0.5, 1.5])
    with open_hdf5_dataset(numbers) as db:
        with pytest.raises(DatasetError, match="label_names must be a list of strings"):
            read_label_names(db)


def _features_file(path, rows, labels, names=("a", "b")):
    with HDF5DatasetWriter(rows.shape, path, data_key="features") as writer:
        writer.storeClassLabels(list(names))
        writer.add(rows, labels)
    return path


def test_read_features_checks_values_labels_and_shape(tmp_path):
    from pyimagesearch.features import read_features

    rng = np.random.default_rng(0)
    good = _features_file(tmp_path / "good.hdf5", rng.normal(size=(8, 3)), np.arange(8) % 2)
    split = read_features(good, 0.75)
    assert split.train_x.shape == (6, 3) and split.test_y.shape == (2,)
    assert split.class_names == ["a", "b"]
    with pytest.raises(ValueError, match="Received: train_fraction=1.0"):
        read_features(good, 1.0)
    three = _features_file(tmp_path / "three.hdf5", rng.normal(size=(8, 3)), np.arange(8) % 3)
    with pytest.raises(DatasetError, match=r"labels lie in \[0, 2\] but it names 2 classes"):
        read_features(three, 0.75)
    nan = _marked_file(tmp_path / "nan.hdf5", np.full((8, 3), np.nan), np.arange(8) % 2,
                       ["a", "b"], data_key="features")
    with h5py.File(nan, "a") as db:  # a file written by hand, not by the writer
        db["features"] = db.pop("images")
    with pytest.raises(DatasetError, match="NaN or infinite"):
        read_features(nan, 0.75)
    cube = _features_file(tmp_path / "cube.hdf5", np.zeros((8, 2, 2)), np.arange(8) % 2)
    with pytest.raises(DatasetError, match="must be 2-D"):
        read_features(cube, 0.75)
    one = _features_file(tmp_path / "one.hdf5", rng.normal(size=(8, 3)), [0] * 6 + [1] * 2)
    with pytest.raises(DatasetError, match="hold one class"):
        read_features(one, 0.75)
