"""HDF5DatasetGenerator and the mean-subtraction layer, on tiny generated HDF5 files."""

import pickle

import h5py
import keras
import numpy as np
import pytest

from pyimagesearch.errors import DatasetError
from pyimagesearch.io import HDF5DatasetGenerator, HDF5DatasetWriter
from pyimagesearch.preprocessing import load_means, mean_subtraction_layer

H, W, N = 12, 10, 23


@pytest.fixture
def coords_db(tmp_path):
    """23 images whose pixels say where they are: R = row, G = column, B = image index."""
    path = tmp_path / "coords.hdf5"
    rows, cols = np.meshgrid(np.arange(H), np.arange(W), indexing="ij")
    with HDF5DatasetWriter((N, H, W, 3), path, buf_size=7) as writer:
        writer.storeClassLabels(["cat", "dog"])
        for i in range(N):
            image = np.stack([rows, cols, np.full((H, W), i)], axis=-1).astype(np.uint8)
            writer.add(image, [i % 2])
    return path


def image_ids(images):
    return images[:, 0, 0, 2].astype(int).tolist()


def test_batches_shape_dtype_and_one_hot_labels(coords_db):
    gen = HDF5DatasetGenerator(coords_db, 5, crop=8, seed=0)
    assert isinstance(gen, keras.utils.PyDataset)
    assert len(gen) == 5 and gen.num_images == gen.numImages == N
    images, labels = gen[0]
    assert images.shape == (5, 8, 8, 3) and images.dtype == np.uint8
    assert labels.shape == (5, 2) and labels.dtype == np.float32
    # two columns for two classes (LabelBinarizer would give one)
    ids = image_ids(images)
    np.testing.assert_array_equal(labels, np.eye(2)[[i % 2 for i in ids]])
    ints = HDF5DatasetGenerator(coords_db, 5, binarize=False, seed=0)[0][1]
    assert ints.dtype.kind == "i" and ints.tolist() == [i % 2 for i in image_ids(gen[0][0])]


def test_every_image_once_per_epoch_and_the_order_changes(coords_db):
    gen = HDF5DatasetGenerator(coords_db, 5, crop=8, seed=3)
    sizes, orders = [], []
    for _ in range(3):
        epoch = [gen[i] for i in range(len(gen))]
        ids = [i for (images, _) in epoch for i in image_ids(images)]
        assert sorted(ids) == list(range(N))  # each image exactly once
        sizes.append(sorted(len(images) for (images, _) in epoch))
        orders.append(ids)
        gen.on_epoch_end()
    # the last, partial batch (23 = 4 x 5 + 3) is served too
    assert sizes[0] == [3, 5, 5, 5, 5]
    assert len({tuple(o) for o in orders}) > 1  # reshuffled between epochs
    # batches are contiguous rows of the file: within a batch ids are consecutive
    for (images, _) in (gen[i] for i in range(len(gen))):
        ids = image_ids(images)
        assert ids == list(range(ids[0], ids[0] + len(ids)))
    # without shuffling: the file's order, every epoch
    plain = HDF5DatasetGenerator(coords_db, 5, shuffle=False)
    for _ in range(2):
        assert [i for k in range(len(plain)) for i in image_ids(plain[k][0])] == list(range(N))
        plain.on_epoch_end()


def test_random_crops_are_windows_inside_the_image(coords_db):
    gen = HDF5DatasetGenerator(coords_db, 4, crop=(7, 6), seed=1)
    corners = set()
    for _ in range(4):
        for k in range(len(gen)):
            images, _ = gen[k]
            assert images.shape[1:] == (7, 6, 3)
            y0, x0 = int(images[0, 0, 0, 0]), int(images[0, 0, 0, 1])
            assert 0 <= y0 <= H - 7 and 0 <= x0 <= W - 6
            # one window for the whole batch, a true slice of every image
            np.testing.assert_array_equal(images[..., 0], np.arange(y0, y0 + 7)[None, :, None]
                                          .repeat(len(images), 0).repeat(6, 2))
            np.testing.assert_array_equal(images[..., 1], np.arange(x0, x0 + 6)[None, None, :]
                                          .repeat(len(images), 0).repeat(7, 1))
            corners.add((y0, x0))
        gen.on_epoch_end()
    assert len(corners) > 3  # new windows batch after batch
    # the same seed gives the same windows
    again = HDF5DatasetGenerator(coords_db, 4, crop=(7, 6), seed=1)
    np.testing.assert_array_equal(again[2][0], HDF5DatasetGenerator(coords_db, 4, crop=(7, 6),
                                                                    seed=1)[2][0])


def test_center_crop_resize_and_flip(coords_db):
    center = HDF5DatasetGenerator(coords_db, 5, crop=8, crop_mode="center", shuffle=False)
    images, _ = center[4]
    assert images.shape == (3, 8, 8, 3)
    assert images[0, 0, 0, :2].tolist() == [(H - 8) // 2, (W - 8) // 2]
    resized = HDF5DatasetGenerator(coords_db, 5, crop=(6, 5), crop_mode="resize",
                                   shuffle=False)[0][0]
    assert resized.shape == (5, 6, 5, 3) and resized.dtype == np.uint8

    flipped = HDF5DatasetGenerator(coords_db, N, flip=True, seed=0, shuffle=False)[0][0]
    plain = HDF5DatasetGenerator(coords_db, N, shuffle=False)[0][0]
    mirrored = [bool((f == p[:, ::-1]).all()) for f, p in zip(flipped, plain)]
    kept = [bool((f == p).all()) for f, p in zip(flipped, plain)]
    assert all(m != k for m, k in zip(mirrored, kept))  # each image mirrored or untouched
    assert 0 < sum(mirrored) < N


def test_mean_aug_and_preprocessors(coords_db):
    means = {"R": 1.0, "G": 2.0, "B": 3.5}
    gen = HDF5DatasetGenerator(coords_db, 5, mean=means, shuffle=False)
    plain = HDF5DatasetGenerator(coords_db, 5, shuffle=False)
    images = gen[1][0]
    assert images.dtype == np.float32
    np.testing.assert_allclose(images, plain[1][0].astype(np.float32) - [1.0, 2.0, 3.5])

    class Double:
        def preprocess(self, image):
            return image.astype("float32") * 2

    doubled = HDF5DatasetGenerator(coords_db, 5, preprocessors=[Double()], shuffle=False)[1][0]
    np.testing.assert_allclose(doubled, plain[1][0] * 2.0)

    aug = keras.Sequential([keras.layers.RandomTranslation(0.2, 0.2, seed=1)])
    out = HDF5DatasetGenerator(coords_db, 5, aug=aug, seed=0, crop=8)[0][0]
    assert out.shape == (5, 8, 8, 3) and out.dtype == np.float32


def test_generator_passes_and_model_fit(coords_db):
    gen = HDF5DatasetGenerator(coords_db, 5, crop=8, seed=0)
    batches = list(gen.generator(passes=2))
    assert len(batches) == 10 and gen.epoch == 2
    ids = [i for images, _ in batches[:5] for i in image_ids(images)]
    assert sorted(ids) == list(range(N))

    inputs = keras.Input((8, 8, 3))
    x = mean_subtraction_layer([5.0, 5.0, 5.0])(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x))
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    history = model.fit(gen, epochs=2, verbose=0)  # uint8 batches straight into the model
    assert len(history.history["loss"]) == 2
    assert model.predict(HDF5DatasetGenerator(coords_db, 5, crop=8, crop_mode="center",
                                              shuffle=False), verbose=0).shape == (N, 2)


def test_pickles_without_an_open_handle(coords_db):
    gen = HDF5DatasetGenerator(coords_db, 5, crop=8, seed=2)
    first = gen[1][0]  # opens the file
    assert gen._db is not None
    clone = pickle.loads(pickle.dumps(gen))
    assert clone._db is None
    np.testing.assert_array_equal(clone[1][0], first)
    gen.close()
    np.testing.assert_array_equal(gen[1][0], first)  # reopened on demand


def test_channels_first(coords_db):
    keras.config.set_image_data_format("channels_first")
    try:
        images, _ = HDF5DatasetGenerator(coords_db, 5, crop=8, seed=0)[0]
    finally:
        keras.config.set_image_data_format("channels_last")
    assert images.shape == (5, 3, 8, 8)


def test_refuses_incomplete_files_and_bad_arguments(coords_db, tmp_path):
    partial = tmp_path / "partial.hdf5"
    writer = HDF5DatasetWriter((10, H, W, 3), partial)
    writer.storeClassLabels(["cat", "dog"])
    writer.add(np.zeros((4, H, W, 3), np.uint8), [0, 1, 0, 1])
    writer.flush()
    writer.db.close()  # killed before close()
    with pytest.raises(DatasetError, match="incomplete"):
        HDF5DatasetGenerator(partial, 2)
    with pytest.raises(DatasetError, match="no such HDF5 file"):
        HDF5DatasetGenerator(tmp_path / "missing.hdf5", 2)
    with pytest.raises(DatasetError, match="labels lie in \\[0, 2\\] but classes=2"):
        HDF5DatasetGenerator(_three_classes(tmp_path), 2)
    for kwargs, message in ((dict(batch_size=0), "batch_size"),
                            (dict(batch_size=2, classes=1), "classes"),
                            (dict(batch_size=2, crop=13), "fit in the images"),
                            (dict(batch_size=2, crop=(0, 4)), "crop"),
                            (dict(batch_size=2, crop_mode="corner"), "crop_mode"),
                            (dict(batch_size=2, preprocessors=[object()]), "preprocess"),
                            (dict(batch_size=2, mean={"R": 1}), "R"),
                            (dict(batch_size=2, seed=-1), "seed")):
        with pytest.raises(ValueError, match=message):
            HDF5DatasetGenerator(coords_db, **kwargs)
    gen = HDF5DatasetGenerator(coords_db, 5)
    with pytest.raises(IndexError):
        gen[5]


def _three_classes(tmp_path):
    """A file with labels 0, 1 and 2 (too many for a two-class generator)."""
    path = tmp_path / "three.hdf5"
    with HDF5DatasetWriter((3, H, W, 3), path) as writer:
        writer.storeClassLabels(["a", "b", "c"])
        writer.add(np.zeros((3, H, W, 3), np.uint8), [0, 1, 2])
    return path


def test_mean_layer_subtracts_rgb_means(tmp_path):
    path = tmp_path / "mean.json"
    path.write_text('{"R": 100.5, "G": 50.0, "B": 25.0}')
    assert load_means(path) == (100.5, 50.0, 25.0)
    assert load_means([1, 2, 3]) == (1.0, 2.0, 3.0)
    layer = mean_subtraction_layer(path)
    x = np.full((2, 3, 3, 3), 200, np.uint8)
    np.testing.assert_allclose(np.asarray(layer(x)), np.broadcast_to([99.5, 150.0, 175.0],
                                                                     (2, 3, 3, 3)))
    # it is saved with the model
    inputs = keras.Input((3, 3, 3))
    model = keras.Model(inputs, layer(inputs))
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    first = mean_subtraction_layer([1, 2, 3], data_format="channels_first", name="m")
    assert first.axis == (1,) or first.axis in (1, [1])
    for bad in ({"R": 1, "G": 2}, [1, 2], [1, 2, float("nan")], "nope.json", 5):
        with pytest.raises(ValueError):
            load_means(bad)


# -- the book's semantics, files and names --------------------------------------
def test_the_books_generator_reads_in_file_order(coords_db):
    # the book predicts over generator(passes=1) and compares with db["labels"]:
    # a shuffled generator silently misaligns them
    gen = HDF5DatasetGenerator(coords_db, 5, seed=0, binarize=False)
    assert gen.shuffle  # the PyDataset shuffles for fit...
    batches = list(gen.generator(passes=1))
    assert [i for images, _ in batches for i in image_ids(images)] == list(range(N))
    labels = np.concatenate([labels for _, labels in batches])
    np.testing.assert_array_equal(labels, gen.db["labels"][:])
    # ... and generator(shuffle=True) gives the PyDataset's order
    gen.epoch = 0
    gen._order = gen._draw_order()
    pydataset = [image_ids(gen[i][0]) for i in range(len(gen))]
    shuffled = [image_ids(images) for images, _ in gen.generator(passes=1, shuffle=True)]
    assert shuffled == pydataset and sum(shuffled, []) != list(range(N))


def test_predictions_over_the_generator_line_up_with_db_labels(coords_db):
    # a model whose output says which image it saw (its blue value)
    inputs = keras.Input((H, W, 3))
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Lambda(lambda t: t[..., 2:])(inputs))
    model = keras.Model(inputs, x)
    gen = HDF5DatasetGenerator(coords_db, 4, seed=1)
    preds = model.predict(gen.generator(), steps=gen.numImages // gen.batchSize, verbose=0)
    np.testing.assert_array_equal(preds.ravel(), np.arange(20))  # 5 full batches
    gen.close()


def test_the_books_names_and_no_num_batches(coords_db):
    gen = HDF5DatasetGenerator(dbPath=coords_db, batchSize=5, dataKey="images")
    assert (gen.batchSize, gen.numImages, len(gen)) == (5, N, 5)
    assert isinstance(gen.db, h5py.File) and gen.db["labels"].shape == (N,)
    assert "num_batches" not in HDF5DatasetGenerator.__dict__
    with pytest.raises(TypeError, match="batchSize.*batch_size"):
        HDF5DatasetGenerator(coords_db, 5, batchSize=5)
    with pytest.raises(TypeError, match="dbPath.*db_path"):
        HDF5DatasetGenerator(coords_db, dbPath=coords_db, batch_size=5)
    gen.close()


def test_labels_outside_classes_only_matter_for_one_hot(tmp_path):
    # the book's super-resolution inputs carry no classes: every label is -1
    path = tmp_path / "sr.hdf5"
    with HDF5DatasetWriter((6, H, W, 3), path) as writer:
        writer.add(np.zeros((6, H, W, 3), np.uint8), [-1] * 6)
    with pytest.warns(UserWarning, match="no label_names"):
        gen = HDF5DatasetGenerator(path, 4, binarize=False)
    assert next(gen.generator())[1].tolist() == [-1] * 4
    with pytest.warns(UserWarning), pytest.raises(DatasetError, match=r"\[-1, -1\].*binarize"):
        HDF5DatasetGenerator(path, 4)


def test_files_of_the_books_writer_are_read(tmp_path):
    path = tmp_path / "book.hdf5"
    with h5py.File(path, "w") as db:  # float64 images, no marks, no names
        db.create_dataset("images", data=np.ones((5, H, W, 3)))
        db.create_dataset("labels", data=np.array([0, 1, 0, 1, 1]))
    with pytest.warns(UserWarning, match="no completion mark and no label_names"):
        gen = HDF5DatasetGenerator(path, 2, classes=2)
    images, labels = next(gen.generator(passes=1))
    assert images.shape == (2, H, W, 3) and labels.tolist() == [[1, 0], [0, 1]]


def test_an_empty_file_or_non_images_are_dataset_errors(tmp_path):
    empty = tmp_path / "empty.hdf5"
    with HDF5DatasetWriter((4, H, W, 3), empty) as writer:
        writer.storeClassLabels(["cat", "dog"])
    with pytest.raises(DatasetError, match="holds 0 images"):
        HDF5DatasetGenerator(empty, 2)
    flat = tmp_path / "flat.hdf5"
    with HDF5DatasetWriter((4, 6), flat, data_key="features") as writer:
        writer.storeClassLabels(["cat", "dog"])
        writer.add(np.zeros((4, 6)), [0, 1, 0, 1])
    with pytest.raises(DatasetError, match=r"must hold images \(N, H, W, C\)"):
        HDF5DatasetGenerator(flat, 2)
    for kwargs in (dict(shuffle="False"), dict(flip=1), dict(binarize="yes")):
        with pytest.raises(ValueError, match="must be True or False"):
            HDF5DatasetGenerator(flat, 2, **kwargs)
