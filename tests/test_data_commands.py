"""The data commands: `python -m pyimagesearch.harness.data list | fetch | prepare | verify`.

Every archive here is tiny and built in the official layout; nothing reaches
the network (`fetch` gets a monkeypatched `keras.utils.get_file`).
"""

import csv
import gzip
import io
import json
import tarfile
import zipfile

import cv2
import numpy as np
import pytest

from conftest import (ROOT, load_script, make_cifar_batches, make_image_folder, make_tiny_mnist,
                      one_line_error)
from pyimagesearch.harness.data import main
from pyimagesearch.harness.data import records
from pyimagesearch.harness.data.sources import FLOWERS17_CLASSES

MANIFESTS = ROOT / "pyimagesearch" / "harness" / "data" / "manifests"


@pytest.fixture
def root(tmp_path, monkeypatch):
    """An empty DATASETS_DIR."""
    folder = tmp_path / "datasets"
    folder.mkdir()
    monkeypatch.setenv("DATASETS_DIR", str(folder))
    return folder


def _jpeg(path, size=(20, 24), value=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    image = np.full((*size, 3), value % 256, np.uint8)
    image[::3] = 255 - value % 256
    assert cv2.imwrite(str(path), image)


def _tar(folder, archive, arcname=None):
    with tarfile.open(archive, "w:gz" if archive.suffix in (".tgz", ".gz") else "w") as tar:
        tar.add(folder, arcname=arcname or folder.name)
    return archive


def _flowers_archive(tmp_path, per_class=2):
    jpg = tmp_path / "official" / "jpg"
    for n in range(1, 17 * per_class + 1):
        _jpeg(jpg / f"image_{n:04d}.jpg", value=n)
    return _tar(jpg, tmp_path / "17flowers.tgz")


def _write_subset(folder, name, header, rows):
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    with gzip.open(folder / f"{name}_readme.csv.gz", "wt") as f:
        f.write(buffer.getvalue())


def test_flowers17_from_the_official_flat_folder_and_verify(root, tmp_path, capsys):
    assert main(["prepare", "flowers17", "--from", str(_flowers_archive(tmp_path))]) == 0
    flowers = root / "flowers17"
    assert sorted(p.name for p in flowers.iterdir() if p.is_dir()) == sorted(FLOWERS17_CLASSES)
    assert sorted(p.name for p in (flowers / "Daffodil").iterdir()) == [
        "image_0001.jpg", "image_0002.jpg"]
    assert sorted(p.name for p in (flowers / "Snowdrop").iterdir()) == [
        "image_0003.jpg", "image_0004.jpg"]
    assert sorted(p.name for p in (flowers / "Pansy").iterdir()) == [
        "image_0033.jpg", "image_0034.jpg"]
    assert "SHA-256 of 17flowers.tgz" in capsys.readouterr().out
    assert json.loads((flowers / "SOURCE.json").read_text())["sha256"]
    assert sorted(p.name for p in root.iterdir()) == ["flowers17"]  # no staging left
    assert main(["verify", "flowers17"]) == 0

    _jpeg(flowers / "Daffodil" / "image_0001.jpg", value=99)  # changed
    (flowers / "Pansy" / "image_0034.jpg").unlink()  # missing
    _jpeg(flowers / "Pansy" / "stray.jpg")  # extra
    capsys.readouterr()
    assert main(["verify", "flowers17"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "changed: flowers17/Daffodil/image_0001.jpg" in err
    assert "missing: flowers17/Pansy/image_0034.jpg" in err
    assert "extra: flowers17/Pansy/stray.jpg" in err


def test_flowers17_refuses_a_count_that_is_not_17_classes(root, tmp_path, capsys):
    jpg = tmp_path / "jpg"
    for n in range(1, 20):
        _jpeg(jpg / f"image_{n:04d}.jpg")
    with pytest.raises(SystemExit) as info:
        main(["prepare", "flowers17", "--from", str(tmp_path)])
    one_line_error(capsys, info, "17 classes")
    assert not list(root.iterdir())


def _caltech_archive(tmp_path, boxes=None):
    """CALTECH-101's zip: the images and the ``.mat`` boxes, each in an archive inside it."""
    from scipy.io import savemat

    official = tmp_path / "official"
    boxes = boxes or {1: [30, 137, 49, 349], 2: [35, 153, 59, 342]}  # [y1 y2 x1 x2]
    for n, box in boxes.items():
        _jpeg(official / "101_ObjectCategories" / "airplanes" / f"image_{n:04d}.jpg",
              size=(160, 360), value=n)
        notes = official / "Annotations" / "Airplanes_Side_2"
        notes.mkdir(parents=True, exist_ok=True)
        savemat(notes / f"annotation_{n:04d}.mat",
                {"box_coord": np.array([box], np.uint16), "obj_contour": np.zeros((2, 4))})
    _jpeg(official / "101_ObjectCategories" / "Faces" / "image_0001.jpg")
    inner = tmp_path / "caltech-101"
    inner.mkdir()
    _tar(official / "101_ObjectCategories", inner / "101_ObjectCategories.tar.gz")
    _tar(official / "Annotations", inner / "Annotations.tar")
    archive = tmp_path / "caltech-101.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in inner.iterdir():
            zf.write(path, f"caltech-101/{path.name}")
    return archive


def test_caltech101_airplanes_from_nested_archives(root, tmp_path):
    archive = _caltech_archive(tmp_path)
    assert main(["prepare", "caltech101_airplanes", "--from", str(archive)]) == 0
    out = root / "caltech101_airplanes"
    assert sorted(p.name for p in (out / "images").iterdir()) == ["image_0001.jpg",
                                                                   "image_0002.jpg"]
    assert (out / "airplanes.csv").read_text().splitlines() == [
        "image_0001.jpg,49,30,349,137", "image_0002.jpg,59,35,342,153"]
    assert main(["verify", "caltech101_airplanes"]) == 0


def _kaggle_zip(tmp_path, per_class=3, size=(300, 400)):
    archive = tmp_path / "train.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("cat", "dog"):
            for i in range(per_class):
                ok, data = cv2.imencode(".jpg", np.full((*size, 3), 40 * i % 256, np.uint8))
                zf.writestr(f"train/{name}.{i}.jpg", data.tobytes())
    return archive


def test_dogs_vs_cats_whole_and_its_readme_subset(root, tmp_path, monkeypatch):
    archive = _kaggle_zip(tmp_path)
    assert main(["prepare", "dogs_vs_cats", "--from", str(archive)]) == 0
    assert len(list((root / "dogs_vs_cats" / "train").iterdir())) == 6

    monkeypatch.setattr(records, "MANIFEST_DIR", tmp_path / "manifests")
    _write_subset(tmp_path / "manifests", "dogs_vs_cats", ("file", "class"),
                  [("cat.1.jpg", "cat"), ("dog.2.jpg", "dog")])
    assert main(["prepare", "dogs_vs_cats", "--from", str(archive), "--subset", "readme",
                 "--force"]) == 0
    train = root / "dogs_vs_cats" / "train"
    assert sorted(p.name for p in train.iterdir()) == ["cat.1.jpg", "dog.2.jpg"]
    assert cv2.imread(str(train / "cat.1.jpg")).shape == (256, 341, 3)  # shorter side 256
    assert main(["verify", "dogs_vs_cats"]) == 0


def _cifar_tarball(tmp_path):
    written = make_cifar_batches(tmp_path / "src" / "cifar-10-batches-py")
    return _tar(tmp_path / "src" / "cifar-10-batches-py", tmp_path / "cifar-10-python.tar.gz"), \
        written


def _rgb(row):
    return row.reshape(3, 32, 32).transpose(1, 2, 0)


def test_cifar10_from_the_python_tarball(root, tmp_path):
    from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES, load_cifar10

    archive, written = _cifar_tarball(tmp_path)
    assert main(["prepare", "cifar10", "--from", str(archive)]) == 0
    (x_train, y_train), (x_test, y_test) = load_cifar10(root / "cifar10", verbose=0)
    assert len(x_train) == 20 and len(x_test) == 4
    data, labels = written["test_batch"]
    png = root / "cifar10" / "test" / CIFAR10_CLASSES[labels[0]] / "00000.png"
    assert np.array_equal(cv2.imread(str(png))[..., ::-1], _rgb(data[0]))


def test_cifar10_readme_subset_keeps_the_manifest_images_by_their_pixels(
        root, tmp_path, monkeypatch, capsys):
    from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES

    archive, written = _cifar_tarball(tmp_path)
    picks = [("train", "data_batch_3", 1, "a_000007.png"), ("test", "test_batch", 2, "b.png")]
    rows = []
    for split, batch, i, file in picks:
        data, labels = written[batch]
        rows.append((split, CIFAR10_CLASSES[labels[i]], file,
                     records.pixels_sha256(np.ascontiguousarray(_rgb(data[i])))))
    monkeypatch.setattr(records, "MANIFEST_DIR", tmp_path / "manifests")
    _write_subset(tmp_path / "manifests", "cifar10", ("split", "class", "file", "pixels_sha256"),
                  rows)
    assert main(["prepare", "cifar10", "--from", str(archive), "--subset", "readme"]) == 0
    found = sorted(p.relative_to(root / "cifar10").as_posix()
                   for p in (root / "cifar10").rglob("*.png"))
    assert found == sorted(f"{s}/{c}/{f}" for s, c, f, _ in rows)

    # an image the archive lacks: one line, nothing left behind, the old copy kept
    _write_subset(tmp_path / "manifests", "cifar10", ("split", "class", "file", "pixels_sha256"),
                  [*rows, ("test", "cat", "c.png", "0" * 64)])
    with pytest.raises(SystemExit) as info:
        main(["prepare", "cifar10", "--from", str(archive), "--subset", "readme", "--force"])
    one_line_error(capsys, info, "1 of the subset's 3 images")
    assert sorted(p.name for p in root.iterdir()) == ["cifar10"]
    assert main(["verify", "cifar10"]) == 0


def test_mnist_from_its_npz_is_checked(root, tmp_path, tiny_mnist, capsys):
    assert main(["prepare", "mnist", "--from", str(tiny_mnist)]) == 0
    assert (root / "mnist" / "mnist.npz").read_bytes() == tiny_mnist.read_bytes()
    bad = tmp_path / "bad" / "mnist.npz"
    bad.parent.mkdir()
    np.savez(bad, x_train=np.zeros((2, 28, 27), np.uint8), y_train=np.zeros(2),
             x_test=np.zeros((1, 28, 28), np.uint8), y_test=np.zeros(1))
    with pytest.raises(SystemExit) as info:
        main(["prepare", "mnist", "--from", str(bad), "--force"])
    one_line_error(capsys, info, "(n, 28, 28) uint8")


def test_animals_from_a_folder_and_a_study_trains_on_it(root, tmp_path, capsys):
    make_image_folder(tmp_path / "mine" / "animals", per_class=6)
    assert main(["prepare", "animals", "--from", str(tmp_path / "mine")]) == 0
    assert {p.name for p in (root / "animals").iterdir() if p.is_dir()} == {"cats", "dogs",
                                                                             "panda"}
    study = load_script("2020-11-10-shallownet", "train")
    assert study.main(["--epochs", "1", "--dataset", "animals", "--verbose", "0",
                       "--output", str(tmp_path / "run")]) == 0
    assert (tmp_path / "run" / "model.keras").is_file()


# each data set prepared from its official layout, then its study trains on it by its name
# (`--dataset NAME`: $DATASETS_DIR/NAME), 1 epoch on a few tiny images
TRAIN = ["--epochs", "1", "--verbose", "0", "--output", "{tmp}/run"]
STUDIES = {
    "mnist": [("2020-11-11-lenet", "train", ["--dataset", "mnist", "--batch-size", "10", *TRAIN])],
    "cifar10": [("2020-11-12-minivggnet", "train_decay",
                 ["--dataset", "cifar10", "--batch-size", "4", *TRAIN])],
    "flowers17": [("2020-11-17-data-augmentation", "train",
                   ["--dataset", "flowers17", "--batch-size", "8", *TRAIN])],
    "caltech101_airplanes": [("2020-10-17-bounding-box-regression", "train",
                              ["--dataset", "caltech101_airplanes", "--model", "mobilenet_v2",
                               "--weights", "none", "--image-size", "32", "--batch-size", "4",
                               *TRAIN])],
    "dogs_vs_cats": [("2020-11-23-dogs-vs-cats", "build_dataset",
                      ["--dataset", "dogs_vs_cats", "--hdf5-dir", "{tmp}/hdf5", "--image-size",
                       "64", "--val-count", "4", "--test-count", "6", "--verbose", "0"]),
                     ("2020-11-23-dogs-vs-cats", "train_alexnet",
                      ["--hdf5-dir", "{tmp}/hdf5", "--crop-size", "57", "--fc-units", "16",
                       "--batch-size", "4", *TRAIN])],
}
ARCHIVES = {
    "mnist": lambda tmp: make_tiny_mnist(tmp / "mnist.npz"),
    "cifar10": lambda tmp: _cifar_tarball(tmp)[0],
    "flowers17": lambda tmp: _flowers_archive(tmp, per_class=4),  # a stratified 25% split
    "caltech101_airplanes": lambda tmp: _caltech_archive(
        tmp, {n: [10 + n, 120 + n, 30 + 2 * n, 300 - n] for n in range(1, 11)}),
    "dogs_vs_cats": lambda tmp: _kaggle_zip(tmp, per_class=20, size=(64, 80)),
}


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_a_study_trains_on_each_prepared_data_set_by_its_name(root, tmp_path, name):
    assert main(["prepare", name, "--from", str(ARCHIVES[name](tmp_path))]) == 0
    assert main(["verify", name]) == 0
    for study, script, argv in STUDIES[name]:
        argv = [a.format(tmp=tmp_path) for a in argv]
        assert load_script(study, script).main(argv) == 0, script
    assert (tmp_path / "run" / "model.keras").is_file()
    assert json.loads((tmp_path / "run" / "args.json").read_text())["args"]["epochs"] == 1


def test_animals_says_which_folders_it_expects(root, tmp_path, capsys):
    make_image_folder(tmp_path / "mine", classes=("cat", "dog"))
    with pytest.raises(SystemExit) as info:
        main(["prepare", "animals", "--from", str(tmp_path / "mine")])
    one_line_error(capsys, info, "cats/, dogs/ and panda/")


@pytest.mark.parametrize("content", [b"not an archive at all", b""])
def test_a_bad_archive_leaves_nothing_behind(root, tmp_path, capsys, content):
    archive = tmp_path / "17flowers.tgz"
    archive.write_bytes(content)
    with pytest.raises(SystemExit) as info:
        main(["prepare", "flowers17", "--from", str(archive)])
    one_line_error(capsys, info, "not a readable archive")
    assert not list(root.iterdir())


def test_a_truncated_zip_and_a_wrong_hash_leave_nothing_behind(root, tmp_path, capsys):
    archive = _kaggle_zip(tmp_path)
    archive.write_bytes(archive.read_bytes()[:-200])
    with pytest.raises(SystemExit) as info:
        main(["prepare", "dogs_vs_cats", "--from", str(archive)])
    one_line_error(capsys, info, "not a readable archive")
    with pytest.raises(SystemExit) as info:
        main(["prepare", "flowers17", "--from", str(_flowers_archive(tmp_path)),
              "--sha256", "0" * 64])
    one_line_error(capsys, info, "SHA-256")
    assert not list(root.iterdir())


def test_a_member_outside_the_archive_is_refused(root, tmp_path, capsys):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../outside.jpg", b"x")
    with pytest.raises(SystemExit) as info:
        main(["prepare", "animals", "--from", str(archive)])
    one_line_error(capsys, info, "outside")
    assert not (tmp_path / "outside.jpg").exists() and not list(root.iterdir())


def test_an_existing_folder_is_refused_unless_force(root, tmp_path, capsys):
    archive = _flowers_archive(tmp_path)
    assert main(["prepare", "flowers17", "--from", str(archive)]) == 0
    (root / "flowers17" / "mine.txt").write_text("keep")
    with pytest.raises(SystemExit) as info:
        main(["prepare", "flowers17", "--from", str(archive)])
    one_line_error(capsys, info, "already exists", "--force")
    assert (root / "flowers17" / "mine.txt").exists()
    assert main(["prepare", "flowers17", "--from", str(archive), "--force"]) == 0
    assert not (root / "flowers17" / "mine.txt").exists()


def test_unknown_names_and_subsets_are_one_line(root, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["prepare", "imagenet", "--from", str(tmp_path)])
    assert info.value.code == 2 and capsys.readouterr().err.startswith("error: ")
    with pytest.raises(SystemExit) as info:
        main(["prepare", "flowers17", "--from", str(tmp_path), "--subset", "readme"])
    one_line_error(capsys, info, "no subset")
    with pytest.raises(SystemExit) as info:
        main(["verify", "mnist"])
    one_line_error(capsys, info, "not prepared")


def test_fetch_downloads_checks_and_prepares(root, tmp_path, monkeypatch, capsys):
    import keras

    archive = _flowers_archive(tmp_path)
    calls = []

    def get_file(fname=None, origin=None, file_hash=None, **kwargs):
        calls.append((fname, origin, file_hash))
        return str(archive)

    monkeypatch.setattr(keras.utils, "get_file", get_file)
    assert main(["fetch", "flowers17"]) == 0
    assert calls == [("17flowers.tgz",
                      "https://www.robots.ox.ac.uk/~vgg/data/flowers/17/17flowers.tgz", None)]
    assert "SHA-256 of 17flowers.tgz" in capsys.readouterr().out
    assert json.loads((root / "flowers17" / "SOURCE.json").read_text())["url"].startswith(
        "https://www.robots.ox.ac.uk/")

    def corrupted(fname=None, origin=None, file_hash=None, **kwargs):
        calls.append((fname, origin, file_hash))
        raise ValueError("Incomplete or corrupted file detected.")

    monkeypatch.setattr(keras.utils, "get_file", corrupted)
    with pytest.raises(SystemExit) as info:
        main(["fetch", "cifar10"])
    one_line_error(capsys, info, "published SHA-256")
    assert calls[-1][2] == "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
    assert not (root / "cifar10").exists()


@pytest.mark.parametrize("name", ["dogs_vs_cats", "animals"])
def test_fetch_of_a_manual_source_says_what_to_download(root, monkeypatch, capsys, name):
    import keras

    monkeypatch.setattr(keras.utils, "get_file", lambda *a, **k: pytest.fail("network"))
    assert main(["fetch", name]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and f"prepare {name} --from" in out[1]


def test_list_shows_every_data_set(root, tmp_path, capsys):
    assert main(["prepare", "flowers17", "--from", str(_flowers_archive(tmp_path))]) == 0
    capsys.readouterr()
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("mnist", "cifar10", "flowers17", "animals", "dogs_vs_cats",
                 "caltech101_airplanes"):
        assert name in out
    assert "flowers17             present" in out and "mnist                 absent" in out
    assert "CC BY 4.0" in out and "https://www.cs.toronto.edu/~kriz/" in out


def test_the_committed_manifests_name_the_readme_subsets():
    assert all(p.stat().st_size < 1_000_000 for p in MANIFESTS.iterdir())
    rows = records.subset("cifar10", "readme")
    counts = {}
    for row in rows:
        counts[row["split"], row["class"]] = counts.get((row["split"], row["class"]), 0) + 1
    assert set(counts.values()) == {1000, 200} and len(counts) == 20
    assert len({row["pixels_sha256"] for row in rows}) == 12000
    dogs = records.subset("dogs_vs_cats", "readme")
    assert len(dogs) == 2000 and sum(row["class"] == "cat" for row in dogs) == 1000


def test_the_module_runs_as_a_command():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "pyimagesearch.harness.data", "--help"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0 and "prepare" in done.stdout
