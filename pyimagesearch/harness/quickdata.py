"""Tiny random data sets in every layout the diary reads (`reproduce --quick`, the tests)."""

import tempfile
from pathlib import Path

import cv2
import numpy as np


def make_quick_datasets(root=None, seed=0):
    """Tiny random data sets in every layout the diary reads; return their folder."""
    root = Path(root or tempfile.mkdtemp(prefix="pyimagesearch-quick-"))
    rng = np.random.default_rng(seed)

    def image(path, size=(40, 48), tint=0):
        pixels = rng.integers(0, 60, (*size, 3), dtype=np.uint8)
        pixels[..., tint % 3] += np.uint8(150)
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), pixels)

    for c, name in enumerate(("cats", "dogs", "panda")):
        for i in range(6):
            image(root / "animals" / name / f"{name}_{i:03d}.jpg", tint=c)
    for c, name in enumerate(("Bluebell", "Crocus", "Daisy")):
        for i in range(8):
            image(root / "flowers17" / name / f"image_{c * 8 + i:04d}.jpg", (40, 56), c)
    for c, name in enumerate(("cat", "dog")):
        for i in range(20):
            image(root / "dogs_vs_cats" / "train" / f"{name}.{i}.jpg", (40, 50), 2 * c)
    classes = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck")
    for split in ("train", "test"):
        for c, name in enumerate(classes):
            for i in range(2):
                image(root / "cifar10" / split / name / f"{i:03d}.png", (32, 32), c)
    (root / "mnist").mkdir()
    np.savez(root / "mnist" / "mnist.npz", x_train=rng.integers(0, 256, (40, 28, 28), np.uint8),
             y_train=np.arange(40) % 10, x_test=rng.integers(0, 256, (20, 28, 28), np.uint8),
             y_test=np.arange(20) % 10)
    boxes = []
    for i in range(20):
        w, h = int(rng.integers(40, 64)), int(rng.integers(30, 48))
        image(root / "caltech101_airplanes" / "images" / f"image_{i:04d}.jpg", (h, w))
        boxes.append(f"image_{i:04d}.jpg,{w // 6},{h // 6},{w // 2 + i % 5},{h // 2 + i % 3}")
    (root / "caltech101_airplanes" / "airplanes.csv").write_text("\n".join(boxes) + "\n")
    (root / "weights").mkdir()
    index = {str(i): [f"n{i:08d}", "giant_panda" if i == 388 else f"class_{i}"]
             for i in range(1000)}
    (root / "weights" / "imagenet_class_index.json").write_text(str(index).replace("'", '"'))
    return root
