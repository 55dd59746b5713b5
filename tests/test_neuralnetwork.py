"""Tests of the from-scratch NumPy NeuralNetwork."""

import numpy as np
import pytest

from pyimagesearch.nn import NeuralNetwork

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=float)


def _numeric_gradients(nn, X, targets, h=1e-4):
    """Finite differences of calculate_loss w.r.t. every parameter.

    Uses the five-point central stencil, whose O(h^4) truncation error keeps
    even tiny gradient entries accurate to well below 1e-6 relative error.
    """

    def loss_at(param, index, value):
        param[index] = value
        return nn.calculate_loss(X, targets)

    grads = []
    for W, b in zip(nn.W, nn.b):
        pair = []
        for param in (W, b):
            numeric = np.zeros_like(param)
            for index in np.ndindex(param.shape):
                x = param[index]
                # Differences first, so that a parameter the loss ignores
                # (a dead ReLU) gets exactly 0, like its analytic gradient.
                near = loss_at(param, index, x + h) - loss_at(param, index, x - h)
                far = loss_at(param, index, x + 2 * h) - loss_at(
                    param, index, x - 2 * h
                )
                numeric[index] = (8 * near - far) / (12 * h)
                param[index] = x
            pair.append(numeric)
        grads.append(tuple(pair))
    return grads


def _max_relative_error(analytic, numeric):
    worst = 0.0
    for (dW, db), (nW, nb) in zip(analytic, numeric):
        for a, n in ((dW, nW), (db, nb)):
            denominator = np.maximum(np.abs(a) + np.abs(n), 1e-8)
            worst = max(worst, float(np.max(np.abs(a - n) / denominator)))
    return worst


@pytest.mark.parametrize(
    "hidden, output, loss",
    [
        ("sigmoid", "sigmoid", "mse"),
        ("relu", "softmax", "cross_entropy"),
        ("sigmoid", "sigmoid", "cross_entropy"),
        ("relu", "softmax", "mse"),
    ],
)
def test_gradients_match_finite_differences(hidden, output, loss):
    rng = np.random.default_rng(7)
    nn = NeuralNetwork(
        [3, 5, 4, 3],
        hidden_activation=hidden,
        output_activation=output,
        loss=loss,
        seed=3,
    )
    # Non-zero biases so that their gradients are exercised too.
    nn.b = [rng.normal(0, 0.5, b.shape) for b in nn.b]
    X = rng.normal(size=(6, 3))
    if output == "softmax":
        targets = rng.integers(0, 3, size=6)
    else:
        targets = rng.integers(0, 2, size=(6, 3)).astype(float)

    # ReLU is not differentiable at 0: make sure no hidden net input sits
    # within reach of the finite-difference step.
    Y = X.T
    for W, b in zip(nn.W[:-1], nn.b[:-1]):
        U = W @ Y + b
        assert np.min(np.abs(U)) > 1e-2
        Y = np.maximum(U, 0) if hidden == "relu" else 1 / (1 + np.exp(-U))

    analytic = nn.gradients(X, targets)
    assert [dW.shape for dW, _ in analytic] == [W.shape for W in nn.W]
    assert [db.shape for _, db in analytic] == [b.shape for b in nn.b]
    numeric = _numeric_gradients(nn, X, targets)
    assert _max_relative_error(analytic, numeric) < 1e-6


def test_learns_xor():
    nn = NeuralNetwork([2, 4, 1], alpha=0.5, seed=42)
    nn.fit(XOR_X, XOR_Y, epochs=5000, batch_size=None, verbose=0)
    np.testing.assert_array_equal(nn.predict(XOR_X).round().ravel(), [0, 1, 1, 0])
    # Full-batch descent with a small step: the loss goes down.
    loss = np.array(nn.history["loss"])
    assert len(loss) == 5000
    assert loss[-1] < 0.01 < loss[0]
    assert np.all(np.diff(loss) <= 1e-12)


def test_iris_relu_softmax_adagrad():
    datasets = pytest.importorskip("sklearn.datasets")
    model_selection = pytest.importorskip("sklearn.model_selection")
    iris = datasets.load_iris()
    X = (iris.data - iris.data.mean(axis=0)) / iris.data.std(axis=0)
    X_train, X_test, y_train, y_test = model_selection.train_test_split(
        X, iris.target, test_size=0.25, random_state=42, stratify=iris.target
    )
    nn = NeuralNetwork(
        [4, 8, 3],
        alpha=0.1,
        hidden_activation="relu",
        output_activation="softmax",
        optimizer="adagrad",
        seed=1,
    )
    nn.fit(X_train, y_train, epochs=200, batch_size=16, shuffle=True, verbose=0)
    probabilities = nn.predict(X_test)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert (probabilities.argmax(axis=1) == y_test).mean() >= 0.9
    assert nn.history["loss"][-1] < 0.5 * nn.history["loss"][0]


def test_one_sgd_step_follows_the_gradient():
    nn = NeuralNetwork([2, 3, 1], alpha=0.3, seed=0)
    before_W = [W.copy() for W in nn.W]
    before_b = [b.copy() for b in nn.b]
    grads = nn.gradients(XOR_X, XOR_Y)
    nn.fit(XOR_X, XOR_Y, epochs=1, batch_size=None, verbose=0)
    for W, b, W0, b0, (dW, db) in zip(nn.W, nn.b, before_W, before_b, grads):
        np.testing.assert_allclose(W, W0 - 0.3 * dW)
        np.testing.assert_allclose(b, b0 - 0.3 * db)


def test_one_adagrad_step_is_normalised():
    nn = NeuralNetwork([2, 3, 1], alpha=0.3, optimizer="adagrad", seed=0)
    W0 = nn.W[0].copy()
    dW = nn.gradients(XOR_X, XOR_Y)[0][0]
    nn.fit(XOR_X, XOR_Y, epochs=1, batch_size=None, verbose=0)
    # First step: g / (sqrt(g**2) + eps) is (almost) the sign of g.
    np.testing.assert_allclose(
        nn.W[0], W0 - 0.3 * dW / (np.abs(dW) + 1e-8), rtol=1e-12
    )
    # Second step divides by the accumulated sqrt(g1**2 + g2**2).
    W1 = nn.W[0].copy()
    dW2 = nn.gradients(XOR_X, XOR_Y)[0][0]
    nn.fit(XOR_X, XOR_Y, epochs=1, batch_size=None, verbose=0)
    np.testing.assert_allclose(
        nn.W[0], W1 - 0.3 * dW2 / (np.sqrt(dW**2 + dW2**2) + 1e-8), rtol=1e-12
    )


def test_loss_values():
    nn = NeuralNetwork([2, 1], seed=0)
    nn.W[0][:] = 0.0  # outputs are sigmoid(0) = 0.5 everywhere
    # Mean over samples of 0.5 * sum((p - y)^2) = 0.5 * 0.25.
    assert nn.calculate_loss(XOR_X, XOR_Y) == pytest.approx(0.125)
    ce = NeuralNetwork([2, 1], loss="cross_entropy", seed=0)
    ce.W[0][:] = 0.0
    assert ce.calculate_loss(XOR_X, XOR_Y) == pytest.approx(np.log(2))
    soft = NeuralNetwork([2, 4], output_activation="softmax", seed=0)
    soft.W[0][:] = 0.0
    assert soft.loss == "cross_entropy"
    assert soft.calculate_loss(XOR_X, [0, 1, 2, 3]) == pytest.approx(np.log(4))


def test_fit_prints_progress_and_is_reproducible(capsys):
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = (X[:, 0] > 0).astype(int)
    kwargs = dict(output_activation="softmax", seed=5)
    a = NeuralNetwork([3, 4, 2], **kwargs).fit(
        X, y, epochs=20, batch_size=6, shuffle=True, display_update=10
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "[INFO] epoch=1",
        "[INFO] epoch=10",
        "[INFO] epoch=20",
    ]
    assert lines[-1] == f"[INFO] epoch=20, loss={a.history['loss'][-1]:.7f}"
    b = NeuralNetwork([3, 4, 2], **kwargs).fit(X, y, epochs=20, batch_size=6, shuffle=True,
                                                verbose=0)
    assert capsys.readouterr().out == ""
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert a.predict(X).shape == (20, 2)


def test_repr():
    assert repr(NeuralNetwork([2, 2, 1])) == "NeuralNetwork: 2-2-1"
    assert repr(NeuralNetwork([4, 25, 25, 3])) == "NeuralNetwork: 4-25-25-3"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(layers=[3]), r"Received: layers=\[3\]"),
        (dict(layers=[2, 0, 1]), r"positive integers.*layers=\[2, 0, 1\]"),
        (dict(layers=[2, 1.5, 1]), r"layers=\[2, 1.5, 1\]"),
        (dict(layers=[2, 1], alpha=0), r"alpha=0"),
        (dict(layers=[2, 1], hidden_activation="tanh"), r"hidden_activation='tanh'"),
        (dict(layers=[2, 1], output_activation="relu"), r"output_activation='relu'"),
        (dict(layers=[2, 1], optimizer="adam"), r"optimizer='adam'"),
        (dict(layers=[2, 1], loss="hinge"), r"loss='hinge'"),
        (dict(layers=[2, 1], seed=-1), r"non-negative integer"),  # NumPy's own check
    ],
)
def test_constructor_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NeuralNetwork(**kwargs)


def test_data_validation():
    nn = NeuralNetwork([2, 2, 1], seed=0)
    with pytest.raises(ValueError, match=r"n=4 samples of `X`. Received: y.shape=\(3, 1\)"):
        nn.fit(XOR_X, XOR_Y[:3], verbose=0)
    with pytest.raises(ValueError, match=r"2 features.*X.shape=\(4, 3\)"):
        nn.fit(np.ones((4, 3)), XOR_Y, verbose=0)
    with pytest.raises(ValueError, match=r"1 columns.*y.shape=\(4, 2\)"):
        nn.fit(XOR_X, np.ones((4, 2)), verbose=0)
    with pytest.raises(ValueError, match=r"epochs=0"):
        nn.fit(XOR_X, XOR_Y, epochs=0)
    with pytest.raises(ValueError, match=r"batch_size=0"):
        nn.fit(XOR_X, XOR_Y, batch_size=0)
    with pytest.raises(ValueError, match=r"2 features"):
        nn.predict(np.ones((4, 5)))
    soft = NeuralNetwork([2, 3], output_activation="softmax", seed=0)
    with pytest.raises(ValueError, match=r"\[0, 3\).*max=3"):
        soft.fit(XOR_X, [0, 1, 2, 3], verbose=0)
    with pytest.raises(ValueError, match=r"n=4 samples .*targets.shape=\(2,\)"):
        soft.gradients(XOR_X, [0, 1])


# -- the book's semantics and names --------------------------------------------
def test_fit_defaults_to_the_books_per_sample_updates_in_order():
    X = np.random.default_rng(0).normal(size=(7, 3))
    y = (X[:, 0] > 0).astype(float)
    nn = NeuralNetwork([3, 4, 1], alpha=0.3, seed=2)
    book = NeuralNetwork([3, 4, 1], alpha=0.3, seed=2)
    nn.fit(X, y, epochs=2, verbose=0)
    # the book's fit: one gradient step after every sample, in order
    for _ in range(2):
        for i in range(len(X)):
            grads = book.gradients(X[i:i + 1], y[i:i + 1])
            for W, b, (dW, db) in zip(book.W, book.b, grads):
                W -= 0.3 * dW
                b -= 0.3 * db
    for W, W_book, b, b_book in zip(nn.W, book.W, nn.b, book.b):
        np.testing.assert_allclose(W, W_book, rtol=1e-12)
        np.testing.assert_allclose(b, b_book, rtol=1e-12)
    # one full-batch step per epoch (the old default) lands elsewhere
    full = NeuralNetwork([3, 4, 1], alpha=0.3, seed=2).fit(X, y, epochs=2, batch_size=None,
                                                           verbose=0)
    assert not np.allclose(full.W[0], nn.W[0])


def test_the_books_keyword_names(capsys):
    nn = NeuralNetwork([2, 3, 1], seed=0)
    nn.fit(XOR_X, XOR_Y, epochs=4, displayUpdate=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "[INFO] epoch=1", "[INFO] epoch=2", "[INFO] epoch=4"]
    with pytest.raises(TypeError, match="displayUpdate.*display_update"):
        nn.fit(XOR_X, XOR_Y, epochs=1, displayUpdate=2, display_update=2)
    # predict(X, addBias=False): X carries the book's column of ones, dropped here
    biased = np.c_[XOR_X, np.ones(4)]
    np.testing.assert_array_equal(nn.predict(biased, addBias=False), nn.predict(XOR_X))
    np.testing.assert_array_equal(nn.predict(XOR_X, addBias=True), nn.predict(XOR_X))
    with pytest.raises(ValueError, match="bias column"):
        nn.predict(XOR_X, addBias=False)
    with pytest.raises(ValueError, match="shuffle"):
        nn.fit(XOR_X, XOR_Y, shuffle="yes")


def test_seed_none_follows_numpys_global_seed():
    # the book's weights came from np.random.randn: np.random.seed repeats a run
    np.random.seed(7)
    a = NeuralNetwork([2, 3, 1])
    np.random.seed(7)
    b = NeuralNetwork([2, 3, 1])
    np.testing.assert_array_equal(a.W[0], b.W[0])
    assert not np.array_equal(NeuralNetwork([2, 3, 1]).W[0], a.W[0])
