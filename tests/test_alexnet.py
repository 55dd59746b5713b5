"""`pyimagesearch.nn.conv.AlexNet`: the DL4CV variant."""


import keras
import numpy as np
import pytest




# -- AlexNet ---------------------------------------------------------------------------------------
def test_alexnet_smallest_input_and_layers():
    from pyimagesearch.nn.conv import AlexNet
    from pyimagesearch.preprocessing import mean_subtraction_layer

    model = AlexNet.build(57, 57, 3, 2, fc_units=32,
                          preprocessing=mean_subtraction_layer([120.0, 110.0, 100.0]))
    assert model.input_shape == (None, 57, 57, 3) and model.output_shape == (None, 2)
    assert model.get_layer("block3_pool").output.shape[1:3] == (1, 1)
    assert model.layers[1].name == "mean_subtraction"
    out = model.predict(np.full((2, 57, 57, 3), 128, np.uint8), verbose=0)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
    assert len({layer.name for layer in model.layers}) == len(model.layers)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [(c.filters, c.kernel_size, c.strides, c.padding) for c in convs] == [
        (96, (11, 11), (4, 4), "same"), (256, (5, 5), (1, 1), "same"),
        (384, (3, 3), (1, 1), "same"), (384, (3, 3), (1, 1), "same"),
        (256, (3, 3), (1, 1), "same")]
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    for layer in convs + dense:
        assert layer.kernel_regularizer.get_config()["l2"] == pytest.approx(0.0002)
    bns = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(bns) == 7
    assert all(bn.momentum == pytest.approx(0.99) for bn in bns)  # Keras' default
    small_set = AlexNet.build(57, 57, 3, 2, fc_units=8, bn_momentum=0.9)
    assert all(layer.momentum == pytest.approx(0.9) for layer in small_set.layers
               if isinstance(layer, keras.layers.BatchNormalization))
    drops = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert drops == [0.25, 0.25, 0.25, 0.5, 0.5]
    assert model.get_layer("predictions").dtype_policy.compute_dtype == "float32"
    unregularised = AlexNet.build(57, 57, 3, 2, reg=0, fc_units=8)
    assert all(getattr(layer, "kernel_regularizer", None) is None
               for layer in unregularised.layers)


@pytest.mark.parametrize("kwargs, message", [
    (dict(width=56, height=57), "at least 57x57"),
    (dict(reg=-1.0), "`reg`"),
    (dict(reg=True), "`reg`"),
    (dict(classes=1), "classes"),
    (dict(fc_units=0), "fc_units"),
    (dict(bn_momentum=1.0), "bn_momentum"),
    (dict(bn_momentum="0.9"), "bn_momentum"),
    (dict(preprocessing=["not a layer"]), "preprocessing"),
])
def test_alexnet_bad_arguments(kwargs, message):
    from pyimagesearch.nn.conv import AlexNet

    args = dict(width=57, height=57, depth=3, classes=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        AlexNet.build(**args)


def test_alexnet_channels_first():
    from pyimagesearch.nn.conv import AlexNet

    keras.config.set_image_data_format("channels_first")
    try:
        model = AlexNet.build(60, 57, 3, 5, fc_units=8)
    finally:
        keras.config.set_image_data_format("channels_last")
    assert model.input_shape == (None, 3, 57, 60) and model.output_shape == (None, 5)
    assert all(layer.axis in (1, [1]) for layer in model.layers
               if isinstance(layer, keras.layers.BatchNormalization) and "conv" in layer.name)


@pytest.mark.slow
def test_alexnet_at_227_as_in_the_book():
    from pyimagesearch.nn.conv import AlexNet

    model = AlexNet.build(227, 227, 3, 2)
    assert model.get_layer("flatten").output.shape[1] == 6 * 6 * 256
    assert model.get_layer("fc1").kernel.shape == (9216, 4096)
    assert model.output_shape == (None, 2)
    assert model.count_params() == 58_327_810  # BN moving statistics included
