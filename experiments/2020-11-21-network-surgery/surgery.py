"""What the network-surgery scripts share (2020-11-21-network-surgery).

`finetune.py` and `inspect_model.py` both build a registered ImageNet
network without its head at a chosen square size; this module resolves the
network's name and checks the size once, before anything is loaded.

Example:

```python
import surgery

spec, size = surgery.network("mobilenet_v2", image_size=None)  # size 224
base = backbones.build_backbone(spec.name, weights=None, include_top=False,
                                input_shape=surgery.input_shape(size))
```
"""

from pyimagesearch.errors import PyImageSearchError


def network(model, image_size=None):
    """The registered backbone `model` and its input size.

    Args:
        model: a name from `pyimagesearch.nn.backbones` (`--model`).
        image_size: the square input size (`--image-size`); `None` for the
            network's own (224, or 299 for Inception and Xception).

    Returns:
        `(spec, size)`: the `Backbone` record and the size to build it at.

    Raises:
        PyImageSearchError: an unknown network, or a size below its minimum.
    """
    from pyimagesearch.nn import backbones

    spec = backbones.get_backbone(model)
    size = image_size or spec.size
    if size < spec.min_size:
        raise PyImageSearchError(
            f"--image-size: {spec.name} needs at least {spec.min_size}, got {size}")
    return spec, size


def input_shape(size):
    """`(size, size, 3)`, or `(3, size, size)` with channels-first data."""
    from pyimagesearch.nn.conv.common import image_shape

    return image_shape(size, size, 3)
