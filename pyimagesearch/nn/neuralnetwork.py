"""A multi-layer neural network written from scratch with NumPy.

This is the book's ``NeuralNetwork`` (DL4CV Starter Bundle, chapter 10):
a fully-connected network trained with back-propagation and gradient
descent, no framework involved. It exists to show what Keras does for us.

Notation (column-vector convention, one column per sample):

* ``Y_0 = X^T`` is the input, of shape ``(layers[0], batch)``;
* ``U_l = W_l Y_{l-1} + b_l`` is the net input of layer ``l`` and
  ``Y_l = phi(U_l)`` its output, for ``l = 1 .. L``;
* ``W_l`` has shape ``(n_out, n_in)`` and ``b_l`` shape ``(n_out, 1)``:
  the biases are kept as separate vectors instead of the book's "bias
  trick" (a column of ones appended to the input), so a weight matrix maps
  exactly one layer to the next.

Back-propagation, for a mini-batch of ``m`` samples:

* at the output, ``delta_L = dLoss/dU_L``;
* going backwards, ``delta_l = phi'(U_l) * (W_{l+1}^T delta_{l+1})``;
* ``dLoss/dW_l = delta_l Y_{l-1}^T`` and ``dLoss/db_l = sum(delta_l)``.

The loss is the *mean* of the per-sample losses over the batch, so the
gradients above are averaged over the mini-batch (``delta_L`` carries the
``1 / m`` factor). The book sums instead; averaging makes the learning rate
independent of the batch size and makes ``calculate_loss`` comparable
between data sets of different sizes. With the default ``batch_size=1``
(the book's rule: one step after every sample, in order) the steps are
exactly the book's; only the printed loss is the book's divided by the
number of samples.
"""

import numpy as np

from pyimagesearch._checks import is_int as _is_int

from pyimagesearch._compat import book_aliases

_HIDDEN_ACTIVATIONS = ("sigmoid", "relu")
_OUTPUT_ACTIVATIONS = ("sigmoid", "softmax")
_OPTIMIZERS = ("sgd", "adagrad")
_LOSSES = ("auto", "mse", "cross_entropy")

# Keeps log() finite for cross-entropy and AdaGrad's division defined.
_LOG_EPSILON = 1e-12
_ADAGRAD_EPSILON = 1e-8




def _sigmoid(u):
    # sigmoid(u) = (1 + tanh(u / 2)) / 2: never overflows, and one ufunc
    # call (the book's per-sample steps call it thousands of times).
    return 0.5 * np.tanh(0.5 * u) + 0.5


def _softmax(u):
    # Softmax over the classes (rows); subtracting the column max keeps
    # exp() from overflowing without changing the result.
    shifted = np.exp(u - u.max(axis=0, keepdims=True))
    return shifted / shifted.sum(axis=0, keepdims=True)


def _check_arguments(layers, alpha, hidden_activation, output_activation, optimizer, loss,
                     seed):
    """Validate `NeuralNetwork`'s arguments; return `layers` as a list."""
    layers = list(layers) if isinstance(layers, (list, tuple)) else layers
    if not isinstance(layers, list) or len(layers) < 2:
        raise ValueError(
            "`layers` must list at least 2 sizes. "
            f"Received: layers={layers!r}"
        )
    if not all(_is_int(size) and size >= 1 for size in layers):
        raise ValueError(
            "`layers` must hold positive integers. "
            f"Received: layers={layers!r}"
        )
    is_number = isinstance(alpha, (int, float, np.number)) and not isinstance(
        alpha, bool
    )
    if not is_number or not np.isfinite(alpha) or alpha <= 0:
        raise ValueError(
            f"`alpha` must be a positive number. Received: alpha={alpha!r}"
        )
    if hidden_activation not in _HIDDEN_ACTIVATIONS:
        raise ValueError(
            f"`hidden_activation` must be one of {_HIDDEN_ACTIVATIONS}. "
            f"Received: hidden_activation={hidden_activation!r}"
        )
    if output_activation not in _OUTPUT_ACTIVATIONS:
        raise ValueError(
            f"`output_activation` must be one of {_OUTPUT_ACTIVATIONS}. "
            f"Received: output_activation={output_activation!r}"
        )
    if optimizer not in _OPTIMIZERS:
        raise ValueError(
            f"`optimizer` must be one of {_OPTIMIZERS}. "
            f"Received: optimizer={optimizer!r}"
        )
    if loss not in _LOSSES:
        raise ValueError(
            f"`loss` must be one of {_LOSSES}. Received: loss={loss!r}"
        )
    if seed is not None and not (_is_int(seed) and seed >= 0):
        raise ValueError(
            "`seed` must be None or a non-negative integer. "
            f"Received: seed={seed!r}"
        )
    return layers


class NeuralNetwork:
    """A fully-connected network trained with back-propagation (NumPy only).

    Args:
        layers: List of layer sizes, input first and output last, e.g.
            `[2, 2, 1]` for the XOR network or `[4, 25, 25, 3]`. At least two
            sizes, all positive integers.
        alpha: Learning rate, a positive float.
        hidden_activation: `"sigmoid"` or `"relu"`, used by every hidden layer.
        output_activation: `"sigmoid"` (independent outputs, e.g. binary
            problems) or `"softmax"` (one class out of `layers[-1]`).
        optimizer: `"sgd"` (plain gradient descent, `W -= alpha * g`) or
            `"adagrad"` (`G += g**2; W -= alpha * g / (sqrt(G) + 1e-8)`).
        loss: `"mse"` (the book's squared error, `0.5 * sum((p - y)**2)` per
            sample), `"cross_entropy"` (categorical cross-entropy for a
            softmax output, binary cross-entropy for a sigmoid output) or
            `"auto"`: cross-entropy for softmax, mse for sigmoid.
        seed: Seed of the `np.random.default_rng` used for the initial
            weights and for shuffling in `fit`. `None` draws the seed from
            NumPy's global random state, so that ``np.random.seed(42)``
            repeats a run, as it did for the book's ``np.random.randn``.

    Weights are drawn from a normal distribution scaled by `1 / sqrt(n_in)`,
    or by `sqrt(2 / n_in)` (He) for a layer followed by a ReLU; biases
    start at zero. After construction `W[l]` and `b[l]` hold the weights of
    layer `l + 1`, of shapes `(n_out, n_in)` and `(n_out, 1)`.

    Example:

    ```python
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    y = np.array([[0], [1], [1], [0]])
    nn = NeuralNetwork([2, 2, 1], alpha=0.5, seed=42)
    nn.fit(X, y, epochs=20000, display_update=5000)
    print(nn.predict(X).round())
    ```
    """

    def __init__(
        self,
        layers,
        alpha=0.1,
        hidden_activation="sigmoid",
        output_activation="sigmoid",
        optimizer="sgd",
        loss="auto",
        seed=None,
    ):
        """Check every argument and draw the initial weights (see the class docstring)."""
        layers = _check_arguments(layers, alpha, hidden_activation, output_activation, optimizer,
                                  loss, seed)

        self.layers = [int(size) for size in layers]
        self.alpha = float(alpha)
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation
        self.optimizer = optimizer
        if loss == "auto":
            loss = "cross_entropy" if output_activation == "softmax" else "mse"
        self.loss = loss
        self.seed = seed
        if seed is None:
            # the book's weights came from np.random: keep np.random.seed() in control
            seed = int(np.random.randint(0, 2**62, dtype=np.int64))
        self.rng = np.random.default_rng(seed)
        self.history = {"loss": []}

        # Initialise each weight matrix W_l (n_out, n_in) from a normal
        # distribution; the scale keeps the variance of U_l close to that of
        # the layer's input (He's sqrt(2 / n_in) compensates for ReLU zeroing
        # half of its inputs).
        self.W = []
        self.b = []
        for index, (n_in, n_out) in enumerate(zip(self.layers, self.layers[1:])):
            is_hidden = index < len(self.layers) - 2
            if is_hidden and hidden_activation == "relu":
                scale = np.sqrt(2.0 / n_in)
            else:
                scale = 1.0 / np.sqrt(n_in)
            self.W.append(self.rng.standard_normal((n_out, n_in)) * scale)
            self.b.append(np.zeros((n_out, 1)))

        # AdaGrad's running sums of squared gradients, one per parameter.
        self._G_W = [np.zeros_like(W) for W in self.W]
        self._G_b = [np.zeros_like(b) for b in self.b]

    def __repr__(self):
        # e.g. "NeuralNetwork: 2-2-1"
        return "NeuralNetwork: {}".format("-".join(str(s) for s in self.layers))

    # ------------------------------------------------------------------
    # Input checks
    # ------------------------------------------------------------------

    def _check_inputs(self, X):
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        if X.ndim != 2:
            raise ValueError(
                "`X` must be a 2-D array of shape (samples, features). "
                f"Received: X.shape={X.shape}"
            )
        if X.shape[0] == 0:
            raise ValueError(
                f"`X` must hold at least one sample. Received: X.shape={X.shape}"
            )
        if X.shape[1] != self.layers[0]:
            raise ValueError(
                f"`X` must have {self.layers[0]} features (layers[0]). "
                f"Received: X.shape={X.shape}"
            )
        if not np.all(np.isfinite(X)):
            raise ValueError("`X` must hold finite values only (no NaN/inf).")
        return X

    def _check_targets(self, targets, n_samples, name="y"):
        """Turns `targets` into a float array of shape (n, outputs)."""
        targets = np.asarray(targets)
        n_outputs = self.layers[-1]
        if targets.ndim == 0 or targets.ndim > 2:
            raise ValueError(
                f"`{name}` must be 1-D labels or a 2-D array of shape "
                f"(samples, {n_outputs}). Received: {name}.shape={targets.shape}"
            )
        if len(targets) != n_samples:
            raise ValueError(
                f"`X` and `{name}` must have the same number of samples. "
                f"Received: len(X)={n_samples}, len({name})={len(targets)}"
            )
        if targets.ndim == 1:
            if n_outputs == 1:
                # A single output: the labels are the targets themselves.
                targets = targets.reshape(-1, 1)
            else:
                # Integer class labels: one-hot encode them.
                if not np.issubdtype(targets.dtype, np.number) or not np.all(
                    np.equal(np.mod(targets, 1), 0)
                ):
                    raise ValueError(
                        f"1-D `{name}` must hold integer class labels. "
                        f"Received: {name}.dtype={targets.dtype}"
                    )
                labels = targets.astype(np.int64)
                if labels.min() < 0 or labels.max() >= n_outputs:
                    raise ValueError(
                        f"Class labels in `{name}` must lie in "
                        f"[0, {n_outputs}) (layers[-1]={n_outputs}). Received: "
                        f"min={labels.min()}, max={labels.max()}"
                    )
                targets = np.eye(n_outputs)[labels]
        if targets.shape[1] != n_outputs:
            raise ValueError(
                f"`{name}` must have {n_outputs} columns (layers[-1]). "
                f"Received: {name}.shape={targets.shape}"
            )
        targets = targets.astype(np.float64)
        if not np.all(np.isfinite(targets)):
            raise ValueError(
                f"`{name}` must hold finite values only (no NaN/inf)."
            )
        return targets

    # ------------------------------------------------------------------
    # Forward and backward passes (columns are samples)
    # ------------------------------------------------------------------

    def _forward(self, X):
        """Returns the net inputs U_l and outputs Y_l of every layer.

        `Y[0]` is the input batch transposed to (features, batch); `U[0]` is
        a placeholder so that `U[l]` and `Y[l]` line up with layer `l`.
        """
        Y = [X.T]
        U = [None]
        last = len(self.W) - 1
        for index, (W, b) in enumerate(zip(self.W, self.b)):
            u = W @ Y[-1] + b
            if index == last:
                y = _softmax(u) if self.output_activation == "softmax" else _sigmoid(u)
            elif self.hidden_activation == "relu":
                y = np.maximum(u, 0.0)
            else:
                y = _sigmoid(u)
            U.append(u)
            Y.append(y)
        return U, Y

    def _loss_value(self, P, T):
        """Mean per-sample loss; `P` and `T` are (outputs, batch)."""
        m = P.shape[1]
        if self.loss == "mse":
            return float(0.5 * np.sum((P - T) ** 2) / m)
        P = np.clip(P, _LOG_EPSILON, 1.0 - _LOG_EPSILON)
        if self.output_activation == "softmax":
            return float(-np.sum(T * np.log(P)) / m)
        return float(-np.sum(T * np.log(P) + (1.0 - T) * np.log(1.0 - P)) / m)

    def _output_delta(self, P, T):
        """delta_L = dLoss/dU_L for the mean loss over the batch."""
        m = P.shape[1]
        if self.loss == "cross_entropy":
            # Cross-entropy pairs with its activation so that the derivative
            # through softmax (or sigmoid) collapses to "prediction - target"
            # (for softmax this assumes each target column sums to one).
            return (P - T) / m
        # Squared error: dLoss/dP = P - T, then chain through the activation.
        grad = (P - T) / m
        if self.output_activation == "sigmoid":
            return grad * P * (1.0 - P)
        # Softmax Jacobian-vector product: p * (g - sum(p * g)).
        return P * (grad - np.sum(P * grad, axis=0, keepdims=True))

    def _hidden_derivative(self, u, y):
        """phi'(U_l) of a hidden layer, from its net input or output."""
        if self.hidden_activation == "relu":
            return (u > 0).astype(np.float64)
        return y * (1.0 - y)

    def _backward(self, X, T):
        U, Y = self._forward(X)
        deltas = [self._output_delta(Y[-1], T.T)]
        # Walk back from the last hidden layer to the first:
        # delta_l = phi'(U_l) * (W_{l+1}^T delta_{l+1}).
        for layer in range(len(self.W) - 1, 0, -1):
            error = self.W[layer].T @ deltas[-1]
            deltas.append(error * self._hidden_derivative(U[layer], Y[layer]))
        deltas.reverse()
        # dLoss/dW_l = delta_l Y_{l-1}^T, dLoss/db_l = sum of delta_l over
        # the batch (the 1/m is already inside delta).
        return [
            (delta @ Y[layer].T, delta.sum(axis=1, keepdims=True))
            for layer, delta in enumerate(deltas)
        ]

    # ------------------------------------------------------------------
    # Public API
    # ------------------------------------------------------------------

    def gradients(self, X, targets):
        """Returns the gradient of `calculate_loss(X, targets)`.

        Args:
            X: Array of shape `(n, layers[0])`.
            targets: Targets as accepted by `fit` (labels or `(n, outputs)`).

        Returns:
            A list with one `(dW, db)` tuple per layer, of the same shapes as
            `W[l]` and `b[l]`, averaged over the `n` samples.

        Example:

        ```python
        nn = NeuralNetwork([2, 3, 1], seed=0)
        (dW1, db1), (dW2, db2) = nn.gradients([[0.0, 1.0]], [[1.0]])
        ```
        """
        X = self._check_inputs(X)
        T = self._check_targets(targets, len(X), name="targets")
        return self._backward(X, T)

    def _fit_partial(self, X, targets):
        """Takes one gradient step on a (pre-checked) mini-batch."""
        grads = self._backward(X, targets)
        for layer, (dW, db) in enumerate(grads):
            if self.optimizer == "adagrad":
                # AdaGrad: parameters with a history of large gradients get
                # smaller steps.
                self._G_W[layer] += dW**2
                self._G_b[layer] += db**2
                dW = dW / (np.sqrt(self._G_W[layer]) + _ADAGRAD_EPSILON)
                db = db / (np.sqrt(self._G_b[layer]) + _ADAGRAD_EPSILON)
            self.W[layer] -= self.alpha * dW
            self.b[layer] -= self.alpha * db

    @book_aliases(displayUpdate="display_update")
    def fit(
        self,
        X,
        y,
        epochs=1000,
        batch_size=1,
        display_update=100,
        verbose=1,
        shuffle=False,
    ):
        """Trains the network with (stochastic, mini-batch or full-batch) gradient descent.

        By default it follows the book: one gradient step after every
        sample, in the order of `X` (the book's ``fit_partial`` loop).
        ``batch_size=8, shuffle=True`` gives shuffled mini-batches and
        ``batch_size=None`` one full-batch step per epoch.

        Args:
            X: Array of shape `(n, layers[0])`.
            y: Integer class labels of shape `(n,)` (one-hot encoded
                internally), 0/1 targets of shape `(n,)` when `layers[-1]`
                is 1, or targets of shape `(n, layers[-1])`.
            epochs: Number of passes over the training data.
            batch_size: Samples per gradient step: 1 (the book's per-sample
                updates, the default), a mini-batch size, or `None` for the
                full batch (one step per epoch).
            display_update: Print the loss every this many epochs (the
                book's `displayUpdate`).
            verbose: 0 for silence, otherwise print `[INFO]` lines.
            shuffle: Reshuffle the samples before every epoch (the book
                walks them in order: `False`, the default).

        Returns:
            `self`. The loss over the whole training set after every epoch
            is appended to `self.history["loss"]`.

        Example:

        ```python
        nn = NeuralNetwork([4, 8, 3], output_activation="softmax", seed=1)
        nn.fit(X_train, y_train, epochs=300, batch_size=16, shuffle=True, verbose=0)
        accuracy = (nn.predict(X_test).argmax(axis=1) == y_test).mean()
        ```
        """
        if not _is_int(epochs) or epochs < 1:
            raise ValueError(
                f"`epochs` must be a positive integer. Received: epochs={epochs!r}"
            )
        if batch_size is not None and (not _is_int(batch_size) or batch_size < 1):
            raise ValueError(
                "`batch_size` must be None or a positive integer. "
                f"Received: batch_size={batch_size!r}"
            )
        if not isinstance(shuffle, (bool, np.bool_)):
            raise ValueError(f"`shuffle` must be True or False. Received: shuffle={shuffle!r}")
        if not _is_int(display_update) or display_update < 1:
            raise ValueError(
                "`display_update` must be a positive integer. "
                f"Received: display_update={display_update!r}"
            )
        X = self._check_inputs(X)
        T = self._check_targets(y, len(X))
        n = len(X)
        batch_size = n if batch_size is None else min(int(batch_size), n)

        for epoch in range(epochs):
            order = self.rng.permutation(n) if shuffle and batch_size < n else None
            for start in range(0, n, batch_size):
                if order is None:
                    batch = slice(start, start + batch_size)
                else:
                    batch = order[start : start + batch_size]
                self._fit_partial(X[batch], T[batch])

            # Record the loss over the whole training set, and tell the user
            # about it on the first epoch and every `display_update` epochs.
            loss = self._loss_value(self._forward(X)[1][-1], T.T)
            self.history["loss"].append(loss)
            if verbose and (epoch == 0 or (epoch + 1) % display_update == 0):
                print(f"[INFO] epoch={epoch + 1}, loss={loss:.7f}")
        return self

    @book_aliases(addBias="add_bias")
    def predict(self, X, add_bias=True):
        """Returns the output probabilities, of shape `(n, layers[-1])`.

        Args:
            X: Array of shape `(n, layers[0])`, or one sample `(layers[0],)`.
            add_bias: The book's `addBias`. This network keeps its biases
                apart, so nothing is added; `False` means `X` already holds
                the book's bias column (ones, last), `layers[0] + 1` columns,
                which is dropped.

        Example:

        ```python
        nn = NeuralNetwork([2, 2, 1], seed=0)
        nn.predict([[0, 1], [1, 1]]).shape  # (2, 1)
        ```
        """
        if not add_bias:
            X = self._drop_bias_column(X)
        X = self._check_inputs(X)
        return self._forward(X)[1][-1].T

    def _drop_bias_column(self, X):
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        if X.ndim != 2 or X.shape[1] != self.layers[0] + 1 or not np.all(X[:, -1] == 1):
            raise ValueError(
                f"with add_bias=False, `X` must hold {self.layers[0] + 1} columns, the last "
                f"one the book's bias column of ones. Received: X.shape={X.shape}"
            )
        return X[:, :-1]

    def calculate_loss(self, X, targets):
        """Returns the mean per-sample loss over `X` as a float.

        Example:

        ```python
        nn = NeuralNetwork([2, 2, 1], seed=0)
        nn.calculate_loss([[0, 0], [1, 1]], [0, 0])
        ```
        """
        X = self._check_inputs(X)
        T = self._check_targets(targets, len(X), name="targets")
        return self._loss_value(self._forward(X)[1][-1], T.T)
