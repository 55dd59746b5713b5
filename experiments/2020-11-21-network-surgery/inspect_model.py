"""Inspecting a network's layers: DL4CV Practitioner Bundle ch. 5, `inspect_model.py` (2020-11-21-network-surgery).

Data: none.
Model: a `keras.applications` network by name (`--model`, default vgg16),
with (`--include-top 1`) or without (`--include-top 0`) its
fully-connected head.
Recipe (the diary's): print the index and class of every layer, to choose
where fine-tuning starts: for VGG16 without its head, layer 15 is
`block5_conv1`, the first layer of the last convolutional block.
Diary's result: the VGG16 listing (19 layers without the head, 23 with
it); fine-tuning from layer 15.

    python experiments/2020-11-21-network-surgery/inspect_model.py --include-top 0
    python experiments/2020-11-21-network-surgery/inspect_model.py --model mobilenet_v2 --include-top 0 --weights none
"""

import csv
import sys

from pyimagesearch import harness
from pyimagesearch.errors import PyImageSearchError
from pyimagesearch.nn import backbones
from pyimagesearch.utils.atomic import atomic_write
import config  # this study's shared module, beside this script

STUDY = "2020-11-21-network-surgery-inspect"


parser = harness.study_parser(__doc__, dataset=False)
config.add_network_arguments(
    parser, "none", "none (default: the layers do not depend on the weights), imagenet, "
    "or a weights file", "input size without the head (default: the network's own)")
parser.add_argument("--include-top", type=int, choices=(0, 1), default=1,
                    help="1 keeps the fully-connected head, 0 drops it (default 1)")


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    if args.image_size is not None and args.include_top:
        raise PyImageSearchError("--image-size only applies with --include-top 0")
    spec, size = config.network(args.model, args.image_size)

    with harness.Run(STUDY, args) as run:
        # load the network (the weights do not change its layers)
        print(f"[INFO] loading {spec.name}...")
        model = backbones.build_backbone(spec.name, weights=args.weights,
                                         include_top=bool(args.include_top),
                                         input_shape=config.input_shape(size))
        start = backbones.unfreeze_index(spec.name, model)

        # loop over the layers in the network and display them to the console
        rows = []
        for (i, layer) in enumerate(model.layers):
            mark = "  <- fine-tuning starts here by default" if i == start else ""
            print(f"[INFO] {i}\t{layer.name}\t{layer.__class__.__name__}{mark}")
            rows.append((i, layer.name, layer.__class__.__name__, layer.count_params()))
        with atomic_write(run.path("layers.csv"), newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["index", "name", "class", "params"])
            writer.writerows(rows)
        print(f"[INFO] {len(rows)} layers, {model.count_params():,} parameters "
              f"(include_top={bool(args.include_top)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
