"""`pyimagesearch.datasets.splits`: the diary's splits."""


import pytest

from conftest import kaggle_label




def test_split_counts_and_stratification(kaggle):
    from pyimagesearch.errors import DatasetError
    from pyimagesearch.datasets import list_labelled_images, split_counts, split_dataset

    assert split_counts(25000, 0.1, 0.1) == (2500, 2500)  # the diary's 2,500 + 2,500
    assert split_counts(40, 0.1, 0.1) == (4, 4)
    assert split_counts(40, 0.25, 0.1, test_count=6) == (10, 6)
    with pytest.raises(DatasetError, match="no training images"):
        split_counts(10, 0.1, 0.1, val_count=5, test_count=5)
    with pytest.raises(ValueError):
        split_counts(40, val_fraction=1.5, test_fraction=0.1)

    paths, labels = list_labelled_images(kaggle, label_from=kaggle_label)
    splits = split_dataset(paths, labels, 4, 6, seed=42)
    sizes = {name: len(split[0]) for name, split in splits.items()}
    assert sizes == {"train": 30, "val": 4, "test": 6}
    for name, (split_paths, split_labels) in splits.items():
        assert split_labels.count("cat") == split_labels.count("dog")  # stratified
        assert all(kaggle_label(p) == label
                   for p, label in zip(split_paths, split_labels))
    everything = [p for split in splits.values() for p in split[0]]
    assert sorted(everything) == sorted(paths)  # disjoint and complete
    again = split_dataset(paths, labels, 4, 6, seed=42)
    assert again == splits  # seeded
    assert splits["train"][0] != sorted(splits["train"][0])  # rows come out shuffled
    with pytest.raises(DatasetError, match="smaller than the number of classes"):
        split_dataset(paths, labels, 1, 6)
