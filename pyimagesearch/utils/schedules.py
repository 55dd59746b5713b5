"""Learning-rate schedules of the book, on Keras 3.

- `keras2_decay(lr0, decay)`: the Keras 2 ``SGD(decay=...)`` rule,
  ``lr0 / (1 + decay * iteration)``, updated after every batch. Keras 3's
  optimizers accept ``decay=`` with a warning and then ignore it (the run
  trains at a constant rate); this schedule is the working equivalent.
- `StepDecay`: drop the rate by `factor` every `drop_every` epochs.
- `PolynomialDecay`: ``init_alpha * (1 - epoch / max_epochs) ** power``.

The two epoch-based schedules are callables for
`keras.callbacks.LearningRateScheduler`, and `plot()` draws them.
"""

import math
import numbers


def keras2_decay(initial_learning_rate, decay):
    """The Keras 2 ``decay=`` rule as a Keras 3 learning-rate schedule.

    ``learning_rate = initial_learning_rate / (1 + decay * iteration)``, where
    the iteration counts batches from 0 (what Keras 2's ``SGD(decay=...)``
    did). Pass it as the optimizer's `learning_rate`.

    Args:
        initial_learning_rate: the rate at iteration 0 (> 0).
        decay: the decay per iteration (>= 0); the book uses
            ``initial_learning_rate / epochs``.

    Returns:
        A `keras.optimizers.schedules.InverseTimeDecay` with
        ``decay_steps=1``.

    Example:

    >>> import keras
    >>> schedule = keras2_decay(0.01, 0.01 / 40)
    >>> optimizer = keras.optimizers.SGD(learning_rate=schedule, momentum=0.9,
    ...                                  nesterov=True)
    >>> round(float(schedule(100)), 6)  # 0.01 / (1 + 0.00025 * 100)
    0.009756
    """
    _check_positive("initial_learning_rate", initial_learning_rate)
    if not _is_number(decay) or decay < 0:
        raise ValueError(f"`decay` must be a number >= 0. Received: decay={decay!r}")
    import keras

    return keras.optimizers.schedules.InverseTimeDecay(
        initial_learning_rate=float(initial_learning_rate), decay_steps=1,
        decay_rate=float(decay), staircase=False,
    )


class LearningRateDecay:
    """Base of the epoch-based schedules: call it with an epoch, or plot it.

    Subclasses implement `value(epoch)`. An instance is what
    `keras.callbacks.LearningRateScheduler` wants: it is called as
    ``schedule(epoch, learning_rate)`` and returns a float (the current rate
    is ignored: the schedule depends on the epoch only).
    """

    def __call__(self, epoch, learning_rate=None):
        if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < 0:
            raise ValueError(f"`epoch` must be an integer >= 0. Received: epoch={epoch!r}")
        return float(self.value(int(epoch)))

    def value(self, epoch):
        raise NotImplementedError(f"{type(self).__name__} must implement value(epoch)")

    def plot(self, path, epochs, title=None):
        """Draw the rate for epochs ``0 .. epochs - 1`` into a PNG file.

        The file is written under a temporary name and renamed, so a reader
        never sees half a plot. Returns the path.
        """
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
            raise ValueError(f"`epochs` must be a positive integer. Received: epochs={epochs!r}")
        from pyimagesearch.utils.plotting import plt, save_figure

        xs = list(range(int(epochs)))
        fig, ax = plt.subplots(figsize=(6, 4.5))
        ax.plot(xs, [self(x) for x in xs], marker="o", markersize=3)
        ax.set_title(title or repr(self))
        ax.set_xlabel("epoch")
        ax.set_ylabel("learning rate")
        ax.grid(alpha=0.3)
        return save_figure(fig, path)


class StepDecay(LearningRateDecay):
    """Step decay: ``init_alpha * factor ** floor((1 + epoch) / drop_every)``.

    The diary's formula (epochs count from 0): with factor 0.25 every 5
    epochs the rate is 0.01 for epochs 0-3, 0.0025 for 4-8, 0.000625 for
    9-13...

    Args:
        init_alpha: the initial learning rate (> 0).
        factor: the multiplier at each drop (> 0; below 1 to decay).
        drop_every: epochs between drops (a positive integer).

    Example:

    >>> schedule = StepDecay(init_alpha=0.01, factor=0.25, drop_every=5)
    >>> [schedule(e) for e in (0, 3, 4, 9)]
    [0.01, 0.01, 0.0025, 0.000625]
    >>> import keras
    >>> callback = keras.callbacks.LearningRateScheduler(schedule)
    """

    def __init__(self, init_alpha=0.01, factor=0.25, drop_every=5):
        _check_positive("init_alpha", init_alpha)
        _check_positive("factor", factor)
        if (isinstance(drop_every, bool) or not isinstance(drop_every, numbers.Integral)
                or drop_every < 1):
            raise ValueError(
                f"`drop_every` must be a positive integer. Received: drop_every={drop_every!r}"
            )
        self.init_alpha = float(init_alpha)
        self.factor = float(factor)
        self.drop_every = int(drop_every)

    def value(self, epoch):
        exponent = math.floor((1 + epoch) / self.drop_every)
        return self.init_alpha * self.factor ** exponent

    def __repr__(self):
        return (f"StepDecay(init_alpha={self.init_alpha}, factor={self.factor}, "
                f"drop_every={self.drop_every})")


class PolynomialDecay(LearningRateDecay):
    """Polynomial decay: ``init_alpha * (1 - epoch / max_epochs) ** power``.

    `power=1` is a linear decay to 0 at `max_epochs`; the rate stays at 0
    after that.

    Args:
        max_epochs: the epoch at which the rate reaches 0 (positive integer).
        init_alpha: the initial learning rate (> 0).
        power: the polynomial's degree (> 0).

    Example:

    >>> schedule = PolynomialDecay(max_epochs=70, init_alpha=0.01, power=2.0)
    >>> schedule(0), round(schedule(35), 6)
    (0.01, 0.0025)
    """

    def __init__(self, max_epochs=100, init_alpha=0.01, power=1.0):
        if (isinstance(max_epochs, bool) or not isinstance(max_epochs, numbers.Integral)
                or max_epochs < 1):
            raise ValueError(
                f"`max_epochs` must be a positive integer. Received: max_epochs={max_epochs!r}"
            )
        _check_positive("init_alpha", init_alpha)
        _check_positive("power", power)
        self.max_epochs = int(max_epochs)
        self.init_alpha = float(init_alpha)
        self.power = float(power)

    def value(self, epoch):
        remaining = max(0.0, 1.0 - epoch / self.max_epochs)
        return self.init_alpha * remaining ** self.power

    def __repr__(self):
        return (f"PolynomialDecay(max_epochs={self.max_epochs}, "
                f"init_alpha={self.init_alpha}, power={self.power})")


def _is_number(value):
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value))


def _check_positive(name, value):
    if not _is_number(value) or value <= 0:
        raise ValueError(f"`{name}` must be a number > 0. Received: {name}={value!r}")
