"""What the MiniVGGNet study's scripts share: the diary's recipe and its flags.

The book keeps such settings in `config/<x>_config.py`; here:

- the diary's recipe (SGD 0.01, Nesterov momentum 0.9, batch 64, 40 epochs)
  and `study_parser(doc, epochs)`, the harness parser with `--learning-rate`,
  `--momentum` and `--no-bn` (`--dataset cifar10` by default).

Each script times its epochs with `harness.EpochTimer` (`timing.json`: what
`bench/bench_time_to_accuracy.py` reads).

Example:

```python
import config  # beside the scripts: their folder is on sys.path

parser = config.study_parser(__doc__, epochs=100)
```
"""

import keras

from pyimagesearch import harness

STUDY = "2020-11-12-minivggnet"

# the diary's recipe
EPOCHS = 40
BATCH_SIZE = 64
LEARNING_RATE = 0.01
MOMENTUM = 0.9  # Nesterov's
DATASET_HELP = ("cifar10 (a local copy under $DATASETS_DIR, else Keras' download), a "
                "{train,test}/<class>/*.png folder, or a cifar-10-batches-py folder "
                "(default: cifar10)")


def study_parser(description, epochs=EPOCHS, batch_size=BATCH_SIZE):
    """The harness parser with MiniVGGNet's training flags and the diary's defaults."""
    parser = harness.study_parser(description, epochs=epochs, batch_size=batch_size,
                                  dataset="cifar10", dataset_help=DATASET_HELP,
                                  learning_rates=("learning_rate",))
    parser.add_argument("--learning-rate", type=harness.positive_float, default=LEARNING_RATE,
                        help=f"SGD's initial learning rate (default {LEARNING_RATE})")
    add_model_arguments(parser)
    return parser


def add_model_arguments(parser):
    """`--momentum` (SGD's, Nesterov) and `--no-bn` (MiniVGGNet without batch normalisation)."""
    parser.add_argument("--momentum", type=harness.momentum, default=MOMENTUM,
                        help=f"SGD momentum, Nesterov's (default {MOMENTUM})")
    parser.add_argument("--no-bn", action="store_true",
                        help="MiniVGGNet without batch normalisation")
    return parser
