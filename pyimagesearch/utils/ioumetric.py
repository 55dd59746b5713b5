"""`BoxIoU`: the mean intersection over union of predicted boxes, a Keras metric.

Example:

```python
import keras
from pyimagesearch.utils import BoxIoU

model.compile(loss="mse", optimizer="adam", metrics=[BoxIoU()])
history = model.fit(x, boxes, validation_data=(x_val, boxes_val))
history.history["iou"], history.history["val_iou"]
```
"""

import keras

from pyimagesearch.utils.iou import iou_formula


@keras.saving.register_keras_serializable(package="pyimagesearch")
class BoxIoU(keras.metrics.Mean):
    """Mean IoU of `y_pred` boxes against `y_true` boxes, ``(x1, y1, x2, y2)``.

    Each sample's IoU is computed with the same formula as
    `pyimagesearch.utils.box_iou` (in `keras.ops`) and averaged over every
    sample seen (weighted by `sample_weight` when given). Not to be
    confused with `keras.metrics.MeanIoU`, which scores segmentation masks.

    Args:
        name: the metric's name in the history (default ``"iou"``, so
            ``val_iou`` for the validation data).
        dtype: the metric's dtype.
    """

    def __init__(self, name="iou", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = keras.ops.cast(y_true, self.dtype)
        y_pred = keras.ops.cast(y_pred, self.dtype)
        return super().update_state(iou_formula(y_true, y_pred, keras.ops), sample_weight)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}
