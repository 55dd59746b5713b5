"""`pyimagesearch.datasets.boxes`: the box CSV loader, on generated images and rows."""

import cv2
import numpy as np
import pytest

from pyimagesearch.datasets import load_boxes, read_box_csv
from pyimagesearch.errors import DatasetError


@pytest.fixture
def images(tmp_path):
    """Three images of different sizes (width x height: 40x20, 30x30, 50x25)."""
    folder = tmp_path / "images"
    folder.mkdir()
    for name, (w, h) in {"a.jpg": (40, 20), "b.png": (30, 30), "c.jpg": (50, 25)}.items():
        image = np.zeros((h, w, 3), np.uint8)
        image[..., 2] = 200  # red in BGR
        cv2.imwrite(str(folder / name), image)
    return folder


def write_csv(tmp_path, text):
    path = tmp_path / "boxes.csv"
    path.write_text(text)
    return path


ROWS = "a.jpg,4,2,36,18\nb.png,0,0,30,30\nc.jpg,10,5,20,15\n"


@pytest.mark.parametrize("header", ["", "filename,startX,startY,endX,endY\n"])
def test_load_boxes_normalises_by_the_original_size_with_or_without_header(
        tmp_path, images, header):
    data = load_boxes(write_csv(tmp_path, header + ROWS), images, size=(16, 12))
    assert data.images.shape == (3, 12, 16, 3) and data.images.dtype == np.uint8
    np.testing.assert_allclose(data.boxes, [[0.1, 0.1, 0.9, 0.9], [0, 0, 1, 1],
                                            [0.2, 0.2, 0.4, 0.6]], atol=1e-6)
    assert data.filenames == ["a.jpg", "b.png", "c.jpg"]
    assert data.sizes.tolist() == [[40, 20], [30, 30], [50, 25]]
    assert data.lines == [1 + bool(header), 2 + bool(header), 3 + bool(header)]
    assert data.skipped == []
    # RGB by default: the red BGR image has its red in channel 0
    assert data.images[0, ..., 0].mean() > 190 and data.images[0, ..., 2].mean() < 10
    assert load_boxes(write_csv(tmp_path, ROWS), images, size=8, rgb=False).images[0, 0, 0, 2] > 190


def test_read_box_csv_keeps_line_numbers_and_skips_blank_lines(tmp_path):
    rows = read_box_csv(write_csv(tmp_path, "a.jpg,1,2,3,4\n\nb.jpg, 1.5 ,2,3,4\n"))
    assert [(r.line, r.filename, r.box) for r in rows] == [
        (1, "a.jpg", (1.0, 2.0, 3.0, 4.0)), (3, "b.jpg", (1.5, 2.0, 3.0, 4.0))]


@pytest.mark.parametrize("text, messages", [
    ("a.jpg,4,2,36,18\nmissing.jpg,1,1,5,5\n", ["line 2", "missing.jpg not found"]),
    ("a.jpg,4,2,36,18\nb.png,1,x,5,5\n", ["line 2", "startY is not a finite number", "'x'"]),
    ("a.jpg,4,2,36,18\nb.png,1,1,5,nan\n", ["line 2", "endY is not a finite number"]),
    ("a.jpg,4,2,41,18\n", ["line 1", "leaves the image (40x20 pixels)"]),
    ("a.jpg,-1,2,30,18\n", ["line 1", "leaves the image"]),
    ("h1,h2,h3,h4,h5\na.jpg,30,2,4,18\n", ["line 2", "inverted box for a.jpg"]),
    ("a.jpg,4,18,36,2\n", ["line 1", "inverted box"]),
    ("a.jpg,4,2,36\n", ["line 1", "expected 5 fields", "got 4"]),
    ("a.jpg,4,2,36,18\nb.png,0,0,1,1\na.jpg,1,1,2,2\n", ["line 3", "already has a box on line 1"]),
    ("filename,startX,startY,endX,endY\n", ["no rows"]),
])
def test_load_boxes_reports_bad_rows_with_their_line(tmp_path, images, text, messages):
    with pytest.raises(DatasetError) as info:
        load_boxes(write_csv(tmp_path, text), images, size=8)
    for message in messages:
        assert message in str(info.value)


def test_an_unreadable_image_is_reported_with_its_line(tmp_path, images):
    (images / "broken.jpg").write_bytes(b"not an image")
    with pytest.raises(DatasetError, match="line 2: .*broken.jpg is not a readable image"):
        load_boxes(write_csv(tmp_path, "a.jpg,4,2,36,18\nbroken.jpg,1,1,2,2\n"), images, 8)


def test_degenerate_boxes_are_skipped_with_a_count_or_kept(tmp_path, images):
    path = write_csv(tmp_path, "a.jpg,4,2,36,18\nb.png,5,7,9,7\nc.jpg,3,1,3,20\n")
    with pytest.warns(UserWarning, match=r"skipped 2 degenerate box\(es\).*line 2 \(b.png\)"):
        data = load_boxes(path, images, size=8)
    assert data.filenames == ["a.jpg"]
    assert [(r.line, r.filename) for r in data.skipped] == [(2, "b.png"), (3, "c.jpg")]
    kept = load_boxes(path, images, size=8, keep_degenerate=True)
    assert kept.filenames == ["a.jpg", "b.png", "c.jpg"] and kept.skipped == []
    np.testing.assert_allclose(kept.boxes[1], [5 / 30, 7 / 30, 9 / 30, 7 / 30], atol=1e-6)


def test_missing_files_and_bad_arguments(tmp_path, images):
    with pytest.raises(DatasetError, match="no such file"):
        read_box_csv(tmp_path / "none.csv")
    with pytest.raises(DatasetError, match="no such folder"):
        load_boxes(write_csv(tmp_path, ROWS), tmp_path / "nowhere", size=8)
    with pytest.raises(ValueError, match="Received: size=.0, 8."):
        load_boxes(write_csv(tmp_path, ROWS), images, size=(0, 8))
    with pytest.raises(DatasetError, match="every box is degenerate"):
        load_boxes(write_csv(tmp_path, "a.jpg,1,1,1,5\n"), images, size=8)
