"""Labels to one-hot targets and a train/test split, the diary's way."""


def split_labelled(data, labels, test_size=0.25, seed=42):
    """Encode folder-name labels once, one-hot them, and split 75/25.

    One `LabelEncoder` is fitted on ALL labels before the split, so class
    `i` is `class_names[i]` in both splits (the 2020 code fitted binarizers
    on each split separately, and classes could permute).

    Args:
        data: the samples (e.g. images from `SimpleDatasetLoader`).
        labels: their string labels.
        test_size: the fraction held out for testing.
        seed: `train_test_split`'s `random_state` (the diary used 42).

    Returns:
        `(train_x, test_x, train_y, test_y, class_names)` with one-hot
        float32 targets and the sorted class names.

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

    if len(data) != len(labels):
        raise ValueError(
            f"`data` and `labels` differ in length. Received: {len(data)} and {len(labels)}"
        )
    encoder = LabelEncoder().fit(labels)
    class_names = [str(c) for c in encoder.classes_]
    targets = keras.utils.to_categorical(encoder.transform(labels), len(class_names))
    train_x, test_x, train_y, test_y = train_test_split(
        data, targets, test_size=test_size, random_state=seed
    )
    return train_x, test_x, train_y, test_y, class_names
