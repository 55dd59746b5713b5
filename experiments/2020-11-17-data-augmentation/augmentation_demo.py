"""Augmented copies of one image: DL4CV Practitioner Bundle ch. 2, `augmentation_demo.py` (2020-11-17-data-augmentation).

Data: any image (`--image`).
Recipe (the diary's): random rotation 30 degrees, shift 0.1, shear 0.2,
zoom 0.2, horizontal flip, fill "nearest" (Keras preprocessing layers from
`pyimagesearch.preprocessing.build_augmentation`, in place of the book's
`ImageDataGenerator`); `--total` copies, each with new random parameters.
Diary's result: a folder of augmented images to look at (no number); here
also `grid.png`, the original beside the first 15 copies.

    python experiments/2020-11-17-data-augmentation/augmentation_demo.py --image jemma.png --output outputs/augmented --total 10
"""

import sys

import cv2
import numpy as np

from pyimagesearch import harness
from pyimagesearch.errors import DatasetError
from pyimagesearch.io.imagefile import load_image
from pyimagesearch.preprocessing import build_augmentation
from pyimagesearch.utils.plotting import plot_images

STUDY = "2020-11-17-data-augmentation-demo"
TOTAL = 10  # augmented copies
GRID = 15  # copies shown beside the original in grid.png


parser = harness.study_parser(__doc__, dataset=False)
parser.add_argument("-i", "--image", required=True, type=harness.existing_file,
                    help="the image to augment")
parser.add_argument("-t", "--total", type=harness.positive_int, default=TOTAL,
                    help=f"how many augmented copies to write (default {TOTAL})")
parser.add_argument("-p", "--prefix", default="image",
                    help="file name prefix of the copies (default image)")


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)

    # load the input image (checked before the run folder is made), a batch of one
    print("[INFO] loading example image...")
    try:
        image = load_image(args.image)
    except DatasetError as error:
        raise DatasetError(f"--image: {error}") from None
    batch = image[np.newaxis].astype("float32")

    with harness.Run(STUDY, args) as run:
        # construct the augmentation: random layers, active with training=True
        aug = build_augmentation(seed=args.seed)

        # generate the augmented copies and write them to disk, a few at a time
        print(f"[INFO] generating {args.total} images...")
        total, shown = 0, [image]
        while total < args.total:
            n = min(8, args.total - total)
            copies = aug(np.repeat(batch, n, axis=0), training=True)
            for copy in np.asarray(copies):
                total += 1
                pixels = np.clip(np.rint(copy), 0, 255).astype("uint8")
                run.save(f"{args.prefix}_{total:03d}.jpg", pixels)
                if len(shown) <= GRID:
                    shown.append(pixels)
        titles = ["original"] + [f"copy {i}" for i in range(1, len(shown))]
        plot_images([cv2.cvtColor(p, cv2.COLOR_BGR2RGB) for p in shown], titles,
                    run.path("grid.png"))
        print(f"[INFO] wrote {total} images and grid.png to {run.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
