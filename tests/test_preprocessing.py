"""Tests of the image preprocessors on small arrays with known answers."""

import json
import re

import cv2
import numpy as np
import pytest

from pyimagesearch.errors import DatasetError
from pyimagesearch.preprocessing import (
    AspectAwarePreprocessor,
    CropPreprocessor,
    ImageToArrayPreprocessor,
    MeanPreprocessor,
    PatchPreprocessor,
    SimplePreprocessor,
    load_means,
)

ALL_SIZED = [
    SimplePreprocessor,
    AspectAwarePreprocessor,
    PatchPreprocessor,
    CropPreprocessor,
]


def _arange_image(h, w, c=3, dtype=np.float32):
    return np.arange(h * w * c, dtype=dtype).reshape(h, w, c)


def test_simple_preprocessor_ignores_aspect_ratio():
    image = np.zeros((40, 20, 3), dtype=np.uint8)
    out = SimplePreprocessor(32, 16).preprocess(image)
    assert out.shape == (16, 32, 3) and out.dtype == np.uint8
    assert SimplePreprocessor(8, 8).preprocess(np.zeros((20, 30))).shape == (8, 8)
    assert SimplePreprocessor(8, 6).preprocess(np.zeros((20, 30, 1))).shape == (6, 8, 1)
    # A constant image stays constant.
    out = SimplePreprocessor(5, 7).preprocess(np.full((20, 30, 3), 9, np.uint8))
    assert np.all(out == 9)


def test_image_to_array_channels_last_and_first():
    image = _arange_image(4, 5, 3, dtype=np.uint8)
    last = ImageToArrayPreprocessor("channels_last").preprocess(image)
    assert last.dtype == np.float32 and last.shape == (4, 5, 3)
    np.testing.assert_array_equal(last, image)
    first = ImageToArrayPreprocessor("channels_first").preprocess(image)
    assert first.dtype == np.float32 and first.shape == (3, 4, 5)
    np.testing.assert_array_equal(first[2], image[:, :, 2])


def test_image_to_array_grayscale_and_default_format():
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    last = ImageToArrayPreprocessor("channels_last").preprocess(gray)
    assert last.shape == (3, 4, 1)
    np.testing.assert_array_equal(last[:, :, 0], gray)
    first = ImageToArrayPreprocessor("channels_first").preprocess(gray)
    assert first.shape == (1, 3, 4)
    keras = pytest.importorskip("keras")
    assert ImageToArrayPreprocessor().data_format == keras.config.image_data_format()


def test_aspect_aware_crops_the_centre_after_the_resize():
    # A 40x20 (HxW) image whose value is its row index: halving it with
    # INTER_AREA averages row pairs, so resized row i holds 2i + 0.5.
    image = np.repeat(np.arange(40, dtype=np.float32)[:, None], 20, axis=1)
    out = AspectAwarePreprocessor(10, 10).preprocess(image)
    assert out.shape == (10, 10)
    # The 20x10 resized image is cropped at rows 5..14 (offset from the
    # resized height 20, not the original 40, which would give rows 15..24).
    expected = 2 * np.arange(5, 15, dtype=np.float32) + 0.5
    np.testing.assert_allclose(out[:, 0], expected)
    assert np.all(out == out[:, :1])


def test_aspect_aware_landscape_colour_and_non_square_target():
    # Value is the column index, in all 3 channels; 20x40 (HxW) landscape.
    image = np.repeat(np.arange(40, dtype=np.float32)[None, :], 20, axis=0)
    image = np.stack([image] * 3, axis=-1)
    out = AspectAwarePreprocessor(10, 10).preprocess(image)
    assert out.shape == (10, 10, 3)
    np.testing.assert_allclose(out[0, :, 1], 2 * np.arange(5, 15) + 0.5)
    # A non-square target: the image must cover both target sides.
    out = AspectAwarePreprocessor(4, 16).preprocess(np.zeros((100, 50, 3), np.uint8))
    assert out.shape == (16, 4, 3)
    out = AspectAwarePreprocessor(30, 7).preprocess(np.zeros((33, 61, 1), np.uint8))
    assert out.shape == (7, 30, 1)


def test_mean_preprocessor_subtracts_bgr_means(tmp_path):
    image = np.zeros((2, 3, 3), dtype=np.uint8)
    image[..., 0], image[..., 1], image[..., 2] = 10, 20, 30  # B, G, R
    out = MeanPreprocessor(r_mean=1.5, g_mean=2.0, b_mean=4.0).preprocess(image)
    assert out.dtype == np.float32 and out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out[..., 0], 6.0)
    np.testing.assert_array_equal(out[..., 1], 18.0)
    np.testing.assert_array_equal(out[..., 2], 28.5)

    path = tmp_path / "means.json"
    path.write_text(json.dumps({"R": 1.5, "G": 2.0, "B": 4.0}))
    from_file = MeanPreprocessor.from_json(path)
    np.testing.assert_array_equal(from_file.preprocess(image), out)
    path.write_text(json.dumps({"R": 1.5, "G": 2.0}))
    with pytest.raises(DatasetError, match='means.json: expected .*"B".*Received: {"R": 1.5'):
        MeanPreprocessor.from_json(path)
    with pytest.raises(ValueError, match=r"b_mean=nan"):
        MeanPreprocessor(1, 2, float("nan"))
    with pytest.raises(ValueError, match=r"shape \(2, 3\)"):
        MeanPreprocessor(1, 2, 3).preprocess(np.zeros((2, 3)))


@pytest.mark.parametrize("text, received", [
    ('{"R": 1, "G": 2', "not a readable JSON file of means"),        # bad JSON
    ('{"R": 1, "G": 2, "B": NaN}', 'Received: {"R": 1, "G": 2, "B": NaN}'),
    ('{"R": "124", "G": 116, "B": 104}', "of finite numbers"),       # a string
    ('{"R": 1, "G": 2}', '"B"'),                                     # a missing key
    ('[1, 2, 3]', "Received: [1, 2, 3]"),                            # not an object
    ('{"R": true, "G": 2, "B": 3}', "of finite numbers"),
])
def test_a_malformed_means_file_is_a_one_line_dataset_error(tmp_path, text, received):
    path = tmp_path / "mean.json"
    path.write_text(text)
    for read in (load_means, MeanPreprocessor.from_json):
        with pytest.raises(DatasetError, match=re.escape(received)) as info:
            read(path)
        assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_load_means_of_a_missing_file_names_it(tmp_path):
    with pytest.raises(DatasetError, match="nope.json: not a readable JSON file"):
        load_means(tmp_path / "nope.json")
    with pytest.raises(ValueError, match=r"Received: means=\[1, 2\]"):
        load_means([1, 2])
    assert load_means([1, 2, 3.5]) == (1.0, 2.0, 3.5)


def test_patch_preprocessor_in_bounds_and_reproducible():
    image = _arange_image(10, 12, 3)
    first = PatchPreprocessor(5, 4, seed=3)
    patches = [first.preprocess(image) for _ in range(20)]
    second = PatchPreprocessor(5, 4, seed=3)
    for patch in patches:
        assert patch.shape == (4, 5, 3)
        # The patch is a slice of the image: locate its corner and compare.
        y, x = divmod(int(patch[0, 0, 0]) // 3, 12)
        assert 0 <= y <= 10 - 4 and 0 <= x <= 12 - 5
        np.testing.assert_array_equal(patch, image[y : y + 4, x : x + 5])
        np.testing.assert_array_equal(patch, second.preprocess(image))
    # Different positions do come up.
    assert len({int(p[0, 0, 0]) for p in patches}) > 1
    # A patch of the image's own size is the image.
    np.testing.assert_array_equal(PatchPreprocessor(12, 10).preprocess(image), image)
    with pytest.raises(ValueError, match=r"smaller than the patch"):
        PatchPreprocessor(13, 4).preprocess(image)


def test_crop_preprocessor_ten_crops_by_definition():
    image = _arange_image(6, 8, 3)
    crops = CropPreprocessor(4, 4).preprocess(image)
    assert crops.shape == (10, 4, 4, 3)
    expected = [
        image[0:4, 0:4],  # top-left
        image[0:4, 4:8],  # top-right
        image[2:6, 4:8],  # bottom-right
        image[2:6, 0:4],  # bottom-left
        image[1:5, 2:6],  # centre
    ]
    for index, crop in enumerate(expected):
        np.testing.assert_array_equal(crops[index], crop)
        np.testing.assert_array_equal(crops[index + 5], crop[:, ::-1])

    five = CropPreprocessor(4, 4, horiz=False).preprocess(image)
    np.testing.assert_array_equal(five, crops[:5])
    gray = CropPreprocessor(3, 2).preprocess(image[:, :, 0])
    assert gray.shape == (10, 2, 3)
    np.testing.assert_array_equal(gray[4], image[2:4, 2:5, 0])


def test_crop_preprocessor_resizes_only_when_the_image_is_smaller():
    # Only 3 rows for 4-row crops: each crop spans all rows, then is resized.
    image = np.full((3, 8, 1), 7, dtype=np.uint8)
    crops = CropPreprocessor(4, 4).preprocess(image)
    assert crops.shape == (10, 4, 4, 1)
    assert np.all(crops == 7)


@pytest.mark.parametrize("cls", ALL_SIZED)
@pytest.mark.parametrize(
    "width, height, received",
    [(0, 4, "width=0"), (4, -1, "height=-1"), (2.5, 4, "width=2.5"), ("4", 4, "width='4'"),
     (True, 4, "width=True")],
)
def test_sized_preprocessors_validate_size(cls, width, height, received):
    name = received.split("=")[0]
    with pytest.raises(ValueError, match=f"`{name}` must be an integer >= 1. Received: {received}$"):
        cls(width, height)


@pytest.mark.parametrize(
    "preprocessor",
    [
        SimplePreprocessor(4, 4),
        AspectAwarePreprocessor(4, 4),
        PatchPreprocessor(2, 2),
        CropPreprocessor(2, 2),
        ImageToArrayPreprocessor("channels_last"),
        MeanPreprocessor(1, 2, 3),
    ],
)
@pytest.mark.parametrize(
    "image, received",
    [
        (np.zeros(5), r"array of shape \(5,\)"),
        (np.zeros((2, 4, 4, 3)), r"array of shape \(2, 4, 4, 3\)"),
        ([[1, 2], [3, 4]], r"Received: list"),
    ],
)
def test_preprocess_rejects_non_images(preprocessor, image, received):
    with pytest.raises(ValueError, match=received):
        preprocessor.preprocess(image)


def test_other_argument_validation():
    with pytest.raises(ValueError, match=r"data_format='channels_middle'"):
        ImageToArrayPreprocessor("channels_middle")
    with pytest.raises(ValueError, match=r"non-negative integer"):  # NumPy's own check
        PatchPreprocessor(2, 2, seed=-3)
    with pytest.raises(ValueError, match=r"horiz='yes'"):
        CropPreprocessor(2, 2, horiz="yes")
    with pytest.raises(ValueError, match=r"inter='area'"):
        SimplePreprocessor(2, 2, inter="area")
    assert SimplePreprocessor(2, 2, inter=cv2.INTER_NEAREST).inter == cv2.INTER_NEAREST


def test_the_opencv_preprocessors_and_the_writer_do_not_import_keras():
    """Decoding and writing HDF5 (build_dataset.py) import no keras/TensorFlow."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from pyimagesearch.preprocessing import AspectAwarePreprocessor\n"
            "from pyimagesearch.io import hdf5build\n"
            "from pyimagesearch.io import HDF5DatasetWriter\n"
            "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules\n"
            "from pyimagesearch.io import HDF5DatasetGenerator\n"
            "assert 'keras' in sys.modules\n"
            "import pyimagesearch.preprocessing as p\n"
            "assert callable(p.build_augmentation) and 'keras' in sys.modules\n"
            "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("ok")
