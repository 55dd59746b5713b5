"""MiniVGGNet on CIFAR-10: the body the five 2020-11-12-minivggnet scripts share.

The five scripts of that study differ only in their optimizer and callbacks;
loading, scaling, one-hot encoding, building, compiling, training,
evaluating and saving are the same and live here:

- `study_parser(doc, epochs)`: the harness arguments plus `--learning-rate`,
  `--momentum` and `--no-bn`, with the diary's defaults (SGD 0.01, momentum
  0.9, Nesterov, batch 64, 40 epochs, `--dataset cifar10`).
- `load_data(source)`: CIFAR-10 (`--dataset cifar10` reads
  $DATASETS_DIR/cifar10 when present and otherwise downloads through Keras;
  `--dataset PATH` reads a {train,test}/<class>/*.png folder or the official
  cifar-10-batches-py folder) scaled to [0, 1], one-hot labels, in the
  channel order of `keras.config.image_data_format()`.
- `train_minivggnet(run, args, data, make_optimizer, callbacks)`: build,
  compile, fit, evaluate and write the harness outputs.

Example:

```python
import minivggnet_cifar10 as study  # this folder is on sys.path

parser = study.study_parser(__doc__)
args = parser.parse_args(argv)
source = harness.resolve_dataset(args.dataset, builtin=("cifar10",))
with harness.Run(study.STUDY, args) as run:
    data = study.load_data(source, verbose=args.verbose)
    study.train_minivggnet(
        run, args, data,
        make_optimizer=lambda: keras.optimizers.SGD(learning_rate=0.01, momentum=0.9,
                                                    nesterov=True),
    )
```
"""


from pyimagesearch import harness

STUDY = "2020-11-12-minivggnet"


def study_parser(description, epochs=40, batch_size=64):
    """The harness parser with the MiniVGGNet-on-CIFAR-10 training arguments."""
    parser = harness.study_parser(
        description, epochs=epochs, batch_size=batch_size, dataset="cifar10",
        dataset_help="cifar10 (a local copy under $DATASETS_DIR, else Keras' download), "
        "a {train,test}/<class>/*.png folder, or a cifar-10-batches-py folder "
        "(default: cifar10)",
    )
    parser.add_argument("--learning-rate", type=harness.positive_float, default=0.01,
                        help="SGD's initial learning rate (default 0.01)")
    parser.add_argument("--momentum", type=harness.momentum, default=0.9,
                        help="SGD momentum, Nesterov's (default 0.9)")
    parser.add_argument("--no-bn", action="store_true",
                        help="MiniVGGNet without batch normalisation")
    return parser


def load_data(source, verbose=1):
    """CIFAR-10 ready for MiniVGGNet: float32 in [0, 1], one-hot labels.

    `source` is ``"cifar10"`` (Keras' download) or a folder; see
    `pyimagesearch.datasets.cifar10.load_cifar10_for_training`.
    """
    from pyimagesearch.datasets.cifar10 import load_cifar10_for_training

    return load_cifar10_for_training(source, scale=True, verbose=verbose)


def train_minivggnet(run, args, data, make_optimizer, callbacks=(), title=None):
    """Build, compile, train and evaluate MiniVGGNet; write the harness outputs.

    Args:
        run: the `harness.Run` (outputs: `history.json`/`.csv`,
            `training_plot.png`, `classification_report.*`, `model.keras`
            and a line in `results.csv`).
        args: the parsed arguments of `study_parser` (`epochs`,
            `batch_size`, `verbose`, `no_bn`).
        data: a `CifarData` from `load_data`.
        make_optimizer: a function returning the optimizer; it is called
            inside the distribution strategy's scope.
        callbacks: Keras callbacks for `fit`. A `LearningRateLogger` runs
            first, so the history keeps the learning rate of every epoch.
        title: the training plot's title.

    Returns:
        `(model, history, report)`; `report["accuracy"]` is the test accuracy.
    """
    from pyimagesearch.callbacks import LearningRateLogger
    from pyimagesearch.datasets.cifar10 import CIFAR10_CLASSES
    from pyimagesearch.nn.conv import MiniVGGNet
    from pyimagesearch.utils import predict_all

    run.count_images(train=len(data.train_x), test=len(data.test_x))

    # build and compile MiniVGGNet
    print("[INFO] compiling model...")
    with run.strategy.scope():
        model = MiniVGGNet.build(width=32, height=32, depth=3, classes=len(CIFAR10_CLASSES),
                                 batch_norm=not args.no_bn)
        model.compile(loss="categorical_crossentropy", optimizer=make_optimizer(),
                      metrics=["accuracy"])

    # train the network (the history is written after every epoch)
    print("[INFO] training network...")
    history = model.fit(
        data.train_x, data.train_y, validation_data=(data.test_x, data.test_y),
        batch_size=args.batch_size, epochs=args.epochs, verbose=args.verbose,
        callbacks=[LearningRateLogger(), *callbacks, *run.callbacks()],
    )
    run.save_history(history, title=title or "MiniVGGNet on CIFAR-10")
    run.save_model(model)

    # evaluate the network on every test image
    print("[INFO] evaluating network...")
    predictions = predict_all(model, data.test_x, batch_size=args.batch_size)
    report = run.save_report(data.test_y, predictions, CIFAR10_CLASSES)
    run.save_predictions(data.test_x, data.test_y, predictions, CIFAR10_CLASSES)
    run.record(run.data_name("cifar10"), "accuracy", report["accuracy"])
    return model, history, report
