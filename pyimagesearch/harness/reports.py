"""A run's evaluation files: the classification report, its confusion matrix, a grid of test images.

`Run.save_report` and `Run.evaluate` write them;
`evaluate` is the last block of most study scripts in one call: predict
every test sample, write the report (``classification_report.txt`` /
``.json`` with the confusion matrix, ``classification_report_confusion.png``),
the grid of the first 16 test images (``test_predictions.png``) and the
ledger row of the accuracy.
"""

import os

import numpy as np


def check_covered(y_true, y_pred):
    """An error unless there is one prediction per true label (a capped `predict` drops rows)."""
    if len(y_true) != len(y_pred):
        cap = os.environ.get("KERAS_MAX_STEPS_PER_EPOCH")
        why = f" (KERAS_MAX_STEPS_PER_EPOCH={cap} also caps predict)" if cap else ""
        raise RuntimeError(f"the predictions cover {len(y_pred)} of {len(y_true)} test "
                           f"samples{why}: predict with pyimagesearch.utils.predict_all")


def write_report(run, y_true, y_pred, class_names, name="classification_report"):
    """`name`.txt/.json and `name`_confusion.png in `run`'s folder; the report (printed too)."""
    from pyimagesearch.utils.plotting import plot_confusion_matrix
    from pyimagesearch.utils.reports import classification_report

    check_covered(y_true, y_pred)
    text, table = classification_report(y_true, y_pred, class_names)
    _, matrix = plot_confusion_matrix(y_true, y_pred, class_names,
                                      run.path(f"{name}_confusion.png"),
                                      title=run._title(f"{run.study}: confusion matrix"))
    table["confusion_matrix"] = matrix.tolist()
    run.save(f"{name}.txt", text)
    run.save(f"{name}.json", table)
    print(text)
    return table


def write_predictions(run, images, y_true, y_pred, class_names, name="test_predictions.png"):
    """A grid of the first 16 `images` with their true and predicted labels; its path."""
    from pyimagesearch.utils.plotting import plot_predictions
    from pyimagesearch.utils.reports import as_labels

    return plot_predictions(images, as_labels(y_true, "y_true"), as_labels(y_pred, "y_pred"),
                            class_names, run.path(name),
                            title=run._title(f"{run.study}: test images"))


def _rgb(images):
    """OpenCV's BGR colour images in RGB order, channels last or first (a view)."""
    axis = -1 if np.shape(images)[-1] == 3 else 1
    return np.flip(images, axis=axis) if np.shape(images)[axis] == 3 else images


def evaluate(run, model, x, y, class_names, batch_size=32, data=None, bgr=False):
    """Predict every sample of `x`; write the report, the image grid and the accuracy's row.

    Args:
        run: the `Run`.
        model: a Keras classifier.
        x: the test images (an array: the grid shows the first 16).
        y: their labels (integers or one-hot rows).
        class_names: the names of the classes, in the labels' order.
        batch_size: `predict`'s batch size.
        data: what the ledger row names as the data (default: the run's data set).
        bgr: `x` holds colour images in OpenCV's BGR order (the grid shows RGB).
    Returns:
        the classification report (a dict: ``report["accuracy"]``...).
    """
    from pyimagesearch.utils import predict_all

    predictions = predict_all(model, x, batch_size=batch_size)
    report = write_report(run, y, predictions, class_names)
    if np.ndim(x) in (3, 4):  # images (grey or colour); other inputs have no grid
        write_predictions(run, _rgb(x) if bgr else x, y, predictions, class_names)
    run.record(data or run.data_name or run.study, "accuracy", report["accuracy"])
    return report
