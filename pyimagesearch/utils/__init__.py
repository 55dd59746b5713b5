from pyimagesearch._lazy import lazy_names

__all__ = ["BoxIoU", "PolynomialDecay", "StepDecay", "box_iou", "classification_report",
           "keras2_decay", "plot_confusion_matrix", "plot_history", "plot_images",
           "plot_predictions", "predict_all", "progress_bar", "rank5_accuracy", "show_image",
           "track"]

# imported on first use: `pyimagesearch.utils.atomic` (every writer) and
# `progress` must not pay for scikit-learn, matplotlib or keras (a decoding
# process of the HDF5 build imports them)
__getattr__ = lazy_names(__name__, {
    "BoxIoU": "pyimagesearch.utils.ioumetric",
    "box_iou": "pyimagesearch.utils.iou",
    "plot_confusion_matrix": "pyimagesearch.utils.plotting",
    "plot_history": "pyimagesearch.utils.plotting",
    "plot_images": "pyimagesearch.utils.plotting",
    "plot_predictions": "pyimagesearch.utils.plotting",
    "predict_all": "pyimagesearch.utils.predict",
    "progress_bar": "pyimagesearch.utils.progress",
    "track": "pyimagesearch.utils.progress",
    "rank5_accuracy": "pyimagesearch.utils.ranked",
    "classification_report": "pyimagesearch.utils.reports",
    "PolynomialDecay": "pyimagesearch.utils.schedules",
    "StepDecay": "pyimagesearch.utils.schedules",
    "keras2_decay": "pyimagesearch.utils.schedules",
    "show_image": "pyimagesearch.utils.display",
})
