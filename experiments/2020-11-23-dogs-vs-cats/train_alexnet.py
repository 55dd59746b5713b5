"""AlexNet on Dogs vs. Cats: DL4CV Practitioner Bundle ch. 10, `train_alexnet.py` (2020-11-23-dogs-vs-cats).

Step 2: AlexNet (BN after every ReLU, dropout, L2; it subtracts the mean R, G, B)
on build_dataset.py's HDF5 files: random 227x227 crops, flips, rotation, shift,
shear, zoom to train, centre crops to validate. Recipe (the book's): Adam 1e-3,
batch 128, 75 epochs. Book's result: ~0.93 val accuracy; resuming: README.md.

    python experiments/2020-11-23-dogs-vs-cats/train_alexnet.py --hdf5-dir outputs/dogs_vs_cats/hdf5 --checkpoint-dir outputs/dogs_vs_cats/checkpoints
"""

import sys
from pathlib import Path

import keras

import config  # the study's settings, beside this script
from pyimagesearch import harness
from pyimagesearch.callbacks import EpochCheckpoint, TrainingMonitor, current_learning_rate
from pyimagesearch.callbacks.epochcheckpoint import epoch_from_checkpoint
from pyimagesearch.errors import DatasetError
from pyimagesearch.io import HDF5DatasetGenerator, check_complete
from pyimagesearch.nn.conv import AlexNet
from pyimagesearch.preprocessing import build_augmentation, mean_subtraction_layer
from pyimagesearch.utils import predict_all

# the book's recipe
EPOCHS, BATCH_SIZE, LEARNING_RATE = 75, 128, 1e-3
REG, FC_UNITS, BN_MOMENTUM, MIN_CROP = 0.0002, 4096, 0.99, 57  # 57: AlexNet's smallest input

parser = harness.study_parser(__doc__, epochs=EPOCHS, batch_size=BATCH_SIZE, dataset=False,
                              learning_rates=("learning_rate",))
add = parser.add_argument
add("--hdf5-dir", required=True, help="folder of train.hdf5, val.hdf5 and mean.json")
add("--learning-rate", type=harness.positive_float, help=f"Adam's (default {LEARNING_RATE})")
add("--reg", type=harness.non_negative_float, default=REG, help="L2 of every CONV and FC layer")
add("--crop-size", type=harness.positive_int, default=config.CROP_SIZE, help="square crop")
add("--fc-units", type=harness.positive_int, default=FC_UNITS, help="units of the FC layers")
add("--bn-momentum", type=harness.momentum, default=BN_MOMENTUM, help="of every BN layer")
add("--augment", choices=("book", "none"), default="book", help="none: random crops only")
add("--workers", type=harness.positive_int, default=1, help="threads preparing batches")
add("--checkpoint-dir", help="folder of epoch_N.keras (and the monitor's files)")
add("--every", type=harness.positive_int, default=5, help="a checkpoint every N epochs")
add("--checkpoint", type=harness.existing_file, help="a .keras checkpoint to resume from")
add("--start-epoch", type=harness.non_negative_int, help="epochs --checkpoint has trained")


def parse_args(argv):
    """The command line, with the checks that involve two flags (argparse errors)."""
    args = parser.parse_args(argv)
    if args.checkpoint is None:
        if args.crop_size < MIN_CROP:
            parser.error(f"--crop-size must be at least {MIN_CROP} (AlexNet's smallest input)")
        if args.start_epoch is not None:
            parser.error("--start-epoch needs --checkpoint (the checkpoint to resume from)")
        args.learning_rate = args.learning_rate or LEARNING_RATE  # a checkpoint keeps its own
    elif args.start_epoch is None:
        args.start_epoch = epoch_from_checkpoint(args.checkpoint)
        if args.start_epoch is None:
            parser.error("--checkpoint: pass --start-epoch N (the epochs it has trained)")
    if (args.start_epoch or 0) >= args.epochs:
        parser.error(f"--start-epoch {args.start_epoch} leaves nothing to train (--epochs total)")
    return args


def load_data(run, paths, args, classes):
    """`(train, val, val_gen)`: each worker's part of the files; all of val, in order."""
    book = args.augment == "book"  # the generator flips (in NumPy), the layers do the rest
    aug = build_augmentation(rotation=20, shift=0.2, shear=0.15, zoom=0.15,
                             horizontal_flip=False, seed=args.seed) if book else None
    kw = dict(classes=classes, crop=args.crop_size, workers=args.workers, max_queue_size=4)
    rows = check_complete(paths["train"])["rows"]
    train = run.sharded(lambda i, n, batch: HDF5DatasetGenerator(
        paths["train"], batch, aug=aug, flip=book, seed=args.seed, shard=(i, n), **kw), rows=rows)
    val = run.sharded(lambda i, n, batch: HDF5DatasetGenerator(
        paths["val"], batch, crop_mode="center", shuffle=False, shard=(i, n), **kw))
    val_gen = HDF5DatasetGenerator(paths["val"], args.batch_size, crop_mode="center",
                                   shuffle=False, **kw)
    print(f"[INFO] {rows} training and {val_gen.num_images} validation images")
    return train, val, val_gen


def make_callbacks(run, args, model):
    """`(callbacks, monitor, start epoch)`, after restoring the run's backup into `model`."""
    restored = run.resume(model)  # the epochs the backup holds
    if restored:
        print(f"[INFO] restored the backup: resuming after epoch {restored}")
    start_epoch = max(args.start_epoch or 0, restored)
    state_dir = Path(args.checkpoint_dir or args.backup or run.output_dir)  # outlives the run
    state_dir.mkdir(parents=True, exist_ok=True)
    monitor = TrainingMonitor(state_dir / "monitor.png", json_path=state_dir / "monitor.json",
                              start_at=start_epoch)
    callbacks = [monitor] + ([EpochCheckpoint(args.checkpoint_dir, every=args.every,
                                              start_at=start_epoch)] if args.checkpoint_dir else [])
    return callbacks + run.callbacks(), monitor, start_epoch  # saves what monitor wrote


@harness.entrypoint
def main(argv=None):
    args = parse_args(argv)
    paths, class_names = config.read_build(args.hdf5_dir, ("train", "val"), args.crop_size)
    backup = harness.SafeBackupAndRestore(Path(args.backup) / "state") if args.backup else None
    if backup is not None and backup.restorable_epoch() > args.epochs:  # else it resumes
        raise DatasetError(f"--backup {args.backup} holds {backup.restorable_epoch()} epochs, "
                           f"more than --epochs {args.epochs}; pass a new --backup folder")

    with harness.Run(config.STUDY, args) as run:
        train, val, val_gen = load_data(run, paths, args, len(class_names))

        # initialize the optimizer and model, or load the checkpoint
        if args.checkpoint is None:
            print("[INFO] compiling model...")
            model = AlexNet.build(args.crop_size, args.crop_size, 3, len(class_names), reg=args.reg,
                                  preprocessing=mean_subtraction_layer(paths["mean"]),
                                  fc_units=args.fc_units, bn_momentum=args.bn_momentum)
            opt = keras.optimizers.Adam(learning_rate=args.learning_rate)
            model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])
        else:
            print(f"[INFO] loading {args.checkpoint}...")
            model, _ = config.load_trained_model(args.checkpoint, class_names, args.crop_size,
                keras.config.image_data_format(), "--checkpoint", "--hdf5-dir")
            if args.learning_rate is not None:  # a new one for the rest of the training
                model.optimizer.learning_rate.assign(args.learning_rate)
            print(f"[INFO] learning rate: {current_learning_rate(model):g}")
        callbacks, monitor, start_epoch = make_callbacks(run, args, model)

        # train the network (nothing left when a backup holds every epoch)
        print(f"[INFO] training network (epochs {start_epoch + 1} to {args.epochs})..."
              if start_epoch < args.epochs else "[INFO] the backup holds every epoch")
        model.fit(train, validation_data=val, epochs=args.epochs, initial_epoch=start_epoch,
                  callbacks=callbacks, verbose=args.verbose)

        # save the model first: the backup is deleted once it is on disk
        print("[INFO] serializing model...")
        run.save_model(model)
        # evaluate the network on the validation images (centre crops)
        print("[INFO] evaluating network...")
        predictions = predict_all(model, val_gen, expected=val_gen.num_images)
        report = run.save_report(val_gen.labels, predictions, class_names)
        run.save_history(monitor.history, title="AlexNet on Dogs vs. Cats")
        run.save("class_names.json", class_names)
        run.record("dogs_vs_cats val", "accuracy", report["accuracy"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
