"""recompute_batch_norm_statistics: the moving statistics of averaged weights."""

import numpy as np
import pytest

from pyimagesearch.utils.batchnorm import batch_norm_layers, recompute_batch_norm_statistics


def small_model():
    import keras

    inputs = keras.Input((4, 4, 2))
    x = keras.layers.BatchNormalization(name="bn_in")(inputs)
    x = keras.layers.Conv2D(3, 1, use_bias=False, name="conv",
                            kernel_initializer="ones")(x)
    inner = keras.Sequential([keras.Input((4, 4, 3)),
                              keras.layers.BatchNormalization(name="bn_inner")], name="inner")
    x = inner(x)
    outputs = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    return keras.Model(inputs, outputs)


def test_moving_statistics_become_the_average_over_the_data():
    rng = np.random.default_rng(0)
    x = (rng.normal(3.0, 2.0, (12, 4, 4, 2))).astype("float32")
    model = small_model()
    layers = batch_norm_layers(model)
    assert [layer.name for layer in layers] == ["bn_in", "bn_inner"]
    momenta = [layer.momentum for layer in layers]
    before = [w.numpy().copy() for w in model.trainable_weights]

    assert recompute_batch_norm_statistics(model, x, batch_size=4) == 2

    # equal batches: the average of the batch means is the mean over the data
    bn_in = layers[0]
    np.testing.assert_allclose(bn_in.moving_mean.numpy(), x.mean(axis=(0, 1, 2)), rtol=1e-5)
    batch_vars = [x[i:i + 4].var(axis=(0, 1, 2)) for i in (0, 4, 8)]
    np.testing.assert_allclose(bn_in.moving_variance.numpy(), np.mean(batch_vars, axis=0),
                               rtol=1e-4)
    # the nested layer saw the conv of the normalised batch (ones kernel: the
    # channel sum of each normalised pixel, whose batch mean is 0)
    np.testing.assert_allclose(layers[1].moving_mean.numpy(), 0.0, atol=1e-5)
    assert np.all(layers[1].moving_variance.numpy() > 1.0)
    # nothing else changed, and the momenta are restored
    for w, old in zip(model.trainable_weights, before):
        np.testing.assert_array_equal(w.numpy(), old)
    assert [layer.momentum for layer in layers] == momenta


def test_batches_of_a_dataset_with_targets():
    import tensorflow as tf

    x = np.arange(2 * 16 * 2, dtype="float32").reshape(2, 4, 4, 2)
    data = tf.data.Dataset.from_tensor_slices((x, np.zeros(2))).batch(1)
    model = small_model()
    recompute_batch_norm_statistics(model, data)
    np.testing.assert_allclose(batch_norm_layers(model)[0].moving_mean.numpy(),
                               x.mean(axis=(0, 1, 2)), rtol=1e-5)


def test_bad_input():
    import keras

    model = small_model()
    with pytest.raises(ValueError, match="`data` is empty"):
        recompute_batch_norm_statistics(model, np.zeros((0, 4, 4, 2), "float32"))
    with pytest.raises(ValueError, match="yielded no batch"):
        recompute_batch_norm_statistics(model, iter([]))
    with pytest.raises(ValueError, match=r"`batch_size` must be an integer >= 1. Received: "):
        recompute_batch_norm_statistics(model, np.zeros((2, 4, 4, 2), "float32"), batch_size=0)
    plain = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert recompute_batch_norm_statistics(plain, np.zeros((2, 3), "float32")) == 0


def test_predict_with_flips_averages_an_image_and_its_mirror():
    import keras

    from pyimagesearch.utils.tta import predict_with_flips

    # a "model" that answers with the mean of the left half of the image vs
    # the right half: mirroring swaps the two, so the average is 50/50
    inputs = keras.Input((2, 4, 1))
    left = keras.layers.Lambda(lambda t: keras.ops.mean(t[:, :, :2, :], axis=(1, 2)))(inputs)
    right = keras.layers.Lambda(lambda t: keras.ops.mean(t[:, :, 2:, :], axis=(1, 2)))(inputs)
    model = keras.Model(inputs, keras.layers.Concatenate()([left, right]))
    x = np.zeros((3, 2, 4, 1), "float32")
    x[:, :, :2] = 1.0  # bright left half
    np.testing.assert_allclose(model.predict(x, verbose=0), [[1.0, 0.0]] * 3)
    np.testing.assert_allclose(predict_with_flips(model, x, batch_size=2), [[0.5, 0.5]] * 3)
    # predictions already at hand are used as they are: only the mirror is run
    given = np.array([[0.0, 0.0]] * 3)
    np.testing.assert_allclose(predict_with_flips(model, x, predictions=given), [[0.0, 0.5]] * 3)
    with pytest.raises(ValueError, match="one row per image"):
        predict_with_flips(model, x, predictions=given[:2])
    with pytest.raises(ValueError, match="4-D batch"):
        predict_with_flips(model, x[0])
