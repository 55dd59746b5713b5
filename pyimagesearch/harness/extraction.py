"""The command line of the feature-extraction scripts and the classifier trained on features.

`add_feature_extraction_arguments` / `feature_extraction_options` give the
flags of a features-into-HDF5 script and the keyword arguments of
`pyimagesearch.features.write_features`; `add_classifier_arguments` and
`train_classifier` the logistic regression trained on such a file in a run.
"""

from pathlib import Path

from pyimagesearch.errors import OutputExistsError
from pyimagesearch.errors import PyImageSearchError
from pyimagesearch.harness.argtypes import existing_file
from pyimagesearch.harness.argtypes import n_jobs
from pyimagesearch.harness.argtypes import positive_int


def add_feature_extraction_arguments(parser, default_model, default_pooling):
    """The flags of a features-into-HDF5 script (`pyimagesearch.features.write_features`).

    `--db` is the HDF5 file to write, `--model` a backbone name, `--weights`,
    `--pooling`, `--image-size`, `--resize`, `--batch-size`,
    `--buffer-size`, `--seed`, `--force`, `--verbose`. Check the image size
    against the network with `feature_extraction_options(args)` after parsing.
    """
    from pyimagesearch.nn import backbones  # keras: only when a script asks

    parser.add_argument("--db", required=True,
                        help="the HDF5 features file to write (refused if it exists, unless "
                        "--force)")
    parser.add_argument("-m", "--model", default=default_model,
                        help=f"the headless network: {', '.join(backbones.backbone_names())}")
    parser.add_argument("-w", "--weights", default="imagenet",
                        help="imagenet (download), none (random weights: for tests) or a "
                        "weights file without top (.h5)")
    parser.add_argument("--pooling", choices=("none", "avg", "max"), default=default_pooling,
                        help="none flattens the last feature map; avg/max pool it to one "
                        "value per channel")
    parser.add_argument("--image-size", type=positive_int, default=None,
                        help="input size (default: the network's own, 224 or 299); "
                        "smaller sizes run faster but the features are worse")
    parser.add_argument("--resize", choices=("squash", "crop"), default="squash",
                        help="squash to the input size ignoring the aspect ratio (the book's "
                        "load_img) or scale the shorter side and crop the centre")
    parser.add_argument("-b", "--batch-size", type=positive_int, default=32,
                        help="images per forward pass")
    parser.add_argument("--buffer-size", type=positive_int, default=1000,
                        help="rows buffered in memory before they go to disk")
    parser.add_argument("--seed", type=int, default=42, help="seed of the shuffle")
    parser.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    parser.add_argument("-v", "--verbose", type=int, default=1, choices=(0, 1, 2),
                        help="0 silent, 1 or 2 a progress bar")
    return parser


def feature_extraction_options(args):
    """The keyword arguments of `features.write_features` from the parsed flags, checked.

    Raises:
        PyImageSearchError: `--image-size` below the network's smallest input.
        OutputExistsError: `--db` exists and `--force` was not given.
    """
    from pyimagesearch.nn import backbones  # keras: only when a script asks

    spec = backbones.get_backbone(args.model)
    size = args.image_size or spec.size
    if size < spec.min_size:
        raise PyImageSearchError(
            f"--image-size: {spec.name} needs at least {spec.min_size}, got {size}")
    refuse_existing(args.db, "--db", args.force)
    return {"model_name": args.model, "weights": args.weights, "pooling": args.pooling,
            "image_size": size, "resize": args.resize, "batch_size": args.batch_size,
            "buffer_size": args.buffer_size, "overwrite": args.force, "verbose": args.verbose}


def refuse_existing(path, flag, force=False):
    """Raise `OutputExistsError` if `path` exists and `force` is not set (`--force`).

    For the scripts that write one named file (`--db features.hdf5`):
    nothing is overwritten unless asked.
    """
    if Path(path).exists() and not force:
        raise OutputExistsError(f"{flag} {path} already exists; pass --force to overwrite it")


def add_classifier_arguments(parser):
    """The flags of a logistic-regression-on-features script (`--db`, `--jobs`, `--max-iter`).

    The classifier goes into the run folder (``classifier.npz``).
    """
    parser.add_argument("--db", required=True, type=existing_file,
                        help="HDF5 features file (extract_features.py)")
    parser.add_argument("-j", "--jobs", type=n_jobs, default=-1,
                        help="parallel jobs of the grid search (-1: every core)")
    parser.add_argument("--max-iter", type=positive_int, default=1000,
                        help="LogisticRegression's max_iter")
    return parser




def train_classifier(run, data, model_path, c_grid=None, jobs=-1, max_iter=1000, **extra):
    """Grid-search a logistic regression on `data`, report it, save it; the report.

    The step both feature studies share, writing into a `harness.Run`:
    ``grid_search.json``, the classification report on the test rows, and
    the classifier at `model_path` (`save_classifier`, with `extra`).

    Args:
        run: the script's `Run`.
        data: a `FeatureSplit` from `read_features`.
        model_path: where the classifier goes (``.npz``, `features.save_classifier`).
        c_grid, jobs, max_iter: see `grid_search_logistic_regression`.

    `c_grid` defaults to the book's grid (`features.BOOK_C_GRID`).

    Returns:
        The report (`report["accuracy"]` is the test accuracy).
    """
    from pyimagesearch import features

    # evaluate LogisticRegression for each value of C, keep the best
    print("[INFO] tuning hyperparameters...")
    c_grid = features.BOOK_C_GRID if c_grid is None else c_grid
    search = features.grid_search_logistic_regression(data.train_x, data.train_y, c_grid, jobs=jobs,
                                             max_iter=max_iter)
    if not search.converged:
        print(f"[WARN] some fits did not converge in {max_iter} iterations (raise --max-iter)")
    print(f"[INFO] best hyperparameters: {search.best_params_}")
    run.save("grid_search.json", features.grid_search_summary(search, data.attrs))

    # evaluate the model
    print("[INFO] evaluating...")
    report = run.save_report(data.test_y, search.predict(data.test_x), data.class_names)

    # serialize the model to disk, with the class names
    print("[INFO] saving model...")
    features.save_classifier(model_path, search, data.class_names, **extra)
    return report
