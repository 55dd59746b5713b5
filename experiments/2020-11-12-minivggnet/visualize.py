"""Draw MiniVGGNet's graph: DL4CV Starter Bundle ch. 19, `visualize_architecture.py` (2020-11-12-minivggnet, 5 of 5).

No data and no training: builds MiniVGGNet for CIFAR-10 (32x32x3, 10
classes) and draws it with `keras.utils.plot_model(show_shapes=True,
show_layer_names=True)` to `minivggnet.png` (`minivggnet_nobn.png` with
`--no-bn`) in the run folder, with the layer summary in `summary.txt`. Needs
graphviz's `dot` program (apt-get install graphviz, or brew install
graphviz) and pydot.

    python experiments/2020-11-12-minivggnet/visualize.py
    python experiments/2020-11-12-minivggnet/visualize.py --no-bn --output outputs/graph
"""

import shutil
import sys

import keras

from pyimagesearch import harness
from pyimagesearch.errors import MissingDependencyError
from pyimagesearch.nn.conv import MiniVGGNet
from pyimagesearch.utils.atomic import atomic_path

import config

MISSING_DOT = ("graphviz's dot is missing: install it (apt-get install graphviz, "
               "or brew install graphviz)")

parser = harness.study_parser(__doc__, dataset=False, seed=False)
parser.add_argument("--no-bn", action="store_true",
                    help="MiniVGGNet without batch normalisation")


def plot_model(model, path):
    """`keras.utils.plot_model` into `path` atomically; a missing graphviz or pydot is one line."""
    try:
        with atomic_path(path) as tmp:
            keras.utils.plot_model(model, to_file=str(tmp), show_shapes=True,
                                   show_layer_names=True)
            if not tmp.exists():  # plot_model only prints its message inside IPython
                raise MissingDependencyError(MISSING_DOT)
    except (ImportError, OSError) as error:
        text = str(error).lower()
        if "pydot" in text and "graphviz" not in text:
            raise MissingDependencyError("pydot is missing: pip install pydot") from None
        if isinstance(error, ImportError) or "graphviz" in text or "dot" in text:
            raise MissingDependencyError(MISSING_DOT) from None
        raise
    if not path.exists():
        raise MissingDependencyError(MISSING_DOT)


@harness.entrypoint
def main(argv=None):
    args = parser.parse_args(argv)
    # plot_model needs graphviz's dot: check before making a run folder
    if shutil.which("dot") is None:
        raise MissingDependencyError(MISSING_DOT)

    with harness.Run(config.STUDY, args) as run:
        # build MiniVGGNet for CIFAR-10 and write its layers
        print("[INFO] building MiniVGGNet...")
        model = MiniVGGNet.build(width=32, height=32, depth=3, classes=10,
                                 batch_norm=not args.no_bn)
        lines = []
        model.summary(print_fn=lambda line, *_, **__: lines.append(line))
        run.save("summary.txt", "\n".join(lines) + "\n")

        # draw the network's graph
        path = run.path(f"{model.name}.png")
        print(f"[INFO] drawing the graph to {path}...")
        plot_model(model, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
