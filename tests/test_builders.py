"""Every architecture builder: shapes, data formats, names, save and reload."""

import keras
import numpy as np
import pytest

from pyimagesearch.nn.conv import AlexNet, FCHeadNet, LeNet, MiniGoogLeNet, MiniVGGNet, ShallowNet


def _fchead(width, height, depth, classes):
    # a tiny headless base with the book's FC head on top
    shape = ((depth, height, width) if keras.config.image_data_format() == "channels_first"
             else (height, width, depth))
    inputs = keras.Input(shape)
    x = keras.layers.Conv2D(4, 3, name="base_conv")(inputs)
    base = keras.Model(inputs, x, name="base")
    return keras.Model(base.input, FCHeadNet.build(base, classes, 8), name="fchead")


# every builder at a tiny size: (builder, width, height, depth)
ARCHITECTURES = {
    "shallownet": (ShallowNet.build, 16, 12, 3),
    "lenet": (LeNet.build, 16, 12, 1),
    "minivggnet": (MiniVGGNet.build, 16, 12, 3),
    "alexnet": (lambda w, h, d, c: AlexNet.build(w, h, d, c, fc_units=16), 57, 57, 3),
    "fcheadnet": (_fchead, 12, 12, 3),
    "minigooglenet": (MiniGoogLeNet.build, 32, 32, 3),
}

BUILDERS = {
    "shallownet": lambda *a: ShallowNet.build(*a),
    "lenet": lambda *a: LeNet.build(*a),
    "minivggnet": lambda *a: MiniVGGNet.build(*a),
    "minivggnet_nobn": lambda *a: MiniVGGNet.build(*a, batch_norm=False),
}


@pytest.fixture
def channels_first():
    keras.config.set_image_data_format("channels_first")
    yield
    keras.config.set_image_data_format("channels_last")


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_channels_last_output_shape(name):
    model = BUILDERS[name](16, 12, 3, 5)
    assert model.input_shape == (None, 12, 16, 3)
    out = model.predict(np.zeros((2, 12, 16, 3), "float32"), verbose=0)
    assert out.shape == (2, 5)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
    assert len({layer.name for layer in model.layers}) == len(model.layers)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_channels_first_is_honoured(name, channels_first):
    # TF on CPU cannot run NCHW convolutions: check the graph, not a forward pass
    model = BUILDERS[name](16, 12, 1, 4)
    assert model.input_shape == (None, 1, 12, 16)
    assert model.output_shape == (None, 4)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization) and "conv" in layer.name:
            assert layer.axis in (1, [1])


def test_minivggnet_batch_norm_switch():
    with_bn = MiniVGGNet.build(32, 32, 3, 10)
    without = MiniVGGNet.build(32, 32, 3, 10, batch_norm=False)
    count = lambda m: sum(isinstance(l, keras.layers.BatchNormalization) for l in m.layers)  # noqa: E731
    assert (count(with_bn), count(without)) == (5, 0)
    assert [l.axis for l in with_bn.layers if isinstance(l, keras.layers.BatchNormalization)][0] in (-1, 3, [3], [-1])


def test_lenet_layers_match_the_book():
    model = LeNet.build(28, 28, 1, 10)
    convs = [l for l in model.layers if isinstance(l, keras.layers.Conv2D)]
    assert [(c.filters, c.kernel_size, c.padding) for c in convs] == [
        (20, (5, 5), "same"), (50, (5, 5), "same")]
    assert model.get_layer("fc1").units == 500
    assert model.count_params() == 1_256_080


@pytest.fixture
def bfloat16_policy():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    yield
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_every_builder_outputs_float32_under_mixed_bfloat16(name, bfloat16_policy):
    build, width, height, depth = ARCHITECTURES[name]
    model = build(width, height, 3, 4)
    assert model.layers[-1].dtype_policy.compute_dtype == "float32"  # the softmax
    hidden = [l for l in model.layers if isinstance(l, keras.layers.Conv2D)]
    assert hidden and all(l.compute_dtype == "bfloat16" for l in hidden)
    out = model(np.zeros((2, *model.input_shape[1:]), "float32"), training=False)
    assert out.dtype == "float32" and tuple(out.shape) == (2, model.output_shape[-1])
    np.testing.assert_allclose(np.asarray(out).sum(axis=1), 1.0, rtol=1e-5)


def test_loss_scaling_where_float16_needs_it():
    # Keras 3's compile wraps the optimizer in a LossScaleOptimizer under
    # mixed_float16 (float16 gradients underflow); bfloat16 has float32's
    # range and needs none
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = ShallowNet.build(8, 8, 3, 3)
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="categorical_crossentropy")
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = ShallowNet.build(8, 8, 3, 3)
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="categorical_crossentropy")
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert not isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)


def test_softmax_stays_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = ShallowNet.build(8, 8, 3, 3)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert model.get_layer("predictions").dtype_policy.compute_dtype == "float32"


@pytest.mark.parametrize("kwargs, match", [
    (dict(width=0, height=8, depth=3, classes=3), "width"),
    (dict(width=8, height=8.5, depth=3, classes=3), "height"),
    (dict(width=8, height=8, depth=3, classes=1), "classes"),
])
def test_bad_arguments_name_what_was_received(kwargs, match):
    with pytest.raises(ValueError, match=f"Received: {match}"):
        LeNet.build(**kwargs)
    with pytest.raises(ValueError, match="batch_norm"):
        MiniVGGNet.build(8, 8, 3, 3, batch_norm="yes")


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_every_architecture_builds_saves_and_reloads(name, data_format, tmp_path):
    """Build at a tiny size in both data formats; the `.keras` file reloads the same model.

    TensorFlow on CPU runs no channels_first convolution: in that format the
    reloaded model is compared by its configuration and weights, in
    channels_last also by its predictions.
    """
    build, width, height, depth = ARCHITECTURES[name]
    keras.config.set_image_data_format(data_format)
    try:
        keras.utils.set_random_seed(0)
        model = build(width, height, depth, 3)
        shape = (depth, height, width) if data_format == "channels_first" else (height, width, depth)
        assert model.input_shape == (None, *shape)
        assert model.output_shape == (None, 3)
        assert len({layer.name for layer in model.layers}) == len(model.layers)
        assert model.layers[-1].dtype_policy.compute_dtype == "float32"
        model.save(tmp_path / f"{name}.keras")
        again = keras.saving.load_model(tmp_path / f"{name}.keras")
        assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
        for a, b in zip(model.get_weights(), again.get_weights()):
            np.testing.assert_array_equal(a, b)
        if data_format == "channels_last":
            x = np.random.default_rng(0).uniform(0, 1, (2, *shape)).astype("float32")
            np.testing.assert_allclose(model.predict(x, verbose=0), again.predict(x, verbose=0),
                                       rtol=1e-6, atol=1e-6)
    finally:
        keras.config.set_image_data_format("channels_last")
