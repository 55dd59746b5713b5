"""Every Keras training script on several replicas; HDF5 files sharded by index range.

- `HDF5DatasetGenerator(shard=(index, count))` reads one contiguous range of
  the file, and the ranges of all shards cover it once;
- `pydataset_to_tf` gives a `PyDataset`'s batches epoch by epoch;
- the study scripts run unchanged with ``--strategy mirrored --logical-cpus
  2``: the global batch is `--batch-size` x 2, recorded in `args.json`, and
  `--scale-lr` scales the learning rate they train with (one process runs
  them one after the other, so TensorFlow starts once);
- the AlexNet study (HDF5) as two local workers: each worker reads only its
  half of ``train.hdf5``, only the chief writes.
"""

import csv
import json
import os
import re
import subprocess
import sys

import h5py
import numpy as np
import pytest

from conftest import (ROOT, load_script, make_cifar_pngs, make_image_folder, make_kaggle_folder,
                      make_tiny_mnist)
from test_distribute import finish, free_ports, stop, tf_config

EXPERIMENTS = ROOT / "experiments"


# ---------------------------------------------------------------------------
# the shards of an HDF5 file
# ---------------------------------------------------------------------------
def write_numbered(path, rows):
    """An HDF5 file of `rows` 4x4x3 images whose pixels are their row number."""
    from pyimagesearch.io import HDF5DatasetWriter

    with HDF5DatasetWriter((rows, 4, 4, 3), str(path), dtype="uint8") as writer:
        writer.storeClassLabels(["even", "odd"])
        images = np.repeat(np.arange(rows, dtype=np.uint8), 48).reshape(rows, 4, 4, 3)
        writer.add(images, np.arange(rows) % 2)
    return path


def rows_read(gen):
    """`{row: label}` of one epoch of `gen`, from the pixels and labels of its batches."""
    seen = {}
    for index in range(len(gen)):
        images, labels = gen[index]
        for image, label in zip(images, labels):
            seen[int(image[0, 0, 0])] = int(label)
    return seen


def test_shards_are_contiguous_ranges_that_cover_the_file_once(tmp_path):
    from pyimagesearch.io import HDF5DatasetGenerator

    path = write_numbered(tmp_path / "n.hdf5", 11)
    parts = [HDF5DatasetGenerator(path, 2, binarize=False, shard=(i, 3), seed=0)
             for i in range(3)]
    assert [p.num_images for p in parts] == [3, 4, 4]
    assert [p.first_row for p in parts] == [0, 3, 7]
    seen = [rows_read(p) for p in parts]
    assert [sorted(s) for s in seen] == [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9, 10]]
    assert all(label == row % 2 for s in seen for row, label in s.items())
    assert all(list(p.labels) == [r % 2 for r in sorted(s)] for p, s in zip(parts, seen))
    # the shard's batches stay inside it in every epoch, in a new order
    part = parts[2]
    first = [part.batch_rows(i) for i in range(len(part))]
    part.on_epoch_end()
    assert sorted(first) == sorted(part.batch_rows(i) for i in range(len(part)))
    assert all(7 <= start < stop <= 11 for start, stop in first)
    # no shard is the whole file
    whole = HDF5DatasetGenerator(path, 2, binarize=False, shard=None)
    assert (whole.num_images, whole.first_row, whole.shard) == (11, 0, (0, 1))


@pytest.mark.parametrize("shard", [(2, 2), (-1, 2), (0, 0), (True, 2), (0.5, 2), "ab", 3])
def test_a_bad_shard_is_refused_with_what_was_received(tmp_path, shard):
    from pyimagesearch.io import HDF5DatasetGenerator

    path = write_numbered(tmp_path / "n.hdf5", 4)
    with pytest.raises(ValueError, match=re.escape(f"Received: shard={shard!r}")):
        HDF5DatasetGenerator(path, 2, shard=shard)


def test_more_shards_than_images_is_a_dataset_error(tmp_path):
    from pyimagesearch.errors import DatasetError
    from pyimagesearch.io import HDF5DatasetGenerator

    path = write_numbered(tmp_path / "n.hdf5", 3)
    with pytest.raises(DatasetError, match="too few for 4 shards"):
        HDF5DatasetGenerator(path, 2, shard=(0, 4))


def test_pydataset_to_tf_yields_each_epoch_in_the_generators_order(tmp_path):
    from pyimagesearch.datasets import pydataset_to_tf
    from pyimagesearch.io import HDF5DatasetGenerator

    path = write_numbered(tmp_path / "n.hdf5", 10)
    gen = HDF5DatasetGenerator(path, 3, binarize=False, shard=(1, 2), seed=5)
    twin = HDF5DatasetGenerator(path, 3, binarize=False, shard=(1, 2), seed=5)
    ds = pydataset_to_tf(gen)
    assert int(ds.cardinality()) == len(gen) == 2
    for _ in range(3):  # three epochs: the same batches as the generator's own
        got = [x.numpy()[:, 0, 0, 0].tolist() for x, _ in ds]
        assert got == [twin[i][0][:, 0, 0, 0].tolist() for i in range(len(twin))]
        twin.on_epoch_end()
    assert sorted(sum(got, [])) == [5, 6, 7, 8, 9]
    with pytest.raises(ValueError, match="must be a keras.utils.PyDataset"):
        pydataset_to_tf([1, 2])


def test_array_dataset_preprocesses_after_augmenting_and_can_drop_the_partial_batch():
    from pyimagesearch.datasets import array_dataset

    x, y = np.arange(10, dtype=np.uint8).reshape(10, 1), np.arange(10)
    ds = array_dataset(x, y, 4, augmentation=lambda b, training: b * 2,
                       preprocess=lambda b: b + 1)
    assert [b.numpy().ravel().tolist() for b, _ in ds] == [[1, 3, 5, 7], [9, 11, 13, 15],
                                                           [17, 19]]
    dropped = array_dataset(x, y, 4, shuffle=True, seed=0, drop_remainder=True)
    sizes = [int(b.shape[0]) for b, _ in dropped]
    assert sizes == [4, 4]
    # less than one batch: nothing would be left, so nothing is dropped
    assert [int(b.shape[0]) for b, _ in array_dataset(x, y, 16, drop_remainder=True)] == [10]
    with pytest.raises(ValueError, match="`preprocess` must be callable"):
        array_dataset(x, y, 4, preprocess="scale")


def test_sharded_on_one_replica_is_the_data_itself(tmp_path):
    from argparse import Namespace

    from pyimagesearch import harness

    args = Namespace(seed=1, verbose=0, output=str(tmp_path / "run"), batch_size=6,
                     strategy="default")
    calls = []
    with harness.Run("s", args) as run:
        data = run.sharded(lambda i, n, batch: calls.append((i, n, batch)) or "data")
        with pytest.raises(ValueError, match="`make` must be callable"):
            run.sharded(None)
    assert (data, calls) == ("data", [(0, 1, 6)])


# ---------------------------------------------------------------------------
# the scripts, for real, on two logical CPUs of one process
# ---------------------------------------------------------------------------
# runs each script of a JSON list as `python script.py ...` would, one after
# the other in this one process (TensorFlow and its 2 logical CPUs start once)
SCRIPTS_RUNNER = r'''
import json, sys, time
from inprocess import run_script
for argv in json.loads(sys.argv[1]):
    started = time.perf_counter()
    status = run_script(argv)
    if status:
        raise SystemExit(status)
    print(f"FINISHED {argv[0]} in {time.perf_counter() - started:.1f} s", flush=True)
'''

MIRRORED = ["--strategy", "mirrored", "--logical-cpus", "2", "--verbose", "0"]


def make_rectangles(root, count=12):
    """`root/images/*.jpg` + `root/boxes.csv`: bright rectangles on dark noise."""
    import cv2

    (root / "images").mkdir(parents=True)
    rng = np.random.default_rng(0)
    rows = []
    for i in range(count):
        image = rng.integers(0, 40, (40, 48, 3), dtype=np.uint8)
        x1, y1, x2, y2 = (int(v) for v in (rng.integers(0, 12), rng.integers(0, 10),
                                           rng.integers(28, 48), rng.integers(24, 40)))
        cv2.rectangle(image, (x1, y1), (x2, y2), (40, 200, 240), -1)
        cv2.imwrite(str(root / "images" / f"image_{i:04d}.jpg"), image)
        rows.append(f"image_{i:04d}.jpg,{x1},{y1},{x2},{y2}")
    (root / "boxes.csv").write_text("\n".join(rows) + "\n")
    return root


def hdf5_build(root):
    """Dogs vs. Cats at 64x64 from 40 images: 30 train, 4 val, 6 test."""
    kaggle = make_kaggle_folder(root / "kaggle" / "train")
    build = load_script("2020-11-23-dogs-vs-cats", "build_dataset")
    out = root / "hdf5"
    assert build.main(["--dataset", str(kaggle), "--hdf5-dir", str(out), "--image-size", "64",
                       "--val-count", "4", "--test-count", "6", "--verbose", "0"]) == 0
    return out


def script_runs(root):
    """`{name: (argv, output folder, per-replica batch)}` of every Keras training script.

    The batches are small enough for the first validation batch to be a full
    global batch: Keras 3 averages the first batch over the replicas before
    `evaluate` (`_maybe_symbolic_build`), which fails on a batch split
    unevenly (a validation set smaller than the global batch).
    """
    animals = make_image_folder(root / "animals")
    flowers = make_image_folder(root / "flowers", per_class=8, size=(40, 56),
                                classes=("Bluebell", "Crocus", "Daisy"))
    cifar = root / "cifar10"
    make_cifar_pngs(cifar, per_class=2)
    boxes = make_rectangles(root / "boxes")
    hdf5 = hdf5_build(root)
    mnist = make_tiny_mnist(root / "mnist.npz")  # 40 train, 20 test: global batches of 2 x 10
    runs = {
        "lenet": ("2020-11-11-lenet/train.py", ["--dataset", str(mnist)], 10),
        "shallownet": ("2020-11-10-shallownet/train.py", ["--dataset", str(animals)], 2),
        "data_augmentation": ("2020-11-17-data-augmentation/train.py",
                              ["--dataset", str(flowers), "--augment"], 2),
        "bounding_boxes": ("2020-10-17-bounding-box-regression/train.py",
                           ["--dataset", str(boxes), "--model", "mobilenet_v2", "--weights",
                            "none", "--image-size", "32"], 2),
        "network_surgery": ("2020-11-21-network-surgery/finetune.py",  # VGG16: few layers
                            ["--dataset", str(flowers), "--model", "vgg16", "--weights",
                             "none", "--image-size", "32", "--warmup-epochs", "1",
                             "--dense", "8"], 2),
        "minigooglenet": ("2020-12-06-minigooglenet/train.py", ["--dataset", str(cifar)], 2),
        "ensemble": ("2020-11-22-ensemble-methods/train_models.py",
                     ["--dataset", str(cifar), "--num-models", "1"], 2),
        "alexnet": ("2020-11-23-dogs-vs-cats/train_alexnet.py",
                    ["--hdf5-dir", str(hdf5), "--crop-size", "57", "--fc-units", "16"], 2),
    }
    return {name: ([str(EXPERIMENTS / script), *argv, "--epochs", "1", "--batch-size",
                    str(batch), "--scale-lr", *MIRRORED, "--output", str(root / "runs" / name)],
                   root / "runs" / name, batch)
            for name, (script, argv, batch) in runs.items()}


def launch(code, argvs, folder, name, **env):
    """`python -c code '<argvs as JSON>'` in `folder`, its output in `folder/<name>.log`."""
    environ = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
                   PYIMAGESEARCH_OUTPUTS=str(folder / "outputs"), **env)
    log = open(folder / f"{name}.log", "w")
    return subprocess.Popen([sys.executable, "-c", code, json.dumps(argvs)], env=environ,
                            stdout=log, stderr=subprocess.STDOUT, cwd=str(folder)), log


def run_all(processes, timeout):
    """Wait for every process (bounded); their logs. Killed whatever happens."""
    try:
        return finish(processes, timeout=timeout)
    finally:
        stop(processes)


@pytest.fixture(scope="module")
def mirrored_scripts(tmp_path_factory):
    root = tmp_path_factory.mktemp("mirrored_scripts")
    runs = script_runs(root)
    argvs = [argv for argv, _, _ in runs.values()]
    (text,) = run_all([launch(SCRIPTS_RUNNER, argvs, root, "scripts")], timeout=900)
    return runs, text, root


@pytest.mark.parametrize("name", ["lenet", "shallownet", "data_augmentation", "bounding_boxes",
                                  "network_surgery", "minigooglenet", "ensemble", "alexnet"])
def test_every_training_script_runs_on_two_replicas(mirrored_scripts, name):
    runs, text, root = mirrored_scripts
    argv, out, batch = runs[name]
    assert f"FINISHED {argv[0]} in " in text, text[-3000:]
    folders = [out] if (out / "args.json").exists() else sorted(out.glob("*/"))
    assert folders, f"{out} holds no run"
    for folder in folders:  # the ensemble's members have a folder each
        args = json.loads((folder / "args.json").read_text())
        assert (args["strategy"], args["replicas"]) == ("mirrored", 2), folder
        assert args["global_batch_size"] == 2 * batch == 2 * args["per_replica_batch_size"]
        assert args["learning_rate_scale"] == 2
        assert args["learning_rates"], folder                # the script declared its rates
        for name, rate in args["learning_rates"].items():     # Run scaled every one of them
            assert rate["used"] == pytest.approx(2 * rate["asked"]), (folder, name)
            assert args["args"][name] == pytest.approx(rate["used"]), (folder, name)
    with open(root / "outputs" / "results.csv") as f:
        rows = [r for r in csv.DictReader(f) if r["run"].startswith(str(out))]
    assert rows and all(r["status"] == "finished" for r in rows)


# ---------------------------------------------------------------------------
# the AlexNet study as two local workers: each reads its own rows
# ---------------------------------------------------------------------------
READ_LOG = r'''
import atexit, json, os
from pyimagesearch.io import hdf5datasetgenerator as module
reads, original = [], module._read
def logged(data, start, stop, *args):
    reads.append([os.path.basename(data.file.filename), int(start), int(stop)])
    return original(data, start, stop, *args)
module._read = logged
atexit.register(lambda: open(os.environ["READ_LOG"], "w").write(json.dumps(reads)))
'''


def test_two_workers_read_their_own_halves_of_the_hdf5_file(tmp_path):
    hdf5 = hdf5_build(tmp_path)
    ports = free_ports(2)
    argv = [str(EXPERIMENTS / "2020-11-23-dogs-vs-cats" / "train_alexnet.py"), "--hdf5-dir",
            str(hdf5), "--crop-size", "57", "--fc-units", "16", "--epochs", "2",
            "--batch-size", "4", "--strategy", "multiworker", "--verbose", "0",
            "--output", str(tmp_path / "run")]
    processes = [launch(READ_LOG + SCRIPTS_RUNNER, [argv], tmp_path, f"worker{i}",
                        TF_CONFIG=tf_config(ports, i), READ_LOG=str(tmp_path / f"reads{i}.json"))
                 for i in (0, 1)]
    run_all(processes, timeout=600)
    with h5py.File(hdf5 / "train.hdf5", "r") as db:
        rows = len(db["labels"])
    halves = [(0, rows // 2), (rows // 2, rows)]
    for i, (low, high) in enumerate(halves):
        reads = json.loads((tmp_path / f"reads{i}.json").read_text())
        train = [(start, stop) for name, start, stop in reads if name == "train.hdf5"]
        assert train and all(low <= start < stop <= high for start, stop in train), (i, train)
        # and every row of it (2 epochs of full batches of 4: 12 of the 15
        # rows each epoch, a new order each epoch)
        assert {r for start, stop in train for r in range(start, stop)} == set(range(low, high))
    args = json.loads((tmp_path / "run" / "args.json").read_text())
    assert (args["replicas"], args["global_batch_size"]) == (2, 8)
    report = json.loads((tmp_path / "run" / "classification_report.json").read_text())
    assert report["macro avg"]["support"] == 4  # every validation image, once
    with open(tmp_path / "outputs" / "results.csv") as f:
        assert len(list(csv.DictReader(f))) == 1  # the chief's row only
