"""Train AlexNet on Dogs vs. Cats from the HDF5 files (2020-11-23-dogs-vs-cats, step 2).

Data: ``train.hdf5`` and ``val.hdf5`` of `build_dataset.py` (256x256 uint8
RGB) and its ``mean.json``, streamed batch by batch by
`HDF5DatasetGenerator` (the data set does not fit in memory as floats).
Training batches: a random 227x227 crop window (a new one per batch), a
random half mirrored, then random rotation 20, shift 0.2, shear 0.15 and
zoom 0.15 (Keras layers, the book's augmentation). Validation batches: the
centre 227x227 crop, nothing random. The batches stay uint8; the model's
first layer subtracts the training set's mean R, G, B, so the saved model
carries its own preprocessing.
Model: AlexNet (the book's variant: BN after every ReLU, dropout, L2 2e-4).
Recipe (the book's): Adam 1e-3, batch 128, 75 epochs. A TrainingMonitor
redraws ``monitor.png`` and rewrites ``monitor.json`` after every epoch.
Book's result: ~0.93 validation accuracy (0.94 with 10-crop evaluation,
see crop_accuracy.py).

Resuming a long training, two ways:

- ``--checkpoint-dir DIR`` saves the whole model (with the optimizer's state)
  as ``DIR/epoch_N.keras`` every ``--every`` epochs (the book's
  EpochCheckpoint). Resume by hand, optionally with a new learning rate:
  ``--checkpoint-dir DIR --checkpoint DIR/epoch_25.keras --start-epoch 25
  --learning-rate 1e-4``. Training continues at epoch 26 with the saved
  optimizer state; the curves continue from ``DIR/monitor.json``.
- ``--backup DIR`` (Keras' BackupAndRestore, with its double checkpoint,
  every write atomic) saves the state after every epoch; after a crash or
  a kill, run the SAME command again and it restores the model, the
  optimizer and the epoch by itself, in the same ``--output`` folder. It
  cannot change the learning rate; the backup is deleted only once the
  trained model is saved, so a kill at any moment loses at most the epoch
  in progress.

With ``--checkpoint-dir`` (else ``--backup``) the monitor's files live in that
folder, so they outlive a single run; otherwise in the run's folder.

    python experiments/2020-11-23-dogs-vs-cats/train_alexnet.py --hdf5-dir outputs/dogs_vs_cats/hdf5 --checkpoint-dir outputs/dogs_vs_cats/checkpoints
"""

import sys
from pathlib import Path

from pyimagesearch import harness
import config  # the study's settings, beside this script
from pyimagesearch.callbacks.epochcheckpoint import epoch_from_checkpoint

STUDY = config.STUDY
LEARNING_RATE = 1e-3


def build_generators(run, paths, args, classes):
    """The training and validation data (crops, flips, augmentation).

    Returns:
        `(train, val, val_gen)`: what `fit` trains and validates on (every
        worker reads its own index range of the files, in batches of
        `--batch-size` per replica: `Run.sharded`), and the validation
        generator over the whole file in file order, for the evaluation.
    """
    from pyimagesearch.io import HDF5DatasetGenerator, check_complete
    from pyimagesearch.preprocessing import build_augmentation

    # the book's augmentation; the horizontal flips are done by the
    # generator (in NumPy), so the Keras layers leave them out
    aug = None
    if args.augment == "book":
        aug = build_augmentation(rotation=20, shift=0.2, shear=0.15, zoom=0.15,
                                 horizontal_flip=False, seed=args.seed)
    queue = {"workers": args.workers, "max_queue_size": 4}

    def train_part(index, count, batch_size):
        return HDF5DatasetGenerator(paths["train"], batch_size, aug=aug, classes=classes,
                                    crop=args.crop_size, crop_mode="random",
                                    flip=args.augment == "book", seed=args.seed,
                                    shard=(index, count), **queue)

    def val_part(index, count, batch_size):
        return HDF5DatasetGenerator(paths["val"], batch_size, classes=classes,
                                    crop=args.crop_size, crop_mode="center", shuffle=False,
                                    shard=(index, count), **queue)

    val_gen = val_part(0, 1, run.global_batch_size)
    val = val_gen if run.replicas == 1 else run.sharded(val_part)
    train = run.sharded(train_part, rows=check_complete(paths["train"])["rows"])
    return train, val, val_gen


def parse_args(argv):
    """The command line; a bad number is an argparse error (one line, exit 2)."""
    parser = harness.study_parser(__doc__, epochs=75, batch_size=128, dataset=False)
    parser.add_argument("--hdf5-dir", required=True,
                        help="folder of train.hdf5, val.hdf5 and mean.json (build_dataset.py)")
    parser.add_argument("--learning-rate", type=harness.positive_float, default=None,
                        help=f"Adam's learning rate (default {LEARNING_RATE}); with --checkpoint it "
                        "replaces the saved one")
    parser.add_argument("--reg", type=harness.non_negative_float, default=0.0002,
                        help="L2 regularisation of every CONV and FC layer")
    parser.add_argument("--crop-size", type=harness.positive_int, default=config.CROP_SIZE,
                        help=f"training crop, square (default {config.CROP_SIZE}; at least 57 "
                        "for a new AlexNet; with --checkpoint, the model's input size)")
    parser.add_argument("--fc-units", type=harness.positive_int, default=4096,
                        help="units of the two FC layers (smaller for quick tests)")
    parser.add_argument("--bn-momentum", type=harness.momentum, default=0.99,
                        help="momentum of the BatchNormalization moving statistics (default "
                        "0.99, Keras' and the book's; ~0.9 for a few thousand images, where "
                        "an epoch is only a few steps)")
    parser.add_argument("--augment", choices=("book", "none"), default="book",
                        help="book: random crops, flips and the book's rotation, shift, shear "
                        "and zoom; none: random crops only")
    parser.add_argument("--workers", type=harness.positive_int, default=1,
                        help="threads that prepare batches (PyDataset workers)")
    parser.add_argument("--checkpoint-dir", default=None,
                        help="folder for epoch_N.keras checkpoints (and the monitor's files)")
    parser.add_argument("--every", type=harness.positive_int, default=5,
                        help="save a checkpoint every N epochs")
    parser.add_argument("--checkpoint", type=harness.existing_file, default=None,
                        help="a checkpoint (.keras) to resume from; needs --start-epoch unless "
                        "its name is epoch_N.keras")
    parser.add_argument("--start-epoch", type=harness.non_negative_int, default=None,
                        help="the epochs the --checkpoint checkpoint has already trained")
    parser.add_argument("--backup", default=None,
                        help="folder for Keras' BackupAndRestore: re-run the same command after "
                        "a crash to resume automatically")
    args = parser.parse_args(argv)
    # the checks that involve two flags
    if args.checkpoint is None and args.crop_size < 57:
        parser.error("--crop-size must be at least 57 (AlexNet's smallest input)")
    if args.start_epoch is not None and args.checkpoint is None:
        parser.error("--start-epoch needs --checkpoint (the checkpoint to resume from)")
    if args.checkpoint is not None and args.start_epoch is None:
        args.start_epoch = epoch_from_checkpoint(args.checkpoint)
        if args.start_epoch is None:
            parser.error("--checkpoint: pass --start-epoch N (the epochs it has trained)")
    if (args.start_epoch or 0) >= args.epochs:
        parser.error(f"--start-epoch {args.start_epoch} leaves nothing to train with --epochs "
                     f"{args.epochs} (--epochs is the total, not the number still to run)")
    return args


def build_model(run, args, paths, classes):
    """A new AlexNet that subtracts the training mean itself (it takes raw pixels)."""
    import keras

    from pyimagesearch.nn.conv import AlexNet
    from pyimagesearch.preprocessing import mean_subtraction_layer

    print("[INFO] compiling model...")
    with run.strategy.scope():
        model = AlexNet.build(width=args.crop_size, height=args.crop_size, depth=3,
                              classes=classes, reg=args.reg,
                              preprocessing=mean_subtraction_layer(paths["mean"]),
                              fc_units=args.fc_units, bn_momentum=args.bn_momentum)
        # x the replicas with --scale-lr
        learning_rate = run.scaled_learning_rate(args.learning_rate or LEARNING_RATE)
        opt = keras.optimizers.Adam(learning_rate=learning_rate)
        model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])
    return model


def load_checkpoint(run, args, class_names):
    """The --checkpoint checkpoint: weights, and the optimizer with its state."""
    import keras

    from pyimagesearch.callbacks import current_learning_rate
    from pyimagesearch.errors import DatasetError
    from pyimagesearch.io.modelfile import check_model_classes, load_keras_model

    print(f"[INFO] loading {args.checkpoint}...")
    with run.strategy.scope():
        model = load_keras_model(args.checkpoint, flag="--checkpoint")
    check_model_classes(model, class_names, flag="--checkpoint", path=args.checkpoint,
                        source="--hdf5-dir")
    expected = (args.crop_size, args.crop_size)
    spatial = (model.input_shape[2:] if keras.config.image_data_format() == "channels_first"
               else model.input_shape[1:3])
    if tuple(spatial) != expected:
        raise DatasetError(f"--checkpoint {args.checkpoint} takes {spatial} inputs, not the "
                           f"--crop-size {args.crop_size}")
    print(f"[INFO] old learning rate: {current_learning_rate(model):g}")
    if args.learning_rate is not None:
        # a new learning rate for the rest of the training
        model.optimizer.learning_rate.assign(run.scaled_learning_rate(args.learning_rate))
        print(f"[INFO] new learning rate: {current_learning_rate(model):g}")
    return model


def make_callbacks(run, args, start_epoch, backup):
    """The TrainingMonitor, the checkpoints and the backup; `(callbacks, monitor, start)`.

    The monitor's curves go to a folder that outlives the run (the
    checkpoints' or the backup's), so that a resumed run continues them.
    The monitor writes an epoch before the backup saves it: a kill between
    the two resumes at the epoch before, whose history the monitor then
    cuts, so the history never has a gap or a duplicate.
    """
    from pyimagesearch.callbacks import EpochCheckpoint, TrainingMonitor

    state_dir = Path(args.checkpoint_dir or args.backup or run.output_dir)
    if backup is not None and backup.restored:
        print(f"[INFO] restored the backup in {backup.backup_dir}: resuming after epoch "
              f"{backup.restored}")
        start_epoch = max(start_epoch, backup.restored)
    state_dir.mkdir(parents=True, exist_ok=True)
    monitor = TrainingMonitor(state_dir / "monitor.png", json_path=state_dir / "monitor.json",
                              start_at=start_epoch)
    callbacks = [monitor]
    if args.checkpoint_dir:
        callbacks.append(EpochCheckpoint(args.checkpoint_dir, every=args.every,
                                         start_at=start_epoch))
    callbacks += run.callbacks()
    if backup is not None:
        # two copies of the state, each written atomically: a kill at any
        # moment leaves one; kept until the model is saved
        callbacks.append(backup)
    print(f"[INFO] watch {monitor.fig_path} while the network trains")
    return callbacks, monitor, start_epoch


def check_inputs(args, paths):
    """The build's class names, after checking the files against the flags.

    Raises:
        DatasetError: train and val of different classes, images smaller
            than the crop, or one class only.
    """
    from pyimagesearch.errors import DatasetError
    from pyimagesearch.io import open_hdf5_dataset, read_label_names

    names = {}
    for split in ("train", "val"):
        with open_hdf5_dataset(paths[split], data_key="images") as db:
            names[split] = read_label_names(db)
            shape = db["images"].shape[1:]
        if len(shape) != 3 or shape[2] != 3 or min(shape[:2]) < args.crop_size:
            raise DatasetError(
                f"{paths[split]} holds images of shape {shape}, too small for --crop-size "
                f"{args.crop_size}; rebuild it with build_dataset.py --image-size "
                f"{max(args.crop_size, 64)} --force, or pass a smaller --crop-size")
    if names["train"] != names["val"]:
        raise DatasetError(f"--hdf5-dir {args.hdf5_dir}: train.hdf5 holds the classes "
                           f"{names['train']} but val.hdf5 {names['val']}; rebuild it")
    if len(names["train"]) < 2:
        raise DatasetError(f"--hdf5-dir {args.hdf5_dir} holds one class "
                           f"({names['train'][0]}); a classifier needs at least two")
    return names["train"]


@harness.entrypoint
def main(argv=None):
    args = parse_args(argv)

    from pyimagesearch.callbacks.safesaving import SafeBackupAndRestore
    from pyimagesearch.errors import DatasetError
    from pyimagesearch.io import check_complete
    from pyimagesearch.utils import predict_all

    paths = config.check_build(args.hdf5_dir, splits=("train", "val"))
    class_names = check_inputs(args, paths)

    # a BackupAndRestore backup resumes after the epochs it holds (0: none);
    # the same command run again goes on in its own --output folder
    backup = SafeBackupAndRestore(Path(args.backup) / "state") if args.backup else None
    if backup is not None and backup.restorable_epoch() > args.epochs:
        raise DatasetError(f"--backup {args.backup} holds {backup.restorable_epoch()} epochs, "
                           f"more than --epochs {args.epochs}; pass a new --backup folder")
    with harness.Run(STUDY, args) as run:
        train, val, val_gen = build_generators(run, paths, args, len(class_names))
        rows = check_complete(paths["train"])["rows"]
        print(f"[INFO] {rows} training and {val_gen.num_images} validation images; {run.replicas} replica(s), batches of {args.batch_size} "
              f"per replica (global {run.global_batch_size})")
        if args.checkpoint is None:
            model = build_model(run, args, paths, len(class_names))
        else:
            model = load_checkpoint(run, args, class_names)
        if backup is not None:
            backup.restore(model)  # a foreign backup is refused before anything is written
        callbacks, monitor, start_epoch = make_callbacks(run, args, args.start_epoch or 0, backup)

        # train the network (nothing left when a backup holds every epoch)
        print(f"[INFO] training network (epochs {start_epoch + 1} to {args.epochs})..."
              if start_epoch < args.epochs else "[INFO] the backup holds every epoch")
        model.fit(train, validation_data=val, epochs=args.epochs,
                  initial_epoch=start_epoch, callbacks=callbacks, verbose=args.verbose)

        # save the model first: the backup is deleted only once it is on disk
        print("[INFO] serializing model...")
        run.save_model(model)

        # evaluate on the validation images (centre crops)
        print("[INFO] evaluating network...")
        predictions = predict_all(model, val_gen, expected=val_gen.num_images)
        report = run.save_report(val_gen.labels, predictions, class_names)
        run.save_history(monitor.history, title="AlexNet on Dogs vs. Cats")
        run.save_json("class_names.json", class_names)
        run.record("dogs_vs_cats val", "accuracy", report["accuracy"])
        for data in {id(d): d for d in (train, val, val_gen)}.values():
            if hasattr(data, "close"):  # the generators' HDF5 files
                data.close()
        if backup is not None:
            backup.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
