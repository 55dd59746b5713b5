"""Intersection over union (IoU) of boxes, in NumPy and as a Keras metric.

A box is ``(x1, y1, x2, y2)``: its top-left and bottom-right corners, on
any scale (pixels, or divided by the image's width and height: IoU is the
same, since it is a ratio of areas and both areas scale alike). IoU is
``area(a & b) / area(a | b)``: 1 for identical boxes, 0 for disjoint ones.

- `box_iou(a, b)`: the IoU of each pair of boxes, vectorised (NumPy).
- `BoxIoU`: the mean IoU as a `keras.metrics.Metric` (in `keras.ops`, the
  same formula), so that it shows in the training history and serialises
  with the model (import `pyimagesearch.utils.BoxIoU` before loading).

Example:

>>> box_iou([0, 0, 2, 2], [1, 0, 3, 2])   # half of each overlaps
np.float64(0.3333333333333333)
"""

import numpy as np


def iou_formula(a, b, ops):
    """IoU of the boxes in the last axis of `a` and `b`, written once for both
    `numpy` and `keras.ops` (`ops`: either module).

    An inverted box (``x2 < x1``) counts as empty; two empty boxes give 0.
    """
    ax1, ay1, ax2, ay2 = a[..., 0], a[..., 1], a[..., 2], a[..., 3]
    bx1, by1, bx2, by2 = b[..., 0], b[..., 1], b[..., 2], b[..., 3]
    inter_w = ops.maximum(ops.minimum(ax2, bx2) - ops.maximum(ax1, bx1), 0.0)
    inter_h = ops.maximum(ops.minimum(ay2, by2) - ops.maximum(ay1, by1), 0.0)
    inter = inter_w * inter_h
    area_a = ops.maximum(ax2 - ax1, 0.0) * ops.maximum(ay2 - ay1, 0.0)
    area_b = ops.maximum(bx2 - bx1, 0.0) * ops.maximum(by2 - by1, 0.0)
    union = area_a + area_b - inter
    # 0 / 1 where the union is empty (both boxes empty): IoU 0, never NaN
    return ops.where(union > 0, inter / ops.where(union > 0, union, 1.0), 0.0)


def box_iou(boxes_a, boxes_b) -> "np.ndarray":
    """IoU of each pair of boxes ``(x1, y1, x2, y2)``.

    Args:
        boxes_a, boxes_b: array-likes of shape ``(..., 4)``; they broadcast
            against each other (one box against many, or pair by pair).

    Returns:
        The IoUs, shape ``(...)`` (a NumPy float64 scalar for two boxes).

    Raises:
        ValueError: the last axis is not 4.

    Example:

    >>> box_iou([[0, 0, 10, 10], [0, 0, 10, 10]], [[0, 0, 10, 10], [20, 20, 30, 30]])
    array([1., 0.])
    """
    a = np.asarray(boxes_a, dtype=np.float64)
    b = np.asarray(boxes_b, dtype=np.float64)
    for name, value in (("boxes_a", a), ("boxes_b", b)):
        if value.ndim < 1 or value.shape[-1] != 4:
            raise ValueError(
                f"`{name}` must have shape (..., 4) (x1, y1, x2, y2). "
                f"Received: {name}.shape={value.shape}"
            )
    with np.errstate(invalid="ignore", divide="ignore"):
        return iou_formula(a, b, np)[()]  # a NumPy scalar, not a 0-d array, for two boxes
