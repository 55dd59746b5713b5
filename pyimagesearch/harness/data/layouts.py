"""From each data set's official layout to the one the studies read.

`LAYOUTS[name](source, tree, out, rows)` writes the data set into the new
folder `out` from `tree` (an `archives.Unpacked` of what the user gave);
`rows` is the committed subset manifest (or `None` for the whole set). It
returns a short summary (``"1360 images in 17 classes"``) and raises
`DatasetError` for a missing member or a file of the wrong kind.
"""

import csv
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from pyimagesearch.datasets.simpledatasetloader import IMAGE_EXTENSIONS
from pyimagesearch.errors import DatasetError
from pyimagesearch.errors import one_line
from pyimagesearch.harness.data.records import pixels_sha256
from pyimagesearch.harness.data.sources import ANIMALS_CLASSES
from pyimagesearch.harness.data.sources import FLOWERS17_CLASSES

#: Dogs vs. Cats' readme subset: downscaled so that the shorter side is at most this
SHORTER_SIDE = 256


def _need(found, source, what):
    if found is None:
        raise DatasetError(f"{source} holds no {what}")
    return found


def _copy(files, folder):
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copyfile(path, folder / path.name)


def mnist(source, tree, out, rows):
    path = source if Path(source).suffix.lower() == ".npz" else Path(_need(
        tree.find(lambda p: (p / "mnist.npz").is_file()), source, "mnist.npz")) / "mnist.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    except KeyError as error:
        raise DatasetError(f"{path} is not Keras' mnist.npz: it lacks {error}") from None
    except Exception as error:
        raise DatasetError(f"{path} is not a readable .npz file ({one_line(error)})") from None
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"].reshape(-1)
        if x.ndim != 3 or x.shape[1:] != (28, 28) or x.dtype != np.uint8 or len(y) != len(x):
            raise DatasetError(f"{path}: x_{split} must be (n, 28, 28) uint8 with n labels; "
                               f"found {x.shape} {x.dtype} and {len(y)} labels")
        if len(y) and (y.min() < 0 or y.max() > 9):
            raise DatasetError(f"{path}: y_{split} holds labels outside 0..9")
    shutil.copyfile(path, out / "mnist.npz")
    return f"{len(arrays['x_train'])} training and {len(arrays['x_test'])} test images"


def cifar10(source, tree, out, rows):
    import cv2

    from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES
    from pyimagesearch.datasets.cifar10 import TEST_BATCH
    from pyimagesearch.datasets.cifar10 import TRAIN_BATCHES
    from pyimagesearch.datasets.cifar10 import _read_batch  # the safe batch reader

    folder = _need(tree.find(lambda p: (p / "data_batch_1").is_file()), source,
                   "cifar-10-batches-py/ (data_batch_1..5, test_batch)")
    wanted = None if rows is None else {(r["split"], r["pixels_sha256"]): r for r in rows}
    count = 0
    for split, batches in (("train", TRAIN_BATCHES), ("test", (TEST_BATCH,))):
        index = 0
        for batch in batches:
            if not (folder / batch).is_file():
                raise DatasetError(f"{source} lacks the CIFAR-10 batch {batch}")
            images, labels = _read_batch(folder / batch)
            for image, label in zip(images, labels):
                name, index = f"{index:05d}.png", index + 1
                if wanted is not None:
                    row = wanted.pop((split, pixels_sha256(image)), None)
                    if row is None:
                        continue
                    if row["class"] != CIFAR10_CLASSES[label]:
                        raise DatasetError(f"{source}: {row['file']} is labelled "
                                           f"{CIFAR10_CLASSES[label]}, the manifest says "
                                           f"{row['class']}")
                    name = row["file"]
                target = out / split / CIFAR10_CLASSES[label] / name
                target.parent.mkdir(parents=True, exist_ok=True)
                if not cv2.imwrite(str(target), image[..., ::-1]):  # OpenCV writes BGR
                    raise DatasetError(f"could not write {target}")
                count += 1
    if wanted:
        raise DatasetError(f"{len(wanted)} of the subset's {len(rows)} images are not in "
                           f"{source} (not the official CIFAR-10 python batches?)")
    return f"{count} images in 10 classes"


def flowers17(source, tree, out, rows):
    folder = _need(tree.find(lambda p: (p / "image_0001.jpg").is_file()), source,
                   "jpg/image_0001.jpg ... (the official 17flowers.tgz layout)")
    images = sorted(folder.glob("image_*.jpg"))
    numbers = [p.stem.split("_", 1)[1] for p in images]
    if len(images) % len(FLOWERS17_CLASSES) or numbers != [
            f"{n:04d}" for n in range(1, len(images) + 1)]:
        raise DatasetError(f"{folder} holds {len(images)} images; expected image_0001.jpg to "
                           f"image_NNNN.jpg, 80 per class for 17 classes (1360)")
    per_class = len(images) // len(FLOWERS17_CLASSES)
    for c, name in enumerate(FLOWERS17_CLASSES):
        _copy(images[c * per_class:(c + 1) * per_class], out / name)
    return f"{len(images)} images in 17 classes of {per_class}"


def caltech101_airplanes(source, tree, out, rows):
    from scipy.io import loadmat

    images = _need(tree.find(lambda p: p.name == "airplanes" and any(p.glob("image_*.jpg"))),
                   source, "101_ObjectCategories/airplanes/image_NNNN.jpg")
    notes = _need(tree.find(lambda p: p.name == "Airplanes_Side_2"), source,
                  "Annotations/Airplanes_Side_2/annotation_NNNN.mat")
    files = sorted(images.glob("image_*.jpg"))
    boxes = []
    for path in files:
        mat = notes / f"annotation_{path.stem.split('_', 1)[1]}.mat"
        if not mat.is_file():
            raise DatasetError(f"{source} lacks {mat.name}, the box of {path.name}")
        try:
            y1, y2, x1, x2 = (int(round(float(v))) for v in
                              np.asarray(loadmat(str(mat))["box_coord"]).reshape(-1)[:4])
        except Exception as error:
            raise DatasetError(f"{mat.name} is not a CALTECH-101 annotation "
                               f"({one_line(error)})") from None
        boxes.append((path.name, x1, y1, x2, y2))
    _copy(files, out / "images")
    with open(out / "airplanes.csv", "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(boxes)
    return f"{len(files)} images with one box each"


def _is_kaggle(folder):
    return any(folder.glob("cat.*.jpg")) and any(folder.glob("dog.*.jpg"))


def _downscale(args):
    import cv2

    from pyimagesearch.io.imagefile import read_image

    path, target = args
    image = read_image(path)  # None for a truncated or unreadable file, or one over the limit
    if image is None:
        raise DatasetError(f"{path.name} is not a readable image")
    height, width = image.shape[:2]
    if min(height, width) > SHORTER_SIDE:
        scale = SHORTER_SIDE / min(height, width)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    if not cv2.imwrite(str(target), image, [cv2.IMWRITE_JPEG_QUALITY, 95]):
        raise DatasetError(f"could not write {target}")


def dogs_vs_cats(source, tree, out, rows):
    folder = _need(tree.find(_is_kaggle), source, "train/cat.N.jpg and train/dog.N.jpg "
                   "(Kaggle's train.zip)")
    (out / "train").mkdir()
    if rows is None:
        files = sorted(p for p in folder.iterdir() if p.name.startswith(("cat.", "dog."))
                       and p.suffix.lower() == ".jpg")
        _copy(files, out / "train")
        return f"{len(files)} images"
    missing = [r["file"] for r in rows if not (folder / r["file"]).is_file()]
    if missing:
        raise DatasetError(f"{source} lacks {len(missing)} images of the subset "
                           f"(e.g. {missing[0]})")
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(_downscale, [(folder / r["file"], out / "train" / r["file"])
                                   for r in rows]))
    return f"{len(rows)} images, shorter side at most {SHORTER_SIDE} px"


def animals(source, tree, out, rows):
    folder = _need(tree.find(lambda p: all((p / c).is_dir() for c in ANIMALS_CLASSES)),
                   source, "folders named cats/, dogs/ and panda/ (one per class, side by side)")
    counts = []
    for name in ANIMALS_CLASSES:
        files = sorted(p for p in (folder / name).iterdir()
                       if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)
        if not files:
            raise DatasetError(f"{folder / name} holds no images")
        _copy(files, out / name)
        counts.append(f"{len(files)} {name}")
    return ", ".join(counts)


def wanted_members(name, rows):
    """What to extract from an archive (a test of a member's base name), or `None`: all."""
    if name == "dogs_vs_cats" and rows is not None:
        return {r["file"] for r in rows}.__contains__
    return None


LAYOUTS = {"mnist": mnist, "cifar10": cifar10, "flowers17": flowers17,
           "caltech101_airplanes": caltech101_airplanes, "dogs_vs_cats": dogs_vs_cats,
           "animals": animals}
