"""A multi-layer neural network written from scratch with NumPy (Starter Bundle, ch. 10).

Layer ``l`` computes ``Y_l = phi(W_l Y_{l-1} + b_l)``, one column per sample,
biases kept apart. The loss is the mean over the batch.
"""

import logging

import numpy as np

from pyimagesearch._checks import finite_array, flag, is_int, one_of, positive_int, positive_number
from pyimagesearch._compat import book_aliases

logger = logging.getLogger(__name__)

# keeps log() finite for cross-entropy and AdaGrad's division defined
_LOG_EPSILON = 1e-12
_ADAGRAD_EPSILON = 1e-8


def _sigmoid(u):
    # sigmoid(u) = (1 + tanh(u / 2)) / 2: the same function, but it never overflows
    return 0.5 * np.tanh(0.5 * u) + 0.5


def _softmax(u):
    # subtracting the column max keeps exp() from overflowing
    shifted = np.exp(u - u.max(axis=0, keepdims=True))
    return shifted / shifted.sum(axis=0, keepdims=True)


def _check_inputs(X, features):
    X = finite_array("X", np.atleast_2d(np.asarray(X, dtype=np.float64)), ndim=2)
    if len(X) == 0 or X.shape[1] != features:
        raise ValueError(f"`X` must hold samples of {features} features (layers[0]). "
                         f"Received: X.shape={X.shape}")
    return X


def _check_targets(targets, n, k, name="y"):
    # 1-D class labels are one-hot encoded
    T = np.asarray(targets, dtype=np.float64)
    if T.ndim not in (1, 2) or len(T) != n:
        raise ValueError(f"`{name}` must hold labels (n,) or targets (n, {k}) for the "
                         f"n={n} samples of `X`. Received: {name}.shape={T.shape}")
    if T.ndim == 1 and k == 1:
        T = T.reshape(-1, 1)  # a single output: the labels are the targets
    elif T.ndim == 1:
        if np.any(T % 1) or T.min() < 0 or T.max() >= k:
            raise ValueError(f"1-D `{name}` must hold class labels in [0, {k}) (layers[-1]). "
                             f"Received: min={T.min():g}, max={T.max():g}")
        T = np.eye(k)[T.astype(np.int64)]
    if T.shape[1] != k:
        raise ValueError(f"`{name}` must have {k} columns (layers[-1]). "
                         f"Received: {name}.shape={T.shape}")
    return finite_array(name, T)


def _mean_loss(P, T, loss, output_activation):
    m = P.shape[1]
    if loss == "mse":
        return float(0.5 * np.sum((P - T) ** 2) / m)
    P = np.clip(P, _LOG_EPSILON, 1.0 - _LOG_EPSILON)
    if output_activation == "softmax":
        return float(-np.sum(T * np.log(P)) / m)
    return float(-np.sum(T * np.log(P) + (1.0 - T) * np.log(1.0 - P)) / m)


def _output_delta(P, T, loss, output_activation):
    """delta_L = dLoss/dU_L for the mean loss over the batch."""
    grad = (P - T) / P.shape[1]
    if loss == "cross_entropy":
        return grad  # through its own activation: "prediction - target"
    if output_activation == "sigmoid":
        return grad * P * (1.0 - P)
    # squared error through a softmax: the Jacobian-vector product p * (g - sum(p * g))
    return P * (grad - np.sum(P * grad, axis=0, keepdims=True))


class NeuralNetwork:
    """A fully-connected network trained with back-propagation (NumPy only).

    `W[l]` and `b[l]` hold the weights of layer `l + 1`.

    Args:
        layers: the layer sizes, input first, e.g. `[2, 2, 1]` for XOR.
        alpha: the learning rate.
        hidden_activation: `"sigmoid"` or `"relu"`.
        output_activation: `"sigmoid"` or `"softmax"`.
        optimizer: `"sgd"` or `"adagrad"`.
        loss: `"mse"`, `"cross_entropy"`, or `"auto"` (cross-entropy for a
            softmax output, mse for a sigmoid one).
        seed: seed of the weights and of `fit`'s shuffling; `None` draws it
            from `np.random`, so ``np.random.seed(42)`` repeats a run.

    Example:

    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> nn = NeuralNetwork([2, 4, 1], alpha=0.5, seed=42)
    >>> _ = nn.fit(X, [0, 1, 1, 0], epochs=5000, batch_size=None, verbose=0)
    >>> nn.predict(X).round().ravel()
    array([0., 1., 1., 0.])
    """

    def __init__(self, layers, alpha=0.1, hidden_activation="sigmoid",
                 output_activation="sigmoid", optimizer="sgd", loss="auto", seed=None):
        layers = list(layers)
        if len(layers) < 2 or not all(is_int(size) and size >= 1 for size in layers):
            raise ValueError("`layers` must list at least 2 positive integers. "
                             f"Received: layers={layers!r}")
        self.layers = [int(size) for size in layers]
        self.alpha = positive_number("alpha", alpha)
        self.hidden_activation = one_of("hidden_activation", hidden_activation,
                                        ("sigmoid", "relu"))
        self.output_activation = one_of("output_activation", output_activation,
                                        ("sigmoid", "softmax"))
        self.optimizer = one_of("optimizer", optimizer, ("sgd", "adagrad"))
        one_of("loss", loss, ("auto", "mse", "cross_entropy"))
        if loss == "auto":
            loss = "cross_entropy" if output_activation == "softmax" else "mse"
        self.loss = loss
        self.seed = seed
        if seed is None:
            # the book's weights came from np.random: keep np.random.seed() in control
            seed = int(np.random.randint(0, 2**62, dtype=np.int64))
        self.rng = np.random.default_rng(seed)
        self.history = {"loss": []}

        # W_l (n_out, n_in) ~ N(0, 1 / n_in), or He's 2 / n_in before a ReLU
        self.W, self.b = [], []
        for index, (n_in, n_out) in enumerate(zip(self.layers, self.layers[1:])):
            relu_next = index < len(self.layers) - 2 and hidden_activation == "relu"
            scale = np.sqrt(2.0 / n_in) if relu_next else 1.0 / np.sqrt(n_in)
            self.W.append(self.rng.standard_normal((n_out, n_in)) * scale)
            self.b.append(np.zeros((n_out, 1)))
        # AdaGrad's running sums of squared gradients, one per parameter
        self._G_W = [np.zeros_like(W) for W in self.W]
        self._G_b = [np.zeros_like(b) for b in self.b]

    def __repr__(self):
        return "NeuralNetwork: {}".format("-".join(str(s) for s in self.layers))

    def _forward(self, X):
        """The net inputs `U[l]` and outputs `Y[l]` of every layer (`U[0]` is a placeholder)."""
        U, Y = [None], [X.T]
        for index, (W, b) in enumerate(zip(self.W, self.b)):
            u = W @ Y[-1] + b
            if index == len(self.W) - 1:
                y = _softmax(u) if self.output_activation == "softmax" else _sigmoid(u)
            else:
                y = np.maximum(u, 0.0) if self.hidden_activation == "relu" else _sigmoid(u)
            U.append(u)
            Y.append(y)
        return U, Y

    def _loss(self, X, T):
        return _mean_loss(self._forward(X)[1][-1], T.T, self.loss, self.output_activation)

    def _backward(self, X, T):
        U, Y = self._forward(X)
        deltas = [_output_delta(Y[-1], T.T, self.loss, self.output_activation)]
        # delta_l = phi'(U_l) * (W_{l+1}^T delta_{l+1})
        for layer in range(len(self.W) - 1, 0, -1):
            error = self.W[layer].T @ deltas[-1]
            if self.hidden_activation == "relu":
                deltas.append(error * (U[layer] > 0))
            else:
                deltas.append(error * Y[layer] * (1.0 - Y[layer]))
        deltas.reverse()
        # dLoss/dW_l = delta_l Y_{l-1}^T; dLoss/db_l = delta_l summed over the batch
        return [(delta @ Y[layer].T, delta.sum(axis=1, keepdims=True))
                for layer, delta in enumerate(deltas)]

    def gradients(self, X, targets):
        """The gradient of `calculate_loss(X, targets)`: one `(dW, db)` per layer.

        >>> nn = NeuralNetwork([2, 3, 1], seed=0)
        >>> [dW.shape for dW, db in nn.gradients([[0.0, 1.0]], [[1.0]])]
        [(3, 2), (1, 3)]
        """
        X = _check_inputs(X, self.layers[0])
        return self._backward(X, _check_targets(targets, len(X), self.layers[-1], "targets"))

    def _fit_partial(self, X, T):
        for layer, (dW, db) in enumerate(self._backward(X, T)):
            if self.optimizer == "adagrad":
                self._G_W[layer] += dW**2
                self._G_b[layer] += db**2
                dW = dW / (np.sqrt(self._G_W[layer]) + _ADAGRAD_EPSILON)
                db = db / (np.sqrt(self._G_b[layer]) + _ADAGRAD_EPSILON)
            self.W[layer] -= self.alpha * dW
            self.b[layer] -= self.alpha * db

    @book_aliases(displayUpdate="display_update")
    def fit(self, X, y, epochs=1000, batch_size=1, display_update=100, verbose=1,
            shuffle=False):
        """Train with gradient descent; by default one step per sample, in order.

        Args:
            X: array of shape `(n, layers[0])`.
            y: class labels `(n,)`, 0/1 targets `(n,)` when `layers[-1]` is
                1, or targets `(n, layers[-1])`.
            batch_size: samples per step; `None` for one full batch per epoch.
            display_update: log the loss every this many epochs.
            shuffle: reshuffle the samples before every epoch.

        Returns:
            `self`; each epoch's training loss is appended to `self.history["loss"]`.
        """
        positive_int("epochs", epochs)
        if batch_size is not None:
            positive_int("batch_size", batch_size)
        shuffle = flag("shuffle", shuffle)
        positive_int("display_update", display_update)
        X = _check_inputs(X, self.layers[0])
        T = _check_targets(y, len(X), self.layers[-1])
        n = len(X)
        batch_size = n if batch_size is None else min(int(batch_size), n)

        for epoch in range(epochs):
            order = self.rng.permutation(n) if shuffle and batch_size < n else None
            for start in range(0, n, batch_size):
                end = start + batch_size
                batch = slice(start, end) if order is None else order[start:end]
                self._fit_partial(X[batch], T[batch])

            loss = self._loss(X, T)
            self.history["loss"].append(loss)
            if verbose and (epoch == 0 or (epoch + 1) % display_update == 0):
                logger.info(f"epoch={epoch + 1}, loss={loss:.7f}")
        return self

    @book_aliases(addBias="add_bias")
    def predict(self, X, add_bias=True):
        """The output probabilities, of shape `(n, layers[-1])`.

        `add_bias=False` means `X` holds the book's bias column (ones, last),
        which is dropped; otherwise nothing is added (the biases are apart).
        """
        if not add_bias:
            X = np.atleast_2d(np.asarray(X, dtype=np.float64))
            if X.ndim != 2 or X.shape[1] != self.layers[0] + 1 or not np.all(X[:, -1] == 1):
                raise ValueError(
                    f"with add_bias=False, `X` must hold {self.layers[0] + 1} columns, the "
                    f"last one the book's bias column of ones. Received: X.shape={X.shape}")
            X = X[:, :-1]
        return self._forward(_check_inputs(X, self.layers[0]))[1][-1].T

    def calculate_loss(self, X, targets):
        """The mean per-sample loss over `X`, as a float."""
        X = _check_inputs(X, self.layers[0])
        T = _check_targets(targets, len(X), self.layers[-1], "targets")
        return self._loss(X, T)
