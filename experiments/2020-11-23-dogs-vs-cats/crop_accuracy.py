"""10-crop accuracy: DL4CV Practitioner Bundle ch. 10, `crop_accuracy.py` (2020-11-23-dogs-vs-cats).

Step 3: rank-1 accuracy of a trained network, one view vs ten crops.
Data: ``test.hdf5`` of `build_dataset.py` (256x256 uint8 RGB), every image,
the last partial batch included (the 2020 code dropped it while its labels
covered all images).
Model: a network trained by `train_alexnet.py` (``model.keras``, or an
``epoch_N.keras`` checkpoint); it subtracts the mean itself and takes raw
pixels. Its input size is the crop size (227 for the book's AlexNet).
Recipe (the book's): first each test image resized to the input size (one
view); then over-sampling: the four corner crops, the centre crop and their
mirrors (`CropPreprocessor`), the probabilities averaged over the ten crops.
Book's result: ~0.93 with one view, ~0.94 with ten crops.

    python experiments/2020-11-23-dogs-vs-cats/crop_accuracy.py --hdf5-dir outputs/dogs_vs_cats/hdf5 --model-path outputs/2020-11-23-dogs-vs-cats/RUN/model.keras
"""

import csv
import io
import sys

import keras
import numpy as np

import config  # the study's settings, beside this script
from pyimagesearch import harness
from pyimagesearch.errors import DatasetError
from pyimagesearch.io import HDF5DatasetGenerator, open_hdf5_dataset, read_label_names
from pyimagesearch.preprocessing import CropPreprocessor
from pyimagesearch.utils import progress_bar, rank5_accuracy

BATCH_SIZE = 32  # images per batch (x10 crops in the 10-crop pass)

parser = harness.study_parser(__doc__, dataset=False)
parser.add_argument("--hdf5-dir", required=True, help="folder of test.hdf5 (build_dataset.py)")
parser.add_argument("--model-path", required=True, type=harness.existing_file,
                    help="the trained model (.keras)")
parser.add_argument("--split", choices=config.SPLITS, default="test",
                    help="the HDF5 file to evaluate")
parser.add_argument("--crop-size", type=harness.positive_int, default=None,
                    help="crop size (default: the model's input size, 227 for AlexNet)")
parser.add_argument("--single-view", choices=("resize", "center"), default="resize",
                    help="the one-view baseline: the whole image resized (the book's) or "
                    "the centre crop")
parser.add_argument("-b", "--batch-size", type=harness.positive_int, default=BATCH_SIZE,
                    help="images per batch (x10 crops in the 10-crop pass)")


def ten_crop_predictions(model, gen, crop_size, verbose=1):
    """Average the model's probabilities over the 10 crops of every image of `gen`.

    `gen` yields uint8 images in file order (no crop, no shuffle); all the
    crops of one batch go through the network together.
    """
    cp = CropPreprocessor(crop_size, crop_size)
    channels_first = keras.config.image_data_format() == "channels_first"
    bar = progress_bar(gen.num_images, "[INFO] 10-crop", verbose > 0)
    predictions = []
    for (images, _) in gen.generator(passes=1):
        if channels_first:
            images = np.moveaxis(images, 1, -1)
        # the 10 crops of every image of the batch: (batch * 10, h, w, 3)
        crops = np.stack([cp.preprocess(image) for image in images])
        n_crops = crops.shape[1]
        crops = crops.reshape((-1, *crops.shape[2:]))
        if channels_first:
            crops = np.moveaxis(crops, -1, 1)
        # predict every crop, then average the 10 predictions of each image
        preds = np.asarray(model.predict_on_batch(crops))
        predictions.append(preds.reshape((len(images), n_crops, -1)).mean(axis=1))
        bar.update(sum(len(p) for p in predictions))
    bar.finish()
    return np.concatenate(predictions)


def predict_views(model, db_path, args, crop, classes):
    """One view per image and the average of its 10 crops: `(single, ten, labels)`."""
    # one view per image: the whole image resized (or its centre crop)
    print(f"[INFO] predicting on {args.split} data (one view, {args.single_view})...")
    with HDF5DatasetGenerator(db_path, args.batch_size, classes=classes, crop=crop,
                              crop_mode=args.single_view, shuffle=False) as gen:
        single = model.predict(gen, verbose=args.verbose)
        labels = gen.labels

    # ten crops per image, their predictions averaged
    print(f"[INFO] predicting on {args.split} data (10 crops)...")
    with HDF5DatasetGenerator(db_path, args.batch_size, classes=classes, binarize=False,
                              shuffle=False) as gen:
        ten = ten_crop_predictions(model, gen, crop, verbose=args.verbose)
    if len(ten) != len(labels) or len(single) != len(labels):
        raise RuntimeError(f"predicted {len(single)} and {len(ten)} images of {len(labels)}")
    return single, ten, labels


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    paths = config.check_build(args.hdf5_dir, splits=(args.split,), mean=False)
    db_path = paths[args.split]
    with open_hdf5_dataset(db_path, data_key="images") as db:
        class_names = read_label_names(db)
        image_size = db["images"].shape[1:3]

    # load the pre-trained network, checked against the database before any output
    print("[INFO] loading model...")
    model, crop = config.load_trained_model(args.model_path, class_names, args.crop_size,
                                            keras.config.image_data_format(), "--model-path",
                                            str(db_path), compile=False)
    if crop > min(image_size):
        raise DatasetError(
            f"--crop-size {crop} is larger than the {tuple(image_size)} images of {db_path}; "
            f"rebuild it with build_dataset.py --image-size {crop} --force")

    with harness.Run(config.STUDY, args) as run:
        # predict one view and 10 crops per image
        single, ten, labels = predict_views(model, db_path, args, crop, len(class_names))
        (rank1, _) = rank5_accuracy(single, labels)
        print(f"[INFO] rank-1 (one view): {rank1 * 100:.2f}%")
        (rank1_10, _) = rank5_accuracy(ten, labels)
        print(f"[INFO] rank-1 (10 crops): {rank1_10 * 100:.2f}%")

        # keep every image's probabilities, the reports and the two accuracies
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(["row", "label", *(f"one_view_{c}" for c in class_names),
                         *(f"ten_crop_{c}" for c in class_names)])
        for i, label in enumerate(labels):
            writer.writerow([i, class_names[label], *np.round(single[i], 6),
                             *np.round(ten[i], 6)])
        run.save("predictions.csv", text.getvalue())
        run.save_report(labels, single, class_names, name="classification_report_one_view")
        run.save_report(labels, ten, class_names, name="classification_report_ten_crop")
        run.save("crop_accuracy.json", {
            "images": int(len(labels)), "crop_size": crop, "image_size": list(image_size),
            "single_view": args.single_view, "rank1_one_view": rank1,
            "rank1_ten_crop": rank1_10, "model": str(args.model_path), "split": args.split,
        })
        run.record(f"dogs_vs_cats {args.split}", "rank1", rank1)
        run.record(f"dogs_vs_cats {args.split}", "rank1_10crop", rank1_10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
