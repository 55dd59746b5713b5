"""Data augmentation from Keras preprocessing layers."""

import itertools

import keras
from keras import layers

from pyimagesearch._checks import flag, number_in


def build_augmentation(rotation=30, shift=0.1, shear=0.2, zoom=0.2, horizontal_flip=True,
                       fill_mode="nearest", seed=None, name="augmentation"):
    """The book's augmentation as a `keras.Sequential` of random layers.

    The defaults are the book's `ImageDataGenerator(rotation_range=30,
    width_shift_range=0.1, height_shift_range=0.1, shear_range=0.2,
    zoom_range=0.2, horizontal_flip=True, fill_mode="nearest")` as layers.
    Note that `ImageDataGenerator` read `shear_range` in degrees, while
    `RandomShear` takes a factor: 0.2 here is a real shear. The layers only
    act with `training=True` (or inside `fit`): apply them in a tf.data map
    or put them at the front of a model.

    Args:
        rotation: the largest rotation in degrees (0 leaves it out).
        shift: the largest horizontal and vertical shift, a fraction of the size.
        shear: the `RandomShear` factor along x and y.
        zoom: the largest zoom in or out, a fraction.
        horizontal_flip: flip left-right at random.
        fill_mode: how to fill new pixels (`"nearest"`, `"reflect"`, ...).
        seed: the seed of the random layers (each layer gets its own, `seed + k`).

    Example:

    >>> aug = build_augmentation(seed=1)
    >>> aug(keras.random.uniform((2, 32, 32, 3)), training=True).shape
    TensorShape([2, 32, 32, 3])
    """
    rotation = number_in("rotation", rotation, 0, 180)
    shift, shear, zoom = (number_in(n, v, 0, 1) for n, v in
                          (("shift", shift), ("shear", shear), ("zoom", zoom)))
    seeds = itertools.repeat(None) if seed is None else itertools.count(seed)
    stack = []
    if flag("horizontal_flip", horizontal_flip):
        stack.append(layers.RandomFlip("horizontal", seed=next(seeds), name="flip"))
    if rotation:
        stack.append(layers.RandomRotation(rotation / 360.0, fill_mode=fill_mode, seed=next(seeds),
                                           name="rotation"))
    if shift:
        stack.append(layers.RandomTranslation(shift, shift, fill_mode=fill_mode, seed=next(seeds),
                                              name="shift"))
    if shear:
        stack.append(layers.RandomShear(shear, shear, fill_mode=fill_mode, seed=next(seeds),
                                        name="shear"))
    if zoom:
        stack.append(layers.RandomZoom(zoom, zoom, fill_mode=fill_mode, seed=next(seeds),
                                       name="zoom"))
    if not stack:
        raise ValueError("every augmentation is switched off: nothing to build")
    return keras.Sequential(stack, name=name)
