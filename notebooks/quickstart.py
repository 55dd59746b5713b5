# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # Quick start: LeNet on scikit-learn's digits, in a notebook
#
# The package is a set of tools (`pyimagesearch.nn`, `.datasets`, `.utils`, ...):
# this notebook uses them directly, without the study scripts' command line.
# It trains the book's LeNet on the 8x8 digits that ship with scikit-learn
# (upscaled to 28x28), then shows the curves, the confusion matrix and a few
# predictions. Open it with Jupyter and jupytext (`pip install jupytext`), or
# run it as a script: `python notebooks/quickstart.py`. It needs no download.

# %%
import os

import keras
import matplotlib

if "ipykernel" not in os.sys.modules:
    matplotlib.use("Agg")  # run as a script: draw into files
import matplotlib.pyplot as plt

import pyimagesearch
from pyimagesearch.datasets import DIGIT_NAMES, load_digits
from pyimagesearch.nn.conv import LeNet
from pyimagesearch.utils import classification_report, predict_all

EPOCHS = int(os.environ.get("QUICKSTART_EPOCHS", "10"))
OUTPUT = os.environ.get("QUICKSTART_OUTPUT", "outputs/notebook")
os.makedirs(OUTPUT, exist_ok=True)
keras.utils.set_random_seed(42)
print("pyimagesearch", pyimagesearch.__version__, "keras", keras.__version__)

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

plot_history(history, f"{OUTPUT}/curves.png", title="LeNet on digits")
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(history.history["accuracy"], label="train")
ax.plot(history.history["val_accuracy"], label="test")
ax.set_xlabel("epoch")
ax.legend()
plt.show()

# %% [markdown]
# ## Evaluation: every test image, the report and the confusion matrix

# %%
from pyimagesearch.utils import plot_confusion_matrix, plot_predictions

predictions = predict_all(model, test_x, batch_size=64)
text, table = classification_report(test_y, predictions, DIGIT_NAMES)
print(text)
_, matrix = plot_confusion_matrix(test_y, predictions, DIGIT_NAMES, f"{OUTPUT}/confusion.png")
print(matrix)
plot_predictions(test_x, test_y, predictions.argmax(axis=1), DIGIT_NAMES,
                 f"{OUTPUT}/predictions.png", title="Test digits")
ACCURACY = table["accuracy"]
print(f"test accuracy: {ACCURACY:.4f}")
