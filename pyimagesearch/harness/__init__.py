"""The lab: what every study script in ``experiments/`` shares, so that it keeps only its story.

Nobody needs to read this package to follow the book. A script writes
``from pyimagesearch import harness`` and uses:

- `study_parser` (`cli`): the common arguments, with one-line errors;
  the argparse types (`argtypes`); `resolve_dataset` (`files`);
- `entrypoint` (`cli`): user and environment errors are one line, exit 2;
- `Run` (`run`): the strategy, seed, precision and output folder of a run
  and the files it keeps (`history`, `models`, `ledger`, `resume`, `reports`:
  `run.evaluate` writes the report, the image grid and the accuracy row);
- `compare_main` (`compare`): ``python -m pyimagesearch.harness.compare``;
- `SafeBackupAndRestore`, `AtomicModelCheckpoint` (`keras_fixes`: every use
  of private Keras API); `train_classifier` and the feature-extraction
  flags (`extraction`); `--recipe` (`study_parser(recipes=)`) and `warmup_cosine`
  (`recipes`), `EpochTimer` (`history`).

Example:

```python
from pyimagesearch import harness

@harness.entrypoint
def main(argv=None):
    parser = harness.study_parser(__doc__, epochs=20, batch_size=128,
                                  learning_rates=("learning_rate",))
    args = parser.parse_args(argv)
    with harness.Run(STUDY, args) as run:    # STUDY: the study folder's name
        ...
```
"""

from pyimagesearch._lazy import lazy_names
from pyimagesearch.harness.argtypes import existing_dir
from pyimagesearch.harness.argtypes import existing_file
from pyimagesearch.harness.argtypes import existing_path
from pyimagesearch.harness.argtypes import float_in
from pyimagesearch.harness.argtypes import fraction
from pyimagesearch.harness.argtypes import int_at_least
from pyimagesearch.harness.argtypes import keras_file
from pyimagesearch.harness.argtypes import momentum
from pyimagesearch.harness.argtypes import n_jobs
from pyimagesearch.harness.argtypes import non_negative_float
from pyimagesearch.harness.argtypes import non_negative_int
from pyimagesearch.harness.argtypes import positive_float
from pyimagesearch.harness.argtypes import positive_int
from pyimagesearch.harness.argtypes import positive_ints
from pyimagesearch.harness.argtypes import probability
from pyimagesearch.harness.argtypes import random_seed
from pyimagesearch.harness.cli import add_scale_arguments
from pyimagesearch.harness.cli import argument_parser
from pyimagesearch.harness.cli import entrypoint
from pyimagesearch.harness.cli import recipe
from pyimagesearch.harness.cli import study_parser
from pyimagesearch.harness.extraction import add_classifier_arguments
from pyimagesearch.harness.extraction import add_feature_extraction_arguments
from pyimagesearch.harness.extraction import feature_extraction_options
from pyimagesearch.harness.extraction import refuse_existing
from pyimagesearch.harness.extraction import train_classifier
from pyimagesearch.harness.files import datasets_root
from pyimagesearch.harness.files import outputs_root
from pyimagesearch.harness.files import project_root
from pyimagesearch.harness.files import resolve_dataset
from pyimagesearch.harness.ledger import COLUMNS as RESULTS_COLUMNS
from pyimagesearch.harness.recipes import warmup_cosine
from pyimagesearch.harness.resume import INCOMPLETE_MARK
from pyimagesearch.harness.resume import continues

# keras (and TensorFlow's start-up lines on stderr) on first use only, so that an
# argument error is one line and a script that builds HDF5 files imports none
__getattr__ = lazy_names(__name__, {
    "Run": "pyimagesearch.harness.run",
    "AtomicModelCheckpoint": "pyimagesearch.harness.keras_fixes",
    "SafeBackupAndRestore": "pyimagesearch.harness.keras_fixes",
    "compare_main": "pyimagesearch.harness.compare",
    "EpochTimer": "pyimagesearch.harness.history",
})
