"""Data augmentation from Keras preprocessing layers (not ImageDataGenerator)."""

import keras
from keras import layers


def build_augmentation(rotation=30, shift=0.1, shear=0.2, zoom=0.2, horizontal_flip=True,
                       fill_mode="nearest", seed=None, name="augmentation"):
    """The diary's augmentation as a `keras.Sequential` of random layers.

    The defaults are the diary's `ImageDataGenerator(rotation_range=30,
    width_shift_range=0.1, height_shift_range=0.1, shear_range=0.2,
    zoom_range=0.2, horizontal_flip=True, fill_mode="nearest")`, mapped to
    layers: rotation in degrees (+-30), shift as a fraction of the size,
    zoom as +-20%, and shear as Keras' `RandomShear` factor (note:
    `ImageDataGenerator` read `shear_range` in degrees, so 0.2 there was a
    barely visible shear; here 0.2 is a real one). The layers only act when
    called with `training=True` (or inside `fit`); apply them in a tf.data
    map or put them at the front of a model.

    Args:
        rotation: maximum rotation in degrees (0 leaves it out).
        shift: maximum horizontal and vertical shift, fraction of the size.
        shear: `RandomShear` factor along x and y.
        zoom: maximum zoom in or out, as a fraction.
        horizontal_flip: flip left-right at random.
        fill_mode: how to fill new pixels (`"nearest"`, `"reflect"`, ...).
        seed: seed of the random layers.

    Example:

    >>> aug = build_augmentation(seed=1)
    >>> images = keras.random.uniform((2, 32, 32, 3))
    >>> aug(images, training=True).shape
    TensorShape([2, 32, 32, 3])
    """
    for arg, value, top in (("rotation", rotation, 180), ("shift", shift, 1),
                            ("shear", shear, 1), ("zoom", zoom, 1)):
        if not 0 <= value <= top:
            raise ValueError(
                f"`{arg}` must be between 0 and {top}. Received: {arg}={value!r}"
            )
    stack = []
    if horizontal_flip:
        stack.append(layers.RandomFlip("horizontal", seed=seed, name="flip"))
    if rotation:
        stack.append(layers.RandomRotation(rotation / 360.0, fill_mode=fill_mode, seed=seed,
                                           name="rotation"))
    if shift:
        stack.append(layers.RandomTranslation(shift, shift, fill_mode=fill_mode, seed=seed,
                                              name="shift"))
    if shear:
        stack.append(layers.RandomShear(shear, shear, fill_mode=fill_mode, seed=seed,
                                        name="shear"))
    if zoom:
        stack.append(layers.RandomZoom(zoom, zoom, fill_mode=fill_mode, seed=seed, name="zoom"))
    if not stack:
        raise ValueError("every augmentation is switched off: nothing to build")
    return keras.Sequential(stack, name=name)
