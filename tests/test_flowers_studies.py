"""Study 2020-11-19 (transfer learning) end to end through `main([...])`, offline and tiny.

ImageNet weights cannot be downloaded here: the scripts run with
`--weights none` (random weights) and small inputs. The studies 2020-11-16,
2020-11-17 and 2020-11-21 have their own `test_study_<date>_<name>.py` files.
"""

import json

import h5py
import numpy as np
import pytest

from conftest import load_script, one_line_error, results

TRANSFER = "2020-11-19-transfer-learning"


# -- 2020-11-19: transfer learning ---------------------------------------------------------------
def test_extract_train_and_rank(tmp_path, flowers, capsys):
    extract = load_script(TRANSFER, "extract_features")
    db = tmp_path / "features.hdf5"
    argv = ["--dataset", str(flowers), "--db", str(db), "--model", "mobilenet_v2",
            "--weights", "none", "--image-size", "32", "--batch-size", "5",
            "--buffer-size", "7", "--verbose", "0"]
    assert extract.main(argv) == 0
    with h5py.File(db, "r") as f:
        assert f.attrs["complete"] and f.attrs["model"] == "mobilenet_v2"
        assert f["features"].shape == (24, 1 * 1 * 1280) and f["features"].dtype == np.float32
        assert sorted(np.bincount(f["labels"][:]).tolist()) == [8, 8, 8]
        assert f["label_names"].asstr()[...].tolist() == ["Bluebell", "Crocus", "Daisy"]
        first = f["labels"][:].copy()
        features = f["features"][:].copy()
    # the paths were shuffled (seeded): the labels are not in folder order
    assert first.tolist() != sorted(first.tolist())

    # an existing output is refused and left alone; --force replaces it
    before = db.read_bytes()
    with pytest.raises(SystemExit) as info:
        extract.main(argv)
    one_line_error(capsys, info, "already exists", "--force")
    assert db.read_bytes() == before
    extract.main(argv + ["--force"])
    with h5py.File(db, "r") as f:
        np.testing.assert_array_equal(f["labels"][:], first)  # same seed, same order
        np.testing.assert_allclose(f["features"][:], features, rtol=1e-5, atol=1e-6)

    train = load_script(TRANSFER, "train_model")
    out = tmp_path / "train"
    model = out / "classifier.npz"
    assert train.main(["--db", str(db), "--jobs", "1", "--output", str(out),
                       "--verbose", "0"]) == 0
    report = json.loads((out / "classification_report.json").read_text())
    assert report["macro avg"]["support"] == 6 and {"Bluebell", "Crocus", "Daisy"} <= set(report)
    grid = json.loads((out / "grid_search.json").read_text())
    assert set(grid["mean_cv_accuracy"]) == {"0.1", "1.0", "10.0", "100.0", "1000.0", "10000.0"}
    from pyimagesearch.features import load_classifier

    saved = load_classifier(model, ["Bluebell", "Crocus", "Daisy"])
    assert saved["label_names"] == ["Bluebell", "Crocus", "Daisy"]
    assert "multi_class" not in saved["model"].get_params()
    with pytest.raises(SystemExit) as info:  # its run folder is never overwritten
        train.main(["--db", str(db), "--output", str(out)])
    one_line_error(capsys, info, "not empty")

    rank = load_script(TRANSFER, "rank_accuracy")
    assert rank.main(["--db", str(db), "--model-path", str(model), "--output",
                      str(tmp_path / "rank"), "--verbose", "0"]) == 0
    ranks = json.loads((tmp_path / "rank" / "rank_accuracy.json").read_text())
    assert ranks["rank1"] == pytest.approx(report["accuracy"])
    assert ranks["rank5"] == 1.0  # 3 classes: always in the top 5
    assert [r["metric"] for r in results()][-3:] == ["accuracy", "rank1", "rank5"]
    assert results()[-1]["data"] == "flowers (mobilenet_v2 features)"


def test_an_incomplete_features_file_is_refused(tmp_path, capsys):
    from pyimagesearch.io import HDF5DatasetWriter

    db = tmp_path / "partial.hdf5"
    writer = HDF5DatasetWriter((10, 4), db, data_key="features")
    writer.storeClassLabels(["a", "b"])
    writer.add(np.ones((4, 4)), [0, 1, 0, 1])
    writer.flush()
    writer.db.close()  # killed before close()
    train = load_script(TRANSFER, "train_model")
    with pytest.raises(SystemExit) as info:
        train.main(["--db", str(db), "--output", str(tmp_path / "run")])
    one_line_error(capsys, info, "incomplete")
    assert not (tmp_path / "run" / "classifier.npz").exists()
