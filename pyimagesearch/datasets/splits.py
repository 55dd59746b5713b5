"""Splits the book's way: labels to one-hot targets and 75/25, or stratified train/val/test."""

from pyimagesearch._checks import number_in, positive_int
from pyimagesearch.errors import DatasetError


def split_labelled(data, labels, test_size=0.25, seed=42):
    """Encode folder-name labels once, one-hot them, and split 75/25.

    Returns:
        `(train_x, test_x, train_y, test_y, class_names)`: one-hot targets,
        sorted class names.

    Example:

    >>> import numpy as np
    >>> x = np.zeros((8, 2)); y = np.array(["cat", "dog"] * 4)
    >>> train_x, test_x, train_y, test_y, names = split_labelled(x, y)
    >>> train_y.shape, test_y.shape, names
    ((6, 2), (2, 2), ['cat', 'dog'])
    """
    import keras
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import LabelEncoder

    encoder = LabelEncoder().fit(labels)
    class_names = [str(c) for c in encoder.classes_]
    if len(class_names) < 2:
        raise DatasetError(f"the data holds one class ({', '.join(class_names) or 'none'}); "
                           "a classifier needs at least two (one folder per class)")
    targets = keras.utils.to_categorical(encoder.transform(labels), len(class_names))
    train_x, test_x, train_y, test_y = train_test_split(
        data, targets, test_size=test_size, random_state=seed
    )
    return train_x, test_x, train_y, test_y, class_names


def split_counts(total, val_fraction, test_fraction, val_count=None, test_count=None):
    """How many images go to validation and test: `(val, test)`.

    Counts win over fractions; a fraction is rounded to the nearest image.

    Example:

    >>> split_counts(25000, 0.1, 0.1)
    (2500, 2500)
    >>> split_counts(40, 0.1, 0.1, test_count=6)
    (4, 6)
    """
    def resolve(name, fraction, count):
        if count is not None:
            return positive_int(f"{name}_count", count)
        fraction = number_in(f"{name}_fraction", fraction, 0, 1, low_open=True, high_open=True)
        return max(1, int(round(total * fraction)))

    n_val = resolve("val", val_fraction, val_count)
    n_test = resolve("test", test_fraction, test_count)
    if n_val + n_test >= total:
        raise DatasetError(
            f"{n_val} validation + {n_test} test images leave no training images out of {total}"
        )
    return n_val, n_test


def split_dataset(paths, labels, n_val, n_test, seed=42):
    """Stratified, seeded train/val/test split (the book's order: test first).

    Returns:
        ``{"train": (paths, labels), "val": (...), "test": (...)}``.

    Raises:
        DatasetError: a split too small to hold every class.
    """
    from sklearn.model_selection import train_test_split

    classes = sorted(set(labels))
    n_train = len(paths) - n_val - n_test
    for name, count in (("validation", n_val), ("test", n_test), ("training", n_train)):
        if count < len(classes):
            raise DatasetError(
                f"the {name} split ({count} images) is smaller than the number of classes "
                f"({len(classes)}): a stratified split needs at least one image of each"
            )
    train_paths, test_paths, train_labels, test_labels = train_test_split(
        list(paths), list(labels), test_size=n_test, stratify=labels, random_state=seed)
    train_paths, val_paths, train_labels, val_labels = train_test_split(
        train_paths, train_labels, test_size=n_val, stratify=train_labels, random_state=seed)
    return {"train": (train_paths, train_labels), "val": (val_paths, val_labels),
            "test": (test_paths, test_labels)}
