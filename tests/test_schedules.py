"""`pyimagesearch.utils.schedules`: Keras 2's decay, step and polynomial decay."""

import math
import re

import cv2
import numpy as np
import pytest




# -- learning-rate schedules ------------------------------------------------------
def test_keras2_decay_matches_the_keras2_formula():
    import keras

    from pyimagesearch.utils.schedules import keras2_decay

    decay = 0.01 / 40
    schedule = keras2_decay(0.01, decay)
    for step in range(0, 50):
        assert float(schedule(step)) == pytest.approx(0.01 / (1 + decay * step), rel=1e-6)

    # a model trained k steps runs at lr0 / (1 + decay * k)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    optimizer = keras.optimizers.SGD(learning_rate=keras2_decay(0.01, 0.05), momentum=0.9,
                                     nesterov=True)
    model.compile(loss="categorical_crossentropy", optimizer=optimizer)
    x = np.random.default_rng(0).normal(size=(28, 4)).astype("float32")
    y = keras.utils.to_categorical(np.arange(28) % 2, 2)
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)  # 2 x 7 = 14 steps
    assert int(optimizer.iterations.numpy()) == 14
    current = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    assert current == pytest.approx(0.01 / (1 + 0.05 * 14), rel=1e-6)


@pytest.mark.parametrize("args, message", [
    ((0, 0.1), "initial_learning_rate=0"),
    ((0.01, -1), "decay=-1"),
    ((0.01, "x"), "decay='x'"),
])
def test_keras2_decay_checks_its_arguments(args, message):
    from pyimagesearch.utils.schedules import keras2_decay

    with pytest.raises(ValueError, match=re.escape(message)):
        keras2_decay(*args)


def test_step_decay_follows_the_diary():
    from pyimagesearch.utils.schedules import StepDecay

    schedule = StepDecay(init_alpha=0.01, factor=0.25, drop_every=5)
    expected = [0.01] * 4 + [0.0025] * 5 + [0.000625] * 2  # epochs 0-3, 4-8, 9-10
    assert [schedule(e) for e in range(11)] == pytest.approx(expected)
    assert schedule(12, 0.5) == pytest.approx(0.000625)  # LearningRateScheduler's call
    for epoch in range(40):
        assert schedule(epoch) == pytest.approx(0.01 * 0.25 ** math.floor((1 + epoch) / 5))


def test_polynomial_decay():
    from pyimagesearch.utils.schedules import PolynomialDecay

    linear = PolynomialDecay(max_epochs=10, init_alpha=0.01, power=1.0)
    assert [linear(e) for e in (0, 5, 9, 10, 12)] == pytest.approx([0.01, 0.005, 0.001, 0, 0])
    square = PolynomialDecay(max_epochs=70, init_alpha=5e-3, power=2.0)
    assert square(35) == pytest.approx(5e-3 * 0.25)


@pytest.mark.parametrize("make, message", [
    (lambda S, P: S(init_alpha=-0.1), "init_alpha=-0.1"),
    (lambda S, P: S(factor=0), "factor=0"),
    (lambda S, P: S(drop_every=0), "drop_every=0"),
    (lambda S, P: S(drop_every=2.5), "drop_every=2.5"),
    (lambda S, P: P(max_epochs=0), "max_epochs=0"),
    (lambda S, P: P(power=-1), "power=-1"),
    (lambda S, P: S()(-1), "epoch=-1"),
    (lambda S, P: S().plot("x.png", 0), "epochs=0"),
])
def test_schedules_check_their_arguments(make, message):
    from pyimagesearch.utils.schedules import PolynomialDecay, StepDecay

    with pytest.raises(ValueError, match=re.escape(message)):
        make(StepDecay, PolynomialDecay)


def test_schedules_drive_keras_and_plot(tmp_path):
    import keras

    from pyimagesearch.utils.schedules import StepDecay

    schedule = StepDecay(init_alpha=0.1, factor=0.5, drop_every=1)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=0.1))
    history = model.fit(np.zeros((4, 3)), np.zeros((4, 1)), epochs=3, verbose=0,
                        callbacks=[keras.callbacks.LearningRateScheduler(schedule)])
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.025, 0.0125])
    fig = schedule.plot(tmp_path / "schedule.png", 10)
    assert cv2.imread(str(tmp_path / "schedule.png")) is not None
    assert [p.name for p in tmp_path.iterdir()] == ["schedule.png"]
    assert [len(line.get_xdata()) for line in fig.axes[0].get_lines()] == [10]
    assert schedule.plot(None, 3).axes[0].get_ylabel() == "learning rate"  # nothing saved
    # 0.1 halved each epoch spans decades in 10 epochs: a log axis; 3 epochs stay linear
    assert fig.axes[0].get_yscale() == "log"
    assert schedule.plot(None, 3).axes[0].get_yscale() == "linear"
