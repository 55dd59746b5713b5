"""Issue 23: one image reader (truncated files, pixel bombs), seeded augmentation,
locks, stale temporaries and side files."""

import json
import os
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import ROOT, load_script, make_image_folder, one_line_error
from pyimagesearch.errors import DatasetError
from pyimagesearch.io import imagefile


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_bomb(path, side=20000):
    """A `side` x `side` grey PNG of zeros: ~0.4 MB on disk, 400 MB of pixels (cheap to make)."""
    packer, row, parts = zlib.compressobj(9), b"\0" * (side + 1), []
    rows_per_step = max(1, (1 << 24) // len(row))
    for start in range(0, side, rows_per_step):
        parts.append(packer.compress(row * min(rows_per_step, side - start)))
    parts.append(packer.flush())
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
                           + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b""))
    return Path(path)


@pytest.fixture(scope="module")
def bad_images(tmp_path_factory):
    """A good JPEG and PNG, a bomb, a truncated JPEG and a PNG without IEND."""
    folder = tmp_path_factory.mktemp("bad")
    image = np.random.default_rng(0).integers(0, 255, (40, 48, 3), dtype=np.uint8)
    cv2.imwrite(str(folder / "good.jpg"), image)
    cv2.imwrite(str(folder / "good.png"), image)
    jpg, png = (folder / "good.jpg").read_bytes(), (folder / "good.png").read_bytes()
    (folder / "cut.jpg").write_bytes(jpg[: len(jpg) * 2 // 3])
    (folder / "cut.png").write_bytes(png[:-12])
    write_bomb(folder / "bomb.png")
    return folder


def test_bomb_is_refused_before_decoding_and_memory_stays_small(bad_images):
    code = textwrap.dedent(f"""
        from pyimagesearch.io.imagefile import read_image, load_image
        assert read_image({str(bad_images / 'bomb.png')!r}) is None
        try:
            load_image({str(bad_images / 'bomb.png')!r})
        except Exception as error:
            print(error)
        # VmHWM, not ru_maxrss: ru_maxrss counts the (large) parent at the fork
        hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0]
        print(int(hwm.split()[1]) // 1024)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.splitlines()
    assert "20000x20000 pixels, over the limit of 64000000 pixels" in out[0]
    assert int(out[-1]) < 400, f"peak RSS {out[-1]} MB: the bomb was decoded"  # 1.2 GB if so


@pytest.mark.parametrize("name, message", [
    ("cut.jpg", "truncated"), ("cut.png", "truncated"), ("bomb.png", "over the limit")])
def test_a_single_bad_image_is_one_line(bad_images, name, message):
    with pytest.raises(DatasetError, match=message) as info:
        imagefile.load_image(bad_images / name)
    assert "\n" not in str(info.value)
    assert imagefile.read_image(bad_images / name) is None
    assert imagefile.read_image(bad_images / "good.png").shape == (40, 48, 3)


def test_the_limit_is_settable_by_setter_and_environment(bad_images, monkeypatch):
    assert imagefile.get_max_pixels() == imagefile.DEFAULT_MAX_PIXELS == 64_000_000
    monkeypatch.setenv("PYIMAGESEARCH_MAX_PIXELS", "1000")
    assert imagefile.read_image(bad_images / "good.jpg") is None  # 40x48 = 1920 > 1000
    monkeypatch.delenv("PYIMAGESEARCH_MAX_PIXELS")
    imagefile.set_max_pixels(1919)
    try:
        with pytest.raises(DatasetError, match="48x40 pixels"):  # noqa: PT012
            imagefile.load_image(bad_images / "good.jpg")
        assert imagefile.image_size((bad_images / "good.jpg").read_bytes()) == (48, 40)
    finally:
        imagefile.set_max_pixels(None)
    assert imagefile.read_image(bad_images / "good.jpg") is not None
    monkeypatch.setenv("PYIMAGESEARCH_MAX_PIXELS", "lots")
    with pytest.raises(DatasetError, match="PYIMAGESEARCH_MAX_PIXELS"):
        imagefile.get_max_pixels()


def test_every_loader_skips_and_counts_bad_images(bad_images, tmp_path):
    from pyimagesearch.datasets import SimpleDatasetLoader, image_path_dataset
    from pyimagesearch.datasets.cifar10 import _read_png

    folder = make_image_folder(tmp_path / "animals", per_class=2)
    for name in ("cut.jpg", "cut.png", "bomb.png"):
        os.symlink(bad_images / name, folder / "cats" / name)
    paths = sorted(str(p) for p in folder.rglob("*.*"))
    with pytest.warns(UserWarning, match="skipped 3 of 9"):
        data, _ = SimpleDatasetLoader().load(paths)
    assert len(data) == 6
    kept = np.concatenate([i.numpy() for i, _ in image_path_dataset(paths, 16)])
    assert [paths[i] for i in kept] == [p for p in paths if "cut" not in p and "bomb" not in p]
    with pytest.raises(DatasetError, match="bomb.png is 20000x20000"):  # the first bad one
        list(image_path_dataset(paths, 16, skip_unreadable=False))
    with pytest.raises(DatasetError, match="truncated"):
        _read_png(bad_images / "cut.png")


def test_augmentation_demo_checks_its_image_before_the_run_folder(bad_images, tmp_path,
                                                                  capsys):
    script = load_script("2020-11-17-data-augmentation", "augmentation_demo")
    out = tmp_path / "aug"
    with pytest.raises(SystemExit) as info:
        script.main(["--image", str(bad_images / "bomb.png"), "--output", str(out), "-t", "1"])
    one_line_error(capsys, info, "--image", "over the limit")
    assert not out.exists()
    assert script.main(["--image", str(bad_images / "good.jpg"), "--output", str(out),
                        "-t", "1"]) == 0
    assert (out / "image_001.jpg").exists()


def test_max_pixels_flag_of_scripts_with_a_dataset(bad_images):
    from pyimagesearch import harness

    parser = harness.study_parser("doc", dataset="x")
    try:
        assert parser.parse_args(["--max-pixels", "1000"]).max_pixels == 1000
        assert imagefile.read_image(bad_images / "good.jpg") is None
    finally:
        assert parser.parse_args([]).max_pixels is None  # the next parse puts back the default
    assert imagefile.get_max_pixels() == imagefile.DEFAULT_MAX_PIXELS
    assert json.dumps(vars(parser.parse_args([]))["max_pixels"]) == "null"
