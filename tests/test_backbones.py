"""The backbone registry, FCHeadNet and the image-path pipeline (offline, tiny)."""

import json

import cv2
import keras
import numpy as np
import pytest

from pyimagesearch.datasets import image_path_dataset
from pyimagesearch.errors import DatasetError, PyImageSearchError
from pyimagesearch.nn import backbones
from pyimagesearch.nn.conv import FCHeadNet

from conftest import datasets_dir


# -- registry ---------------------------------------------------------------------
def test_names_sizes_and_preprocessing():
    names = backbones.backbone_names()
    assert {"vgg16", "vgg19", "resnet50", "inception_v3", "xception", "mobilenet_v2"} <= set(names)
    assert backbones.input_size("vgg16") == 224
    assert backbones.input_size("inception") == 299  # the book's alias
    assert backbones.input_size("xception") == 299
    assert backbones.get_backbone("resnet").name == "resnet50"
    assert backbones.preprocess_input("vgg16") is keras.applications.vgg16.preprocess_input
    assert (backbones.preprocess_input("mobilenet_v2")
            is keras.applications.mobilenet_v2.preprocess_input)
    pixels = np.full((1, 2, 2, 3), 255.0, "float32")
    np.testing.assert_allclose(backbones.preprocess_input("mobilenet_v2")(pixels.copy()), 1.0)


def test_unknown_name_is_one_line_listing_the_names():
    with pytest.raises(PyImageSearchError) as info:
        backbones.get_backbone("alexnet")
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert "\n" not in message and "'alexnet'" in message
    assert all(name in message for name in backbones.backbone_names())


@pytest.mark.parametrize("name", backbones.backbone_names())
def test_default_unfreeze_index_points_at_its_layer(name):
    spec = backbones.get_backbone(name)
    model = backbones.build_backbone(name, weights=None, include_top=False,
                                     input_shape=(spec.min_size, spec.min_size, 3))
    anchor, offset = spec.unfreeze_anchor
    assert model.layers[spec.unfreeze_from - offset].name == anchor
    assert backbones.unfreeze_index(name, model) == spec.unfreeze_from
    assert 0 < spec.unfreeze_from < len(model.layers)


def test_vgg16_unfreezes_from_the_books_layer_15():
    assert backbones.unfreeze_index("vgg16") == 15


def test_build_headless_pooled_and_string_none():
    base = backbones.build_backbone("mobilenet_v2", weights="none", include_top=False,
                                    input_shape=(32, 32, 3))
    assert base.output_shape == (None, 1, 1, 1280)
    pooled = backbones.build_backbone("mobilenet_v2", weights=None, include_top=False,
                                      pooling="avg", input_shape=(32, 32, 3))
    assert pooled.output_shape == (None, 1280)
    default = backbones.build_backbone("vgg16", weights=None, include_top=False)
    assert default.input_shape == (None, 224, 224, 3)


@pytest.mark.parametrize("kwargs, message", [
    (dict(input_shape=(16, 16, 3)), "at least 32x32"),
    (dict(input_shape=(32, 32)), "three integers"),
    (dict(pooling="mean"), "pooling"),
    (dict(pooling="avg", include_top=True), "only applies without the top"),
])
def test_bad_arguments(kwargs, message):
    kwargs = {"weights": None, "include_top": False, **kwargs}
    with pytest.raises(ValueError, match=message):
        backbones.build_backbone("mobilenet_v2", **kwargs)


def test_weights_paths(tmp_path):
    with pytest.raises(DatasetError, match="no such file.*Received: weights=.*missing.h5"):
        backbones.build_backbone("mobilenet_v2", weights=str(tmp_path / "missing.h5"),
                                 include_top=False, input_shape=(32, 32, 3))
    native = tmp_path / "model.weights.h5"
    native.write_bytes(b"")
    with pytest.raises(DatasetError, match="not .weights.h5"):
        backbones.build_backbone("mobilenet_v2", weights=str(native), include_top=False)
    import h5py

    h5py.File(tmp_path / "empty.h5", "w").close()
    with pytest.raises(DatasetError, match="could not load it into mobilenet_v2.*weights="):
        backbones.build_backbone("mobilenet_v2", weights=str(tmp_path / "empty.h5"),
                                 include_top=False, input_shape=(32, 32, 3))


def test_imagenet_download_failure_says_to_pass_a_path(monkeypatch):
    def offline(**kwargs):
        raise Exception("URL fetch failure on https://storage.googleapis.com/x.h5: None -- "
                        "[Errno -2] Name or service not known")

    monkeypatch.setattr(keras.applications, "MobileNetV2", offline)
    with pytest.raises(PyImageSearchError, match="weights=PATH"):
        backbones.build_backbone("mobilenet_v2", weights="imagenet", include_top=False)


# -- ImageNet class index ------------------------------------------------------------
def test_class_index_and_decoding(tmp_path):
    path = tmp_path / "index.json"
    path.write_text(json.dumps({str(i): [f"n{i:08d}", f"class_{i}"] for i in range(6)}))
    index = backbones.load_imagenet_class_index(path)
    assert index[3] == ("n00000003", "class_3")
    preds = np.array([[0.05, 0.1, 0.5, 0.05, 0.2, 0.1]])
    top = backbones.decode_predictions(preds, index, top=3)
    assert [label for (_, label, _) in top[0]] == ["class_2", "class_4", "class_1"]
    assert top[0][0][2] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="shape"):
        backbones.decode_predictions(np.ones((1, 5)), index)
    (tmp_path / "bad.json").write_text('{"0": "tench"}')
    with pytest.raises(DatasetError, match="expected"):
        backbones.load_imagenet_class_index(tmp_path / "bad.json")
    (tmp_path / "text.json").write_text("tench")
    with pytest.raises(DatasetError, match="not a JSON"):
        backbones.load_imagenet_class_index(tmp_path / "text.json")


# -- FCHeadNet --------------------------------------------------------------------------
def test_fcheadnet_on_a_headless_base():
    base = backbones.build_backbone("vgg16", weights=None, include_top=False,
                                    input_shape=(32, 32, 3))
    head = FCHeadNet.build(base, 17, 256)
    model = keras.Model(base.input, head)
    assert model.output_shape == (None, 17)
    assert [layer.name for layer in model.layers[-5:]] == [
        "head_flatten", "head_fc", "head_dropout", "head_predictions_dense", "head_predictions"]
    # the base's layers keep their indices: layer 15 is still block5_conv1
    assert model.layers[15].name == "block5_conv1"
    assert model.get_layer("head_fc").units == 256
    assert model.get_layer("head_predictions").dtype_policy.compute_dtype == "float32"
    out = model.predict(np.zeros((2, 32, 32, 3), "float32"), verbose=0)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("args, message", [
    ((1, 256), "classes"), ((17, 0), "D"), ((17, 2.5), "D"), ((True, 256), "classes"),
])
def test_fcheadnet_checks_its_arguments(args, message):
    base = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Conv2D(2, 3)])
    with pytest.raises(ValueError, match=message):
        FCHeadNet.build(base, *args)


def test_fcheadnet_needs_a_known_output_size():
    base = backbones.build_backbone("mobilenet_v2", weights=None, include_top=False,
                                    input_shape=(32, 32, 3))
    inputs = keras.Input((None, None, 3))
    unknown = keras.Model(inputs, keras.layers.Conv2D(2, 3)(inputs))
    with pytest.raises(ValueError, match="input_shape"):
        FCHeadNet.build(unknown, 3, 8)
    with pytest.raises(ValueError, match="keras.Model"):
        FCHeadNet.build(base.output, 3, 8)


# -- the image-path pipeline ----------------------------------------------------------
def test_image_path_dataset_keeps_order_resizes_and_skips_unreadable(tmp_path):
    paths = []
    for i, (h, w) in enumerate([(40, 60), (50, 30), (20, 20), (64, 64), (33, 45)]):
        path = tmp_path / f"{i}.png"
        cv2.imwrite(str(path), np.full((h, w, 3), (10 * i, 100, 200), np.uint8))  # BGR
        paths.append(str(path))
    (tmp_path / "broken.jpg").write_bytes(b"not a jpeg")
    paths.insert(2, str(tmp_path / "broken.jpg"))
    for resize in ("squash", "crop"):
        batches = list(image_path_dataset(paths, (16, 24), batch_size=2, resize=resize))
        index = np.concatenate([b[0].numpy() for b in batches])
        images = np.concatenate([b[1].numpy() for b in batches])
        assert index.tolist() == [0, 1, 3, 4, 5]  # the broken file (2) is skipped
        assert images.shape == (5, 16, 24, 3) and images.dtype == np.float32
        # RGB order: the red channel holds what OpenCV wrote last (200)
        np.testing.assert_allclose(images[:, 8, 12, 0], 200, atol=1)
        np.testing.assert_allclose(images[:, 8, 12, 2], [0, 10, 20, 30, 40], atol=1)
    scaled = next(iter(image_path_dataset(paths[:1], 8, lambda x: x / 255.0)))[1].numpy()
    assert scaled.max() <= 1.0 and scaled.shape == (1, 8, 8, 3)
    with pytest.raises(ValueError, match="resize"):
        image_path_dataset(paths, 8, resize="stretch")
    with pytest.raises(ValueError, match="empty"):
        image_path_dataset([], 8)


# -- real weights (skipped without DATASETS_DIR) ----------------------------------------
def test_real_mobilenet_v2_weights_label_pandas():
    root = datasets_dir()
    weights = root / "weights" / "mobilenet_v2_1.0_224_imagenet_torchvision.h5"
    if not weights.is_file():
        pytest.skip("no MobileNetV2 weights under $DATASETS_DIR/weights")
    model = backbones.build_backbone("mobilenet_v2", weights=str(weights))
    index = backbones.load_imagenet_class_index(root / "weights" / "imagenet_class_index.json")
    pandas = sorted((root / "animals" / "panda").iterdir())[:3]
    images = [cv2.resize(cv2.imread(str(p)), (224, 224))[..., ::-1] for p in pandas]
    x = backbones.preprocess_input("mobilenet_v2")(np.array(images, dtype="float32"))
    top = backbones.decode_predictions(model.predict(x, verbose=0), index, top=5)
    assert sum(row[0][1] == "giant_panda" for row in top) >= 2
