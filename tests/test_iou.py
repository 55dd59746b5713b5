"""`pyimagesearch.utils.iou`: IoU of known boxes, in NumPy and as a Keras metric."""

import numpy as np
import pytest

from pyimagesearch.utils import box_iou

KNOWN = [  # (box a, box b, IoU)
    ([0, 0, 10, 10], [0, 0, 10, 10], 1.0),  # identical
    ([0, 0, 10, 10], [20, 20, 30, 30], 0.0),  # disjoint
    ([0, 0, 10, 10], [10, 0, 20, 10], 0.0),  # touching along an edge
    ([0, 0, 2, 2], [1, 0, 3, 2], 1 / 3),  # half of each overlaps
    ([0, 0, 10, 10], [2, 2, 7, 7], 0.25),  # contained: 25 / 100
    ([0.1, 0.2, 0.5, 0.6], [0.1, 0.2, 0.5, 0.6], 1.0),  # normalised coordinates
    ([0, 0, 0, 0], [0, 0, 0, 0], 0.0),  # empty boxes: 0, not NaN
    ([10, 10, 0, 0], [0, 0, 10, 10], 0.0),  # an inverted box counts as empty
]


@pytest.mark.parametrize("a, b, expected", KNOWN)
def test_box_iou_of_known_boxes(a, b, expected):
    assert box_iou(a, b) == pytest.approx(expected)
    assert box_iou(b, a) == pytest.approx(expected)  # symmetric


def test_box_iou_is_vectorised_and_the_same_on_any_scale():
    a = np.array([k[0] for k in KNOWN], float)
    b = np.array([k[1] for k in KNOWN], float)
    np.testing.assert_allclose(box_iou(a, b), [k[2] for k in KNOWN])
    scale = np.array([640, 480, 640, 480])  # pixels of a 640x480 image
    np.testing.assert_allclose(box_iou(a * scale, b * scale), [k[2] for k in KNOWN])
    # one box against many broadcasts
    assert box_iou(a[:5], [0, 0, 10, 10]).shape == (5,)
    assert box_iou(a.reshape(2, 4, 4), b.reshape(2, 4, 4)).shape == (2, 4)


def test_box_iou_rejects_shapes_without_four_corners():
    with pytest.raises(ValueError, match=r"Received: boxes_b.shape=\(2, 3\)"):
        box_iou(np.zeros((2, 4)), np.zeros((2, 3)))


def test_box_iou_metric_averages_and_reloads_with_a_model(tmp_path):
    import keras

    from pyimagesearch.utils import BoxIoU

    metric = BoxIoU()
    metric.update_state(np.array([k[0] for k in KNOWN[:5]], "float32"),
                        np.array([k[1] for k in KNOWN[:5]], "float32"))
    assert float(metric.result()) == pytest.approx(np.mean([k[2] for k in KNOWN[:5]]), abs=1e-6)

    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(4, activation="sigmoid")(inputs))
    model.compile(loss="mse", optimizer="adam", metrics=[BoxIoU()])
    x = np.random.default_rng(0).random((8, 3)).astype("float32")
    y = np.tile([0.2, 0.2, 0.8, 0.8], (8, 1)).astype("float32")
    history = model.fit(x, y, validation_data=(x, y), epochs=1, verbose=0)
    assert {"iou", "val_iou"} <= set(history.history)
    model.save(tmp_path / "m.keras")
    reloaded = keras.saving.load_model(tmp_path / "m.keras")
    scores = reloaded.evaluate(x, y, verbose=0, return_dict=True)
    assert scores["iou"] == pytest.approx(history.history["val_iou"][0], abs=1e-5)
