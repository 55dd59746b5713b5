"""Network surgery on Flowers-17: DL4CV Practitioner Bundle ch. 5, `finetune_flowers17.py` (2020-11-21-network-surgery).

Data: Oxford Flowers-17 (17 x 80), aspect-aware resized, RGB; 75/25 split, seed 42.
Model: the network (`--model`, default vgg16) without its head and a new FCHeadNet:
FLATTEN => FC(256) => RELU => DROPOUT(0.5) => FC(17) => SOFTMAX; the network's own
`preprocess_input` in the input pipeline. Recipe (the diary's): augmentation (rotation
30, shift 0.1, shear 0.2, zoom 0.2, flip); warm-up: base frozen, RMSprop 1e-3 (1e-4 for
non-VGG networks), 25 epochs; fine-tuning: layers 15.. (VGG16's block5) trainable, SGD
1e-3, 100 epochs; BatchNormalization frozen throughout. Diary's result: 0.90 after the
warm-up, 0.94 after fine-tuning (the 2020 code never unfroze a layer). See README.md.

    python experiments/2020-11-21-network-surgery/finetune.py --dataset flowers17
    python experiments/2020-11-21-network-surgery/finetune.py --dataset flowers17 --model mobilenet_v2 --weights mobilenet_v2_1.0_224_imagenet_torchvision_no_top.h5 --warmup-epochs 15 --epochs 30
"""

import sys

import keras

from pyimagesearch import harness
from pyimagesearch.nn import backbones
from pyimagesearch.nn.conv import FCHeadNet
from pyimagesearch.preprocessing import build_augmentation
from pyimagesearch.utils import predict_all
import config  # this study's shared module, beside this script

STUDY = "2020-11-21-network-surgery"
EPOCHS = 100          # fine-tuning
WARMUP_EPOCHS = 25    # the head alone
BATCH_SIZE = 32
LEARNING_RATE = 1e-3  # SGD, fine-tuning; the warm-up's RMSprop rate: warmup_learning_rate
DENSE = 256

parser = harness.study_parser(
    __doc__, epochs=EPOCHS, batch_size=BATCH_SIZE,
    learning_rates=("warmup_learning_rate", "learning_rate"),
    dataset_help="Flowers-17 folder (<class>/<image>), or a name under $DATASETS_DIR")
config.add_network_arguments(
    parser, "imagenet", "imagenet (default), none (random) or a weights file without top (.h5)",
    "input size (default: the network's own, 224 or 299)")
parser.add_argument("--unfreeze-from", type=harness.non_negative_int, default=None,
                    help="first base layer to fine-tune (default: the network's; 15 for VGG16)")
parser.add_argument("--warmup-epochs", type=harness.positive_int, default=WARMUP_EPOCHS,
                    help=f"epochs that train the new head only (default {WARMUP_EPOCHS})")
parser.add_argument("--warmup-learning-rate", type=harness.positive_float, default=None,
                    help="RMSprop learning rate of the warm-up (default: 1e-3 for VGG, else 1e-4)")
parser.add_argument("--learning-rate", type=harness.positive_float, default=LEARNING_RATE,
                    help=f"SGD learning rate of the fine-tuning (default {LEARNING_RATE:g})")
parser.add_argument("--dense", type=harness.positive_int, default=DENSE,
                    help=f"units of the head's hidden layer, D (default {DENSE})")


def warmup_learning_rate(name):
    """The warm-up's RMSprop rate for `name`: RMSprop moves every weight by about the rate,
    so the first FC layer moves with its width; VGG's 7x7x512 inputs take the diary's 1e-3."""
    return 1e-3 if name in ("vgg16", "vgg19") else 1e-4


def unfreeze(base, start):
    """Make the layers of `base` from `start` on trainable; their names. A frozen
    BatchNormalization layer runs in inference mode (keeps its ImageNet statistics)."""
    names = []
    for layer in base.layers[start:]:
        layer.trainable = not isinstance(layer, keras.layers.BatchNormalization)
        if layer.trainable:
            names.append(layer.name)
    return names


@harness.entrypoint
def main(argv=None):
    """Load, build, warm up, fine-tune, evaluate, save (over 60 lines: two phases)."""
    args = parser.parse_args(argv)
    spec, size = config.network(args.model, args.image_size)
    if args.warmup_learning_rate is None:
        args.warmup_learning_rate = warmup_learning_rate(spec.name)
    dataset = harness.resolve_dataset(args.dataset)
    config.check_weights(args.weights)  # before the run folder is used

    with harness.Run(STUDY, args) as run:
        train_x, test_x, train_y, test_y, class_names = config.load_flowers(
            dataset, size, args.seed, args.verbose)
        run.count_images(train=len(train_x), test=len(test_x),
                         note=f"{len(class_names)} classes")
        # augmentation on the training batches only, the network's preprocessing on both
        prepare = config.network_input(spec)
        train_data = run.dataset(train_x, train_y, shuffle=True, preprocess=prepare,
                                 augmentation=build_augmentation(seed=args.seed))
        test_data = run.dataset(test_x, test_y, preprocess=prepare)

        # load the network without its head, put the new FC head on top, freeze the base
        print(f"[INFO] loading {spec.name} without its head...")
        base = backbones.build_backbone(spec.name, weights=args.weights, include_top=False,
                                        input_shape=config.input_shape(size))
        head = FCHeadNet.build(base, len(class_names), args.dense)
        model = keras.Model(inputs=base.input, outputs=head, name=f"{spec.name}_fchead")
        for layer in base.layers:
            layer.trainable = False
        start = config.fine_tuning_start(spec, base, args.unfreeze_from)  # before any file
        run.save("class_names.json", class_names)
        # compile (after freezing) and train the head alone
        print("[INFO] compiling model...")
        model.compile(loss="categorical_crossentropy", metrics=["accuracy"],
                      optimizer=keras.optimizers.RMSprop(learning_rate=args.warmup_learning_rate))
        warmup = config.describe_phase("warmup", model, args.warmup_epochs, "RMSprop",
                                       args.warmup_learning_rate)
        print("[INFO] training head...")
        history = model.fit(train_data, validation_data=test_data, epochs=args.warmup_epochs,
                            verbose=args.verbose, shuffle=False, callbacks=run.callbacks())
        print("[INFO] evaluating after initialization...")
        predictions = predict_all(model, test_data, expected=len(test_y))
        warmup["accuracy"] = run.save_report(test_y, predictions, class_names,
                                             name="classification_report_warmup")["accuracy"]
        config.save_warmup(run, history, title=f"{spec.name} + FCHeadNet: warm-up (base frozen)")

        # unfreeze the final layers of the base (`layer.trainable`, spelt right)
        # and re-compile with SGD and a *very* small learning rate
        print(f"[INFO] unfreezing from layer {start} ({base.layers[start].name}) on")
        unfreeze(base, start)
        print("[INFO] re-compiling model...")
        model.compile(loss="categorical_crossentropy", metrics=["accuracy"],
                      optimizer=keras.optimizers.SGD(learning_rate=args.learning_rate))
        tuned = config.describe_phase("finetune", model, args.epochs, "SGD", args.learning_rate)
        tuned.update(unfreeze_from=start, unfreeze_layer=base.layers[start].name)
        if tuned["trainable_params"] <= warmup["trainable_params"]:
            print(f"[WARN] nothing was unfrozen: layers {start}.. of {spec.name} have no "
                  "trainable weights (choose a smaller --unfreeze-from)")
        print("[INFO] fine-tuning model...")  # *both* the final CONV layers and the FC head
        history = model.fit(train_data, validation_data=test_data, epochs=args.epochs,
                            verbose=args.verbose, shuffle=False, callbacks=run.callbacks())

        # evaluate the network on the fine-tuned model
        print("[INFO] evaluating after fine-tuning...")
        predictions = predict_all(model, test_data, expected=len(test_y))
        tuned["accuracy"] = run.save_report(test_y, predictions, class_names)["accuracy"]
        run.save("phases.json", {
            "backbone": spec.name, "input_size": size, "weights": str(args.weights),
            "input": f"RGB 0-255, then keras.applications.{spec.module}.preprocess_input "
                     "(not inside model.keras)",
            "phases": [warmup, tuned]})
        run.save_history(history, title=f"{spec.name} + FCHeadNet: fine-tuning from layer {start}")
        print("[INFO] serializing model...")
        run.save_model(model)
        run.record(f"{dataset.name} ({spec.name})", "warmup_accuracy", warmup["accuracy"])
        run.record(f"{dataset.name} ({spec.name})", "accuracy", tuned["accuracy"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
