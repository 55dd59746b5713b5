import numpy as np
import pytest

from pyimagesearch.datasets import array_dataset
from pyimagesearch.preprocessing import build_augmentation


def test_augmentation_keeps_shape_and_range_and_changes_images():
    images = np.random.default_rng(0).uniform(0, 1, (4, 24, 24, 3)).astype("float32")
    aug = build_augmentation(seed=1)
    out = np.asarray(aug(images, training=True))
    assert out.shape == images.shape
    assert out.min() >= 0.0 and out.max() <= 1.0 + 1e-6
    assert not np.allclose(out, images)
    # outside training the layers are the identity
    np.testing.assert_allclose(np.asarray(aug(images, training=False)), images)


def test_flip_only_mirrors():
    image = np.arange(2 * 3 * 1, dtype="float32").reshape(1, 2, 3, 1)
    aug = build_augmentation(rotation=0, shift=0, shear=0, zoom=0, seed=3)
    outs = {np.asarray(aug(image, training=True)).tobytes() for _ in range(20)}
    assert outs == {image.tobytes(), image[:, :, ::-1].copy().tobytes()}
    assert [layer.name for layer in aug.layers] == ["flip"]


def test_book_parameters_map_to_layers():
    aug = build_augmentation()
    assert [layer.name for layer in aug.layers] == ["flip", "rotation", "shift", "shear", "zoom"]
    assert aug.get_layer("rotation").factor == (-30 / 360, 30 / 360)


@pytest.mark.parametrize("kwargs", [dict(rotation=-1), dict(shift=2), dict(zoom=1.5)])
def test_bad_parameters(kwargs):
    with pytest.raises(ValueError, match="Received"):
        build_augmentation(**kwargs)
    with pytest.raises(ValueError, match="switched off"):
        build_augmentation(rotation=0, shift=0, shear=0, zoom=0, horizontal_flip=False)


def test_array_dataset_batches_shuffles_and_augments():
    x = np.arange(10, dtype="float32").reshape(10, 1, 1, 1) * np.ones((1, 4, 4, 3), "float32")
    y = np.arange(10)
    plain = list(array_dataset(x, y, 4))
    assert [len(b[1]) for b in plain] == [4, 4, 2]
    assert np.concatenate([b[1] for b in plain]).tolist() == list(range(10))
    ds = array_dataset(x, y, 10, shuffle=True, seed=0)
    first, second = (next(iter(ds))[1].numpy().tolist() for _ in range(2))
    assert sorted(first) == list(range(10)) and first != second
    aug = build_augmentation(rotation=0, shift=0, shear=0, zoom=0, seed=0)
    images, labels = next(iter(array_dataset(x, y, 10, augmentation=aug)))
    # each constant image stays itself under a flip: labels still line up
    np.testing.assert_allclose(images.numpy()[:, 0, 0, 0], labels.numpy())
    with pytest.raises(ValueError, match="differ in length"):
        array_dataset(x, y[:3], 2)


def test_split_labelled_encodes_once_for_both_splits():
    from pyimagesearch.datasets import split_labelled

    labels = np.array(["dog", "cat", "panda"] * 8)
    data = np.arange(len(labels))
    train_x, test_x, train_y, test_y, names = split_labelled(data, labels, seed=42)
    assert names == ["cat", "dog", "panda"]
    assert (len(train_x), len(test_x)) == (18, 6)
    # every one-hot row names the label of its sample, in both splits
    for x, y in ((train_x, train_y), (test_x, test_y)):
        assert [names[i] for i in y.argmax(axis=1)] == list(labels[x])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):  # sklearn's check
        split_labelled(data, labels[:3])


SEEDED_TRAINING = """
import sys, numpy as np, keras
from pyimagesearch.datasets import array_dataset
from pyimagesearch.preprocessing import build_augmentation
keras.utils.set_random_seed(1)
rng = np.random.default_rng(0)
x = rng.random((96, 16, 16, 3)).astype("float32")
y = keras.utils.to_categorical(rng.integers(0, 2, 96), 2)
aug = build_augmentation(rotation=0, shift=0.2, shear=0, zoom=0, seed=int(sys.argv[2]))
ds = array_dataset(x, y, 8, augmentation=aug, shuffle=True, seed=int(sys.argv[2]))
model = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Conv2D(4, 3),
                          keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")])
model.compile("sgd", "categorical_crossentropy")
model.fit(ds, epochs=2, verbose=0)
np.save(sys.argv[1], np.concatenate([w.ravel() for w in model.get_weights()]))
"""


def test_seeded_trainings_with_augmentation_repeat_bit_for_bit(tmp_path):
    """Issue 23: the augmentation runs on tf.data's parallel calls (no --deterministic),
    yet two seeded runs in fresh processes end with the same weights; another seed differs."""
    import subprocess
    import sys

    from conftest import ROOT

    script = tmp_path / "train.py"
    script.write_text(SEEDED_TRAINING)
    weights = []
    for run, seed in enumerate((7, 7, 8)):
        subprocess.run([sys.executable, str(script), str(tmp_path / f"{run}.npy"), str(seed)],
                       cwd=ROOT, check=True, capture_output=True)
        weights.append(np.load(tmp_path / f"{run}.npy"))
    assert np.array_equal(weights[0], weights[1])
    assert not np.array_equal(weights[0], weights[2])


def test_each_epoch_and_batch_gets_new_augmentation_without_shuffle():
    images = np.random.default_rng(0).uniform(0, 1, (16, 12, 12, 3)).astype("float32")
    aug = build_augmentation(rotation=0, shift=0.3, shear=0, zoom=0, seed=2)
    ds = array_dataset(images, np.zeros(16), 8, augmentation=aug, seed=2)
    epochs = [np.concatenate([np.asarray(b) for b, _ in ds]) for _ in range(2)]
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.allclose(epochs[0], images)
    again = array_dataset(images, np.zeros(16), 8, augmentation=aug, seed=2)
    assert np.array_equal(np.concatenate([np.asarray(b) for b, _ in again]), epochs[0])
