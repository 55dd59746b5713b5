"""The private Keras API `pyimagesearch.harness.keras_fixes` relies on is still there.

Every use of private Keras API lives in that one module, written for
`KERAS_WRITTEN_FOR`. When a Keras upgrade renames or removes one of those
names, these tests fail and name it, before a training run meets it.
"""

import keras
import pytest

from pyimagesearch.harness import keras_fixes


@pytest.mark.parametrize("name, present", sorted(keras_fixes.private_api_in_use().items()))
def test_every_private_name_in_use_still_exists(name, present):
    assert present, (f"Keras {keras.__version__} has no {name}: re-check "
                     "pyimagesearch/harness/keras_fixes.py against this Keras")


def test_the_fixes_were_written_for_this_keras():
    installed = ".".join(keras.__version__.split(".")[:2])
    assert installed == keras_fixes.KERAS_WRITTEN_FOR, (
        f"keras_fixes.py was written for Keras {keras_fixes.KERAS_WRITTEN_FOR}, this is "
        f"{keras.__version__}: re-check each fix, then update KERAS_WRITTEN_FOR")


def test_the_multiworker_patch_is_installed_once_and_leaves_other_strategies_alone():
    import sys

    trainer = sys.modules[keras.Model.make_train_function.__module__]
    keras_fixes.patch_keras_multiworker()
    build, reduce = keras.Model._maybe_symbolic_build, trainer.reduce_per_replica
    keras_fixes.patch_keras_multiworker()
    assert (keras.Model._maybe_symbolic_build, trainer.reduce_per_replica) == (build, reduce)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(keras.ops.zeros((4, 2)), keras.ops.zeros((4, 1)), epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
