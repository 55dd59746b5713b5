# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Quick start: LeNet on scikit-learn's digits, in a notebook
#
# The package is a set of tools (`pyimagesearch.nn`, `.datasets`, `.utils`, ...):
# this notebook uses them directly, without the study scripts' command line.
# It trains the book's LeNet on the 8x8 digits that ship with scikit-learn
# (upscaled to 28x28), then shows the curves, the confusion matrix and a few
# predictions. It needs no download.
#
# It is a pair: `quickstart.ipynb` (open it in Jupyter) and `quickstart.py`
# (the same cells as a jupytext "percent" script: edit either, `jupytext --sync
# notebooks/quickstart.ipynb` updates the other; `python notebooks/quickstart.py`
# runs it as a script, saving the figures instead of showing them).
#
# `QUICKSTART_EPOCHS` (default 10) and `QUICKSTART_OUTPUT` (default
# `outputs/notebook` in the repo) change the training length and where the figures go.

# %%
import io
import os
import sys
from pathlib import Path

import keras

import pyimagesearch
from pyimagesearch.datasets import DIGIT_NAMES, load_digits
from pyimagesearch.nn.conv import LeNet
from pyimagesearch.utils import classification_report, predict_all

HERE = Path.cwd()  # notebooks/ in Jupyter, anywhere as a script
ROOT = next((p for p in (HERE, *HERE.parents) if (p / "notebooks").is_dir()), HERE)
EPOCHS = int(os.environ.get("QUICKSTART_EPOCHS", "10"))
OUTPUT = os.environ.get("QUICKSTART_OUTPUT", str(ROOT / "outputs" / "notebook"))
os.makedirs(OUTPUT, exist_ok=True)
keras.utils.set_random_seed(42)
print("pyimagesearch", pyimagesearch.__version__, "keras", keras.__version__)


def show(fig, dpi=50):
    """In a notebook, draw `fig` (a matplotlib Figure) below the cell, as a small PNG.

    The package's plotting functions return figures without touching
    matplotlib's backend; as a script, the PNG files saved beside are the output.
    """
    if "ipykernel" in sys.modules:
        from IPython.display import Image, display

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
        display(Image(buffer.getvalue()))


# %% [markdown]
# ## Data: 1,797 digits scaled to [0, 1], 75% to train and 25% to test

# %%
from sklearn.model_selection import train_test_split

x, y = load_digits(size=28)
x = x.astype("float32").reshape((-1, 28, 28, 1)) / 255.0  # scale the pixels to [0, 1]
train_x, test_x, train_y, test_y = train_test_split(x, y, test_size=0.25, random_state=42)
train_y1 = keras.utils.to_categorical(train_y, 10)
test_y1 = keras.utils.to_categorical(test_y, 10)
print(train_x.shape, test_x.shape)

# %% [markdown]
# ## Model and training: LeNet, SGD 0.01 with momentum

# %%
model = LeNet.build(width=28, height=28, depth=1, classes=10)
model.compile(loss="categorical_crossentropy", metrics=["accuracy"],
              optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9))
history = model.fit(train_x, train_y1, validation_data=(test_x, test_y1), batch_size=32,
                    epochs=EPOCHS, verbose=0)
print({k: round(v[-1], 4) for k, v in history.history.items()})

# %% [markdown]
# ## The curves

# %%
from pyimagesearch.utils import plot_history

fig = plot_history(history, f"{OUTPUT}/curves.png", title="LeNet on digits")
show(fig)

# %% [markdown]
# ## Evaluation: every test image, the report and the confusion matrix

# %%
from pyimagesearch.utils import plot_confusion_matrix, plot_predictions

predictions = predict_all(model, test_x, batch_size=64)
text, table = classification_report(test_y, predictions, DIGIT_NAMES)
print(text)
fig, matrix = plot_confusion_matrix(test_y, predictions, DIGIT_NAMES, f"{OUTPUT}/confusion.png")
show(fig)

# %%
fig = plot_predictions(test_x, test_y, predictions.argmax(axis=1), DIGIT_NAMES,
                       f"{OUTPUT}/predictions.png", title="Test digits")
show(fig)
ACCURACY = table["accuracy"]
print(f"test accuracy: {ACCURACY:.4f}")
