"""`pyimagesearch.callbacks`: TrainingMonitor, EpochCheckpoint."""

import json

import cv2
import keras
import numpy as np
import pytest

from conftest import tiny_model


# -- EpochCheckpoint -------------------------------------------------------------------------------
def test_epoch_checkpoint_names_files_by_absolute_epoch(tmp_path):
    from pyimagesearch.callbacks import EpochCheckpoint

    x = np.random.default_rng(0).integers(0, 255, (8, 16, 16, 3)).astype("uint8")
    y = keras.utils.to_categorical(np.arange(8) % 2, 2)
    model = tiny_model(16)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[EpochCheckpoint(tmp_path / "ck", every=2)])
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == ["epoch_2.keras",
                                                                  "epoch_4.keras"]
    # resumed with initial_epoch: Keras' epoch numbers are absolute already
    model.fit(x, y, epochs=6, initial_epoch=4, verbose=0,
              callbacks=[EpochCheckpoint(tmp_path / "ck", every=2, start_at=4)])
    # resumed the book's way, without initial_epoch: start_at gives the count
    model.fit(x, y, epochs=2, verbose=0, callbacks=[EpochCheckpoint(tmp_path / "b", every=1,
                                                                    start_at=6)])
    assert (tmp_path / "ck" / "epoch_6.keras").is_file()
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["epoch_7.keras",
                                                                 "epoch_8.keras"]
    loaded = keras.saving.load_model(tmp_path / "ck" / "epoch_4.keras")
    assert int(loaded.optimizer.iterations.numpy()) == 4  # one batch per epoch
    for kwargs in (dict(every=0), dict(start_at=-1), dict(every=1.5)):
        with pytest.raises(ValueError):
            EpochCheckpoint(tmp_path, **kwargs)


def _tiny_model():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"],
                  optimizer=keras.optimizers.SGD(learning_rate=0.01))
    x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
    y = keras.utils.to_categorical(np.arange(16) % 2, 2)
    return model, x, y


def test_training_monitor_writes_json_and_one_png(tmp_path):
    from pyimagesearch.callbacks import TrainingMonitor

    model, x, y = _tiny_model()
    monitor = TrainingMonitor(tmp_path / "out" / "monitor.png",
                              json_path=tmp_path / "out" / "monitor.json")
    model.fit(x, y, validation_data=(x, y), epochs=2, verbose=0, callbacks=[monitor])
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["monitor.json", "monitor.png"]  # one plot, no temporary files left
    with open(tmp_path / "out" / "monitor.json") as f:
        history = json.load(f)
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"} <= set(history)
    assert all(isinstance(v, list) and len(v) == 2 for v in history.values())
    assert history["learning_rate"] == pytest.approx([0.01, 0.01])
    assert history["loss"] == pytest.approx(model.history.history["loss"])
    assert cv2.imread(str(tmp_path / "out" / "monitor.png")) is not None


def test_training_monitor_resumes_at_start_at(tmp_path):
    from pyimagesearch.callbacks import TrainingMonitor

    saved = {"loss": [5.0, 4.0, 3.0, 2.0, 1.0], "accuracy": [0.1, 0.2, 0.3, 0.4, 0.5]}
    path = tmp_path / "monitor.json"
    path.write_text(json.dumps(saved))
    model, x, y = _tiny_model()
    monitor = TrainingMonitor(tmp_path / "monitor.png", json_path=path, start_at=3)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[monitor])
    history = json.loads(path.read_text())
    assert len(history["loss"]) == 5 and history["loss"][:3] == [5.0, 4.0, 3.0]
    assert history["loss"][3:] == pytest.approx(model.history.history["loss"])
    assert history["accuracy"][:3] == [0.1, 0.2, 0.3] and len(history["accuracy"]) == 5

    # without start_at the history starts afresh
    fresh = TrainingMonitor(tmp_path / "monitor.png", json_path=path)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[fresh])
    assert len(json.loads(path.read_text())["loss"]) == 1


def test_training_monitor_checks_its_arguments(tmp_path):
    from pyimagesearch.callbacks import TrainingMonitor

    with pytest.raises(ValueError, match="start_at=-1"):
        TrainingMonitor(tmp_path / "m.png", start_at=-1)
    with pytest.raises(ValueError, match="fig_path=None"):
        TrainingMonitor(None)


# -- the book's names and file names ---------------------------------------------------------
def _momentum_model():
    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.Dense(5)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


BOOK_DATA = (np.random.default_rng(0).random((12, 4)).astype("float32"),
             keras.utils.to_categorical(np.arange(12) % 3, 3))


def test_epoch_checkpoint_writes_the_books_hdf5_name_loadable_by_keras3(tmp_path):
    from pyimagesearch.callbacks import EpochCheckpoint
    from pyimagesearch.callbacks.epochcheckpoint import epoch_from_checkpoint

    model = _momentum_model()
    checkpoint = EpochCheckpoint(outputPath=tmp_path, every=1, startAt=3,
                                 file_format="epoch_{epoch}.hdf5")
    assert (checkpoint.outputPath, checkpoint.startAt) == (tmp_path, 3)
    model.fit(*BOOK_DATA, epochs=2, batch_size=4, callbacks=[checkpoint], verbose=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch_4.hdf5", "epoch_5.hdf5"]
    assert epoch_from_checkpoint(tmp_path / "epoch_5.hdf5") == 5
    # the book's resume: load_model, a new learning rate, fit again
    loaded = keras.models.load_model(tmp_path / "epoch_5.hdf5")
    np.testing.assert_allclose(loaded.predict(BOOK_DATA[0], verbose=0),
                               model.predict(BOOK_DATA[0], verbose=0), rtol=1e-6)
    assert float(loaded.optimizer.learning_rate) == pytest.approx(0.05)
    loaded.optimizer.learning_rate.assign(1e-3)
    history = loaded.fit(*BOOK_DATA, epochs=1, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_epoch_checkpoint_checks_its_file_format(tmp_path):
    from pyimagesearch.callbacks import EpochCheckpoint

    for bad in ("epoch.keras", "epoch_{epoch}.pt", "sub/epoch_{epoch}.keras", "{nope}.keras", 5):
        with pytest.raises(ValueError, match="file_format"):
            EpochCheckpoint(tmp_path, file_format=bad)
    with pytest.raises(TypeError, match="startAt.*start_at"):
        EpochCheckpoint(tmp_path, startAt=1, start_at=1)


def test_training_monitor_takes_the_books_names(tmp_path):
    from pyimagesearch.callbacks import TrainingMonitor

    monitor = TrainingMonitor(figPath=tmp_path / "m.png", jsonPath=tmp_path / "m.json",
                              startAt=0)
    assert (monitor.figPath, monitor.jsonPath, monitor.startAt) == (
        tmp_path / "m.png", tmp_path / "m.json", 0)
    _momentum_model().fit(*BOOK_DATA, epochs=2, batch_size=6, callbacks=[monitor], verbose=0)
    assert len(monitor.H["loss"]) == 2 and monitor.H is monitor.history
    with pytest.raises(TypeError, match="jsonPath.*json_path"):
        TrainingMonitor(tmp_path / "m.png", jsonPath="a.json", json_path="b.json")
    with pytest.raises(TypeError, match="figPath.*fig_path"):
        TrainingMonitor(tmp_path / "m.png", figPath=tmp_path / "n.png")
