"""Learning-rate schedules of the book, on Keras 3."""

import math

from pyimagesearch import _checks


def keras2_decay(initial_learning_rate, decay):
    """The Keras 2 ``decay=`` rule as a Keras 3 learning-rate schedule.

    ``initial_learning_rate / (1 + decay * iteration)``, per batch (Keras 3
    ignores ``decay=``). Returns a `keras.optimizers.schedules.InverseTimeDecay`.

    >>> import keras
    >>> schedule = keras2_decay(0.01, 0.01 / 40)
    >>> optimizer = keras.optimizers.SGD(learning_rate=schedule, momentum=0.9,
    ...                                  nesterov=True)
    >>> round(float(schedule(100)), 6)  # 0.01 / (1 + 0.00025 * 100)
    0.009756
    """
    _checks.positive_number("initial_learning_rate", initial_learning_rate)
    _checks.number_in("decay", decay, 0)
    import keras

    return keras.optimizers.schedules.InverseTimeDecay(
        initial_learning_rate=float(initial_learning_rate), decay_steps=1,
        decay_rate=float(decay), staircase=False,
    )


class LearningRateDecay:
    """Base of the epoch-based schedules: call it with an epoch, or plot it.

    Subclasses implement `value(epoch)`; an instance is a
    `keras.callbacks.LearningRateScheduler` schedule.
    """

    def __call__(self, epoch, learning_rate=None):
        return float(self.value(_checks.non_negative_int("epoch", epoch)))

    def value(self, epoch):
        raise NotImplementedError(f"{type(self).__name__} must implement value(epoch)")

    def plot(self, path, epochs, title=None):
        """Draw the rate for epochs ``0 .. epochs - 1`` (a log axis when it spans more than
        a factor of 10, as `plot_history` does); save it as `path` if given."""
        from matplotlib.figure import Figure

        from pyimagesearch.utils.plotting import _saved, _spans_decades

        xs = list(range(_checks.positive_int("epochs", epochs)))
        rates = {"learning_rate": [float(self(x)) for x in xs]}
        fig = Figure(figsize=(6, 4.5))
        ax = fig.subplots()
        ax.plot(xs, rates["learning_rate"], marker="o", markersize=3)
        ax.set_title(title or repr(self))
        ax.set_xlabel("epoch")
        ax.set_ylabel("learning rate")
        if _spans_decades(rates, ["learning_rate"]):
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        return _saved(fig, path)


class StepDecay(LearningRateDecay):
    """Step decay: ``init_alpha * factor ** floor((1 + epoch) / drop_every)``.

    Example:

    >>> schedule = StepDecay(init_alpha=0.01, factor=0.25, drop_every=5)
    >>> [schedule(e) for e in (0, 3, 4, 9)]
    [0.01, 0.01, 0.0025, 0.000625]
    >>> import keras
    >>> callback = keras.callbacks.LearningRateScheduler(schedule)
    """

    def __init__(self, init_alpha=0.01, factor=0.25, drop_every=5):
        self.init_alpha = _checks.positive_number("init_alpha", init_alpha)
        self.factor = _checks.positive_number("factor", factor)
        self.drop_every = _checks.positive_int("drop_every", drop_every)

    def value(self, epoch):
        exponent = math.floor((1 + epoch) / self.drop_every)
        return self.init_alpha * self.factor ** exponent

    def __repr__(self):
        return (f"StepDecay(init_alpha={self.init_alpha}, factor={self.factor}, "
                f"drop_every={self.drop_every})")


class PolynomialDecay(LearningRateDecay):
    """Polynomial decay: ``init_alpha * (1 - epoch / max_epochs) ** power``.

    The rate stays at 0 after `max_epochs`.

    >>> schedule = PolynomialDecay(max_epochs=70, init_alpha=0.01, power=2.0)
    >>> schedule(0), round(schedule(35), 6)
    (0.01, 0.0025)
    """

    def __init__(self, max_epochs=100, init_alpha=0.01, power=1.0):
        self.max_epochs = _checks.positive_int("max_epochs", max_epochs)
        self.init_alpha = _checks.positive_number("init_alpha", init_alpha)
        self.power = _checks.positive_number("power", power)

    def value(self, epoch):
        remaining = max(0.0, 1.0 - epoch / self.max_epochs)
        return self.init_alpha * remaining ** self.power

    def __repr__(self):
        return (f"PolynomialDecay(max_epochs={self.max_epochs}, "
                f"init_alpha={self.init_alpha}, power={self.power})")

