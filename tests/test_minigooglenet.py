"""MiniGoogLeNet (pyimagesearch.nn.conv.minigooglenet) and its per-pixel mean layer."""

import keras
import numpy as np
import pytest

from pyimagesearch.nn.conv import MiniGoogLeNet
from pyimagesearch.preprocessing import pixel_mean_layer

# STUDIES.md's plan: (filters of the 1x1, of the 3x3) per inception module,
# filters of the 3x3/2 convolution per downsample module
INCEPTIONS = {"inception2a": (32, 32), "inception2b": (32, 48), "inception3a": (112, 48),
              "inception3b": (96, 64), "inception3c": (80, 80), "inception3d": (48, 96),
              "inception4a": (176, 160), "inception4b": (176, 160)}
DOWNSAMPLES = {"downsample1": 80, "downsample2": 96}


def expected_convs():
    convs = {"block1_conv": (96, (3, 3), (1, 1), "same")}
    for name, (k1, k3) in INCEPTIONS.items():
        convs[f"{name}_1x1"] = (k1, (1, 1), (1, 1), "same")
        convs[f"{name}_3x3"] = (k3, (3, 3), (1, 1), "same")
    for name, k in DOWNSAMPLES.items():
        convs[f"{name}_3x3"] = (k, (3, 3), (2, 2), "valid")
    return convs


@pytest.fixture
def channels_first():
    keras.config.set_image_data_format("channels_first")
    yield
    keras.config.set_image_data_format("channels_last")


def check_structure(model, axis):
    layers = {layer.name: layer for layer in model.layers}
    assert len(layers) == len(model.layers)  # every name is unique
    convs = {n: (l.filters, l.kernel_size, l.strides, l.padding) for n, l in layers.items()
             if isinstance(l, keras.layers.Conv2D)}
    assert convs == expected_convs()
    # CONV => BN => RELU everywhere; BN and every concatenation on the channel axis
    for name in convs:
        assert layers[f"{name}_bn"].axis in (axis, [axis])
        assert layers[f"{name}_relu"].get_config()["activation"] == "relu"
    concats = [l for l in model.layers if isinstance(l, keras.layers.Concatenate)]
    assert len(concats) == len(INCEPTIONS) + len(DOWNSAMPLES)
    assert {c.axis for c in concats} == {axis}
    for name in DOWNSAMPLES:
        pool = layers[f"{name}_pool"]
        assert (pool.pool_size, pool.strides) == ((3, 3), (2, 2))
    assert layers["avg_pool"].pool_size == (7, 7)
    assert layers["dropout"].rate == 0.5
    assert layers["predictions_dense"].units == 10
    # the docstring's count: 1,656,250 weights, 1,652,826 of them trainable
    assert model.count_params() == 1_656_250
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 1_652_826


def test_channels_last_shape_params_and_layers():
    model = MiniGoogLeNet.build(width=32, height=32, depth=3, classes=10)
    assert model.input_shape == (None, 32, 32, 3)
    check_structure(model, axis=-1)
    assert model.get_layer("downsample1_concat").output.shape == (None, 15, 15, 160)
    assert model.get_layer("downsample2_concat").output.shape == (None, 7, 7, 240)
    assert model.get_layer("avg_pool").output.shape == (None, 1, 1, 336)
    out = model.predict(np.random.default_rng(0).random((2, 32, 32, 3), "float32"), verbose=0)
    assert out.shape == (2, 10)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


def test_channels_first_is_honoured(channels_first):
    # TF on CPU cannot run NCHW convolutions: check the graph, not a forward pass
    model = MiniGoogLeNet.build(32, 32, 3, 10)
    assert model.input_shape == (None, 3, 32, 32)
    assert model.output_shape == (None, 10)
    check_structure(model, axis=1)
    assert model.get_layer("avg_pool").output.shape == (None, 336, 1, 1)


def test_save_and_reload_give_equal_outputs(tmp_path):
    rng = np.random.default_rng(1)
    train = rng.integers(0, 256, (6, 32, 32, 3)).astype("float32")
    model = MiniGoogLeNet.build(32, 32, 3, 4, preprocessing=pixel_mean_layer(train))
    path = tmp_path / "minigooglenet.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)
    assert reloaded.name == "minigooglenet" and reloaded.output_shape == (None, 4)
    np.testing.assert_allclose(reloaded.get_layer("pixel_mean").mean.numpy()[0],
                               train.mean(axis=0), rtol=1e-6)
    x = rng.integers(0, 256, (3, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_softmax_stays_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = MiniGoogLeNet.build(32, 32, 3, 10)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert model.get_layer("predictions").dtype_policy.compute_dtype == "float32"
    assert model.get_layer("block1_conv").dtype_policy.compute_dtype == "float16"


def test_bad_arguments_name_what_was_received():
    with pytest.raises(ValueError, match="at least 31x31.*Received: width=30"):
        MiniGoogLeNet.build(30, 32, 3, 10)
    with pytest.raises(ValueError, match="Received: classes=1"):
        MiniGoogLeNet.build(32, 32, 3, 1)
    with pytest.raises(ValueError, match="preprocessing"):
        MiniGoogLeNet.build(32, 32, 3, 10, preprocessing=["not a layer"])


# -- the per-pixel mean layer ---------------------------------------------------
def test_pixel_mean_layer_subtracts_the_mean_image_of_what_it_is_given():
    rng = np.random.default_rng(2)
    train = rng.integers(0, 256, (5, 4, 6, 3), dtype=np.uint8)
    other = rng.integers(0, 256, (3, 4, 6, 3)).astype("float32")
    layer = pixel_mean_layer(train)
    mean = train.astype(np.float64).mean(axis=0)
    # one mean per pixel and channel, not per channel
    assert layer(other).shape == other.shape
    np.testing.assert_allclose(np.asarray(layer(other)), other - mean, rtol=1e-5, atol=1e-4)
    assert not np.allclose(mean, mean.mean(axis=(0, 1)))


def test_pixel_mean_layer_in_channels_first_layout():
    images = np.random.default_rng(3).random((4, 3, 5, 5)).astype("float32") * 255
    layer = pixel_mean_layer(images)
    np.testing.assert_allclose(np.asarray(layer(images)), images - images.mean(axis=0),
                               atol=1e-4)


@pytest.mark.parametrize("images, match", [
    (np.zeros((4, 4, 3)), "must have 4 dimensions"),
    (np.zeros((0, 4, 4, 3)), "non-empty"),
    (np.full((2, 4, 4, 3), np.nan), "only finite numbers"),
    (np.array([[[["a"]]]]), "numbers"),
])
def test_pixel_mean_layer_checks_its_images(images, match):
    with pytest.raises(ValueError, match=match):
        pixel_mean_layer(images)
