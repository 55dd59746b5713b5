"""Write augmented copies of one image (2020-11-17-data-augmentation, part a).

Data: any image (`--image`).
Recipe (the diary's): random rotation 30 degrees, shift 0.1, shear 0.2,
zoom 0.2, horizontal flip, fill "nearest" (Keras preprocessing layers from
`pyimagesearch.preprocessing.build_augmentation`, in place of the book's
`ImageDataGenerator`); `--total` copies, each with new random parameters.
Diary's result: a folder of augmented images to look at (no number).

    python experiments/2020-11-17-data-augmentation/augmentation_demo.py --image jemma.png --output outputs/augmented --total 10
"""

import sys

from pyimagesearch import harness
from pyimagesearch.errors import DatasetError

STUDY = "2020-11-17-data-augmentation-demo"


def parse_args(argv):
    """The image, how many copies and their names; bad values are argparse errors."""
    parser = harness.study_parser(__doc__, dataset=False)
    parser.add_argument("-i", "--image", required=True, type=harness.existing_file,
                        help="the image to augment")
    parser.add_argument("-t", "--total", type=harness.positive_int, default=10,
                        help="how many augmented copies to write (default 10)")
    parser.add_argument("-p", "--prefix", default="image",
                        help="file name prefix of the copies (default image)")
    return parser.parse_args(argv)


@harness.entrypoint
def main(argv=None):
    args = parse_args(argv)

    import cv2
    import numpy as np

    from pyimagesearch.preprocessing import build_augmentation

    with harness.Run(STUDY, args) as run:
        # load the input image and make it a batch of one (float32)
        print("[INFO] loading example image...")
        image = cv2.imread(str(args.image), cv2.IMREAD_COLOR)
        if image is None:
            raise DatasetError(f"--image {args.image}: not a readable image")
        batch = image[np.newaxis].astype("float32")

        # construct the augmentation: random layers, active with training=True
        aug = build_augmentation(seed=args.seed)

        # generate the augmented copies and write them to disk, a few at a time
        print(f"[INFO] generating {args.total} images...")
        total = 0
        while total < args.total:
            n = min(8, args.total - total)
            copies = aug(np.repeat(batch, n, axis=0), training=True)
            for copy in np.asarray(copies):
                total += 1
                run.save_image(f"{args.prefix}_{total:03d}.jpg",
                               np.clip(np.rint(copy), 0, 255).astype("uint8"))
        print(f"[INFO] wrote {total} images to {run.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
