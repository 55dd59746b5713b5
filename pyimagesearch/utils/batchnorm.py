"""Recompute the moving statistics of a model's BatchNormalization layers.

Averaged weights (an exponential moving average kept by the optimizer,
`use_ema=True`, or stochastic weight averaging) are not the weights whose
activations the BatchNormalization layers' moving mean and variance were
collected from during training: those belong to the last raw weights. After
swapping in averaged weights, run the training data through the model once
more to give every BatchNormalization layer the statistics of the weights it
now has (Izmailov et al., 2018, "Averaging Weights Leads to Wider Optima").
"""

import numpy as np

from pyimagesearch import _checks


def batch_norm_layers(model):
    """Every `keras.layers.BatchNormalization` in `model`, nested models included."""
    import keras

    found = []

    def walk(layer):
        if isinstance(layer, keras.layers.BatchNormalization):
            found.append(layer)
        for child in getattr(layer, "layers", []) or []:
            walk(child)

    walk(model)
    return found


def recompute_batch_norm_statistics(model, data, batch_size=128):
    """Set each BN layer's moving mean/variance to their average over `data`.

    The model runs in training mode (as it did while training: dropout on,
    BN normalising with the batch's statistics) over every batch of `data`
    once; each BN layer's moving mean and variance become the plain average
    of its batch means and batch variances (a cumulative average: momentum
    ``k / (k + 1)`` for the k-th batch), as in `torch.optim.swa_utils.
    update_bn`. No weight other than the moving statistics changes.

    Args:
        model: a built Keras model.
        data: an array of inputs, or an iterable of batches (a `tf.data`
            dataset or a `PyDataset`) yielding inputs or `(inputs, targets)`.
        batch_size: batch size for an array (ignored for an iterable).

    Returns:
        The number of BatchNormalization layers updated (0: nothing to do).

    Raises:
        ValueError: `data` holds no batch, or `batch_size` is not positive.

    Example:

    ```python
    opt = keras.optimizers.SGD(0.05, use_ema=True, ema_momentum=0.999)
    model.compile(optimizer=opt, loss="categorical_crossentropy")
    model.fit(x, y, epochs=100)  # ends with the averaged weights swapped in
    recompute_batch_norm_statistics(model, x)
    ```
    """
    _checks.positive_int("batch_size", batch_size)
    layers = batch_norm_layers(model)
    if not layers:
        return 0
    if isinstance(data, np.ndarray) or hasattr(data, "shape"):
        if len(data) == 0:
            raise ValueError("`data` is empty: no batch to compute statistics from")
        batches = (data[i:i + batch_size] for i in range(0, len(data), batch_size))
    else:
        batches = iter(data)

    momenta = [layer.momentum for layer in layers]
    seen = 0
    try:
        for batch in batches:
            if isinstance(batch, (tuple, list)):
                batch = batch[0]
            for layer in layers:
                # k-th batch: new = old * k/(k+1) + batch * 1/(k+1)
                layer.momentum = seen / (seen + 1.0)
            model(batch, training=True)
            seen += 1
    finally:
        for layer, momentum in zip(layers, momenta):
            layer.momentum = momentum
    if not seen:
        raise ValueError("`data` yielded no batch: no statistics to compute")
    return len(layers)
