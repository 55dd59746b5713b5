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
    with pytest.raises(ValueError, match="differ in length"):
        split_labelled(data, labels[:3])
