"""Fine-tune an ImageNet network on Flowers-17 by network surgery (2020-11-21-network-surgery).

Data: Oxford Flowers-17, `<dataset>/<class>/image_NNNN.jpg` (17 x 80),
resized to the network's input size keeping the aspect ratio
(AspectAwarePreprocessor), RGB; 75/25 split, seed 42.
Model: the network (`--model`, default vgg16) without its head, and a new
FCHeadNet on top: FLATTEN => FC(256) => RELU => DROPOUT(0.5) => FC(17) =>
SOFTMAX. The network's own `preprocess_input` is applied in the input
pipeline, the same way to training and test images.
Recipe (the diary's): augmentation of the training batches (rotation 30,
shift 0.1, shear 0.2, zoom 0.2, horizontal flip); warm-up: the base frozen,
only the head trains, RMSprop 1e-3 (1e-4 for networks other than VGG:
`warmup_learning_rate`), 25 epochs; fine-tuning: the layers
from index 15 on (VGG16's block5) trainable again, SGD 1e-3, 100 epochs.
BatchNormalization layers stay frozen (inference mode) throughout.
Diary's result: 0.90 accuracy after the warm-up, 0.94 after fine-tuning
(the 2020 code never unfroze a layer: a misspelt attribute).

    python experiments/2020-11-21-network-surgery/finetune.py --dataset flowers17
    python experiments/2020-11-21-network-surgery/finetune.py --dataset flowers17 --model mobilenet_v2 --weights mobilenet_v2_1.0_224_imagenet_torchvision_no_top.h5 --warmup-epochs 15 --epochs 30
Measured here (MobileNetV2, 15 + 30 epochs): see this folder's README.md.
"""

import copy
import sys

import surgery  # this study's shared module, beside this script

from pyimagesearch import harness
from pyimagesearch.errors import PyImageSearchError

STUDY = "2020-11-21-network-surgery"


def parse_args(argv):
    """The diary's recipe as defaults; a bad value is an argparse error (exit 2)."""
    from pyimagesearch.nn import backbones

    parser = harness.study_parser(
        __doc__, epochs=100, batch_size=32,
        dataset_help="Flowers-17 folder (<class>/<image>), or a name under $DATASETS_DIR",
    )
    parser.add_argument("-m", "--model", default="vgg16",
                        help=f"network: {', '.join(backbones.backbone_names())}; default vgg16")
    parser.add_argument("-w", "--weights", default="imagenet",
                        help="imagenet (download), none (random: for tests) or a weights file "
                        "without top (.h5); default imagenet")
    parser.add_argument("--unfreeze-from", type=harness.non_negative_int, default=None,
                        help="index of the first base layer to fine-tune (default: the "
                        "network's, e.g. 15 for VGG16; see inspect_model.py)")
    parser.add_argument("--warmup-epochs", type=harness.positive_int, default=25,
                        help="epochs that train the new head only (default 25)")
    parser.add_argument("--warmup-learning-rate", type=harness.positive_float, default=None,
                        help="RMSprop learning rate of the warm-up (default: the diary's 1e-3 "
                        "for vgg16/vgg19, 1e-4 for the others, whose flattened feature maps "
                        "are 2.5-5x wider)")
    parser.add_argument("--learning-rate", type=harness.positive_float, default=1e-3,
                        help="SGD learning rate of the fine-tuning (default 1e-3)")
    parser.add_argument("--dense", type=harness.positive_int, default=256,
                        help="units of the head's hidden layer, D (default 256)")
    parser.add_argument("--image-size", type=harness.positive_int, default=None,
                        help="input size (default: the network's own, 224 or 299)")
    return parser.parse_args(argv)


def warmup_learning_rate(name):
    """The warm-up's default RMSprop learning rate for backbone `name`.

    RMSprop moves every weight by about the learning rate at each step,
    whatever its gradient, so the first FC layer's outputs move in
    proportion to its number of inputs: VGG's 7x7x512 = 25,088 take the
    diary's 1e-3, but MobileNetV2's 7x7x1,280 = 62,720 blew up with it
    (training loss 18 in the first epoch, 0.67 test accuracy after 8 of
    them, measured on Flowers-17) and learn steadily with 1e-4 (0.94 after
    15). ResNet50, Inception and Xception are wider still.
    """
    return 1e-3 if name in ("vgg16", "vgg19") else 1e-4


def choose_network(args):
    """The backbone of `--model` and its input size; fills in the warm-up's rate."""
    spec, size = surgery.network(args.model, args.image_size)
    if args.warmup_learning_rate is None:
        args.warmup_learning_rate = warmup_learning_rate(spec.name)
    return spec, size


def load_data(dataset, size, seed, verbose):
    """The flowers at the network's size (aspect-aware), RGB uint8, split 75/25.

    The images are channels first when `keras.config.image_data_format()`
    says so.

    Returns:
        `(train_x, test_x, train_y, test_y, class_names)`: class `i` is
        `class_names[i]` in every split.
    """
    import keras
    import numpy as np

    from pyimagesearch.datasets import SimpleDatasetLoader, list_images, split_labelled
    from pyimagesearch.preprocessing import AspectAwarePreprocessor

    # load the images at the network's size (aspect-aware), kept as
    # uint8, and turn OpenCV's BGR into the RGB the networks expect
    print("[INFO] loading images...")
    sdl = SimpleDatasetLoader(preprocessors=[AspectAwarePreprocessor(size, size)])
    data, labels = sdl.load(list_images(dataset), verbose=verbose)
    data = data[..., ::-1]
    if keras.config.image_data_format() == "channels_first":
        data = np.moveaxis(data, -1, 1)
    data = np.ascontiguousarray(data)

    # one encoder for every split: class i is class_names[i] everywhere
    return split_labelled(data, labels, test_size=0.25, seed=seed)


def network_input(preprocess):
    """The network's `preprocess` of a batch of uint8 images, cast to float32 first.

    Training and test batches take the same path (`Run.dataset(...,
    preprocess=network_input(...))`); only the training batches are
    augmented before it, on the 0-255 pixels.
    """
    import tensorflow as tf

    return lambda images: preprocess(tf.cast(images, tf.float32))


def build_model(spec, weights, size, classes, dense, learning_rate):
    """The network without its head, a new FCHeadNet on top, the base frozen.

    Returns:
        `(model, base)`: the whole network compiled with RMSprop for the
        warm-up, and the base (to unfreeze its last layers later).
    """
    import keras

    from pyimagesearch.nn import backbones
    from pyimagesearch.nn.conv import FCHeadNet

    # load the network, ensuring the head FC layer sets are left off,
    # then place the new FC head on top of the base model
    print(f"[INFO] loading {spec.name} without its head...")
    base = backbones.build_backbone(spec.name, weights=weights, include_top=False,
                                    input_shape=surgery.input_shape(size))
    head = FCHeadNet.build(base, classes, dense)
    model = keras.Model(inputs=base.input, outputs=head, name=f"{spec.name}_fchead")

    # loop over all layers in the base model and freeze them so they
    # will *not* be updated during the warm-up
    for layer in base.layers:
        layer.trainable = False

    # compile our model (this needs to be done after setting our
    # layers to being non-trainable)
    print("[INFO] compiling model...")
    opt = keras.optimizers.RMSprop(learning_rate=learning_rate)
    model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])
    return model, base


def fine_tuning_start(spec, base, requested=None):
    """The index of the first base layer to fine-tune, checked against `base`."""
    from pyimagesearch.nn import backbones

    start = backbones.unfreeze_index(spec.name, base) if requested is None else requested
    if not 0 <= start < len(base.layers):
        raise PyImageSearchError(f"--unfreeze-from {start}: {spec.name} has layers 0.."
                                 f"{len(base.layers) - 1} (see inspect_model.py)")
    return start


def count_params(weights):
    """The number of scalars in a list of variables."""
    import numpy as np

    return int(sum(np.prod(w.shape) for w in weights))


def describe_phase(name, model, epochs, optimizer, learning_rate):
    """What trains in a phase: printed, and kept in phases.json."""
    trainable = count_params(model.trainable_weights)
    frozen = count_params(model.non_trainable_weights)
    layers = [layer.name for layer in model.layers if layer.trainable and layer.weights]
    print(f"[INFO] {name}: {trainable:,} trainable parameters, {frozen:,} frozen; "
          f"{len(layers)} layers with trainable weights")
    return {"phase": name, "epochs": epochs, "optimizer": optimizer,
            "learning_rate": learning_rate, "trainable_params": trainable,
            "non_trainable_params": frozen, "trainable_layers": layers}


def evaluate(run, model, test_data, test_y, class_names, name="classification_report"):
    """Predict the test images and save the classification report as `name`."""
    from pyimagesearch.utils import predict_all

    predictions = predict_all(model, test_data, expected=len(test_y))
    return run.save_report(test_y, predictions, class_names, name=name)


def warm_up(run, model, train_data, test_data, test_y, class_names, args, network):
    """Phase 1: train the new head only, the base frozen, then evaluate.

    Writes `classification_report_warmup.*`, `history_warmup.json` and
    `training_plot_warmup.png`.

    Returns:
        What trained and how well (an entry of phases.json).
    """
    from pyimagesearch.utils import plot_history

    phase = describe_phase("warmup", model, args.warmup_epochs, "RMSprop",
                           args.warmup_learning_rate)

    # train the head of the network for a few epochs (all other layers
    # are frozen): this lets the new FC layers start to "learn" from the
    # highly discriminative features the base already computes
    print("[INFO] training head...")
    history = model.fit(train_data, validation_data=test_data, epochs=args.warmup_epochs,
                        verbose=args.verbose, shuffle=False, callbacks=run.callbacks())

    # evaluate the network after initialization
    print("[INFO] evaluating after initialization...")
    report = evaluate(run, model, test_data, test_y, class_names,
                      name="classification_report_warmup")
    logs = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    run.save_json("history_warmup.json", logs)
    plot_history(logs, run.path("training_plot_warmup.png"),
                 title=f"{network} + FCHeadNet: warm-up (base frozen)")
    phase["accuracy"] = report["accuracy"]
    return phase


def unfreeze(base, start):
    """Make the layers of `base` from index `start` on trainable, BN excepted.

    BatchNormalization layers stay frozen: in Keras 3 a frozen BN layer runs
    in inference mode (it normalises with its ImageNet moving mean and
    variance, and keeps gamma and beta), whereas a trainable one would
    normalise with the statistics of each small batch of flowers and
    overwrite the ImageNet ones. VGG16 has no BN layer; MobileNetV2,
    ResNet50 and the others do.

    Returns:
        The names of the layers made trainable.
    """
    import keras

    names = []
    for layer in base.layers[start:]:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
            continue
        layer.trainable = True
        names.append(layer.name)
    return names


def fine_tune(run, model, base, start, train_data, test_data, args, network):
    """Phase 2: unfreeze the base's layers from `start` on and train with SGD.

    Returns:
        `(history, phase)`: the Keras history, and what trained (an entry
        of phases.json; its accuracy is added by `main`).
    """
    import keras

    warmup_params = count_params(model.trainable_weights)

    # now that the head FC layers have been trained/initialized, unfreeze
    # the final set of layers of the base and make them trainable
    # (`layer.trainable`, spelt right: the 2020 code set a misspelt
    # attribute and silently trained the head only). BatchNormalization
    # layers stay frozen: a frozen BN layer runs in inference mode in
    # Keras 3 (its ImageNet mean/variance are kept), which small batches
    # of 17 flower classes would otherwise overwrite.
    print(f"[INFO] unfreezing from layer {start} ({base.layers[start].name}) on")
    unfreeze(base, start)

    # for the changes to the model to take effect we need to recompile
    # the model, this time using SGD with a *very* small learning rate
    print("[INFO] re-compiling model...")
    with run.strategy.scope():
        model.compile(loss="categorical_crossentropy", metrics=["accuracy"],
                      optimizer=keras.optimizers.SGD(learning_rate=args.learning_rate))
    phase = describe_phase("finetune", model, args.epochs, "SGD", args.learning_rate)
    phase["unfreeze_from"] = start
    phase["unfreeze_layer"] = base.layers[start].name
    if phase["trainable_params"] <= warmup_params:
        print(f"[WARN] nothing was unfrozen: layers {start}.. of {network} have no "
              "trainable weights (choose a smaller --unfreeze-from)")

    # train the model again, this time fine-tuning *both* the final set
    # of CONV layers along with our set of FC layers
    print("[INFO] fine-tuning model...")
    history = model.fit(train_data, validation_data=test_data, epochs=args.epochs,
                        verbose=args.verbose, shuffle=False, callbacks=run.callbacks())
    return history, phase


@harness.entrypoint
def main(argv=None):
    args = parse_args(argv)
    spec, size = choose_network(args)
    dataset = harness.resolve_dataset(args.dataset)

    from pyimagesearch.nn import backbones
    from pyimagesearch.preprocessing import build_augmentation

    with harness.Run(STUDY, args) as run:
        train_x, test_x, train_y, test_y, class_names = load_data(
            dataset, size, args.seed, args.verbose)
        run.save_json("class_names.json", class_names)
        print(f"[INFO] {len(train_x)} training, {len(test_x)} test images; "
              f"{len(class_names)} classes")

        # the input pipelines: augmentation on the training batches only, the
        # network's own preprocessing on both
        # (global batches: --batch-size per replica)
        prepare = network_input(backbones.preprocess_input(spec.name))
        train_data = run.dataset(train_x, train_y, shuffle=True,
                                 augmentation=build_augmentation(seed=args.seed),
                                 preprocess=prepare)
        test_data = run.dataset(test_x, test_y, preprocess=prepare)
        # the learning rates of both phases, x the replicas with --scale-lr
        # (on a copy of the flags: args.json and the ledger keep what was asked)
        args = copy.copy(args)
        args.warmup_learning_rate = run.scaled_learning_rate(args.warmup_learning_rate)
        args.learning_rate = run.scaled_learning_rate(args.learning_rate)

        with run.strategy.scope():
            model, base = build_model(spec, args.weights, size, len(class_names), args.dense,
                                      args.warmup_learning_rate)
        # where fine-tuning will start (checked now, before hours of warm-up)
        start = fine_tuning_start(spec, base, args.unfreeze_from)

        # phase 1: the new head alone; phase 2: the last layers of the base too
        warmup = warm_up(run, model, train_data, test_data, test_y, class_names, args,
                         spec.name)
        history, tuned = fine_tune(run, model, base, start, train_data, test_data, args,
                                   spec.name)

        # evaluate the network on the fine-tuned model
        print("[INFO] evaluating after fine-tuning...")
        tuned["accuracy"] = evaluate(run, model, test_data, test_y, class_names)["accuracy"]
        run.save_json("phases.json", {
            "backbone": spec.name, "input_size": size, "weights": str(args.weights),
            "input": f"RGB 0-255, then keras.applications.{spec.module}.preprocess_input "
                     "(not inside model.keras)",
            "phases": [warmup, tuned],
        })
        run.save_history(history, title=f"{spec.name} + FCHeadNet: fine-tuning from layer {start}")

        # save the model to disk
        print("[INFO] serializing model...")
        run.save_model(model)
        data_name = f"{dataset.name} ({spec.name})"
        run.record(data_name, "warmup_accuracy", warmup["accuracy"])
        run.record(data_name, "accuracy", tuned["accuracy"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
