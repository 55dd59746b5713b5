"""tf.distribute for the harness: which strategy, which worker, which precision, which data.

`Run` builds a run's strategy and dtype policy with these functions and
enters the strategy's scope for its whole ``with`` block, so a study script
never names a strategy.

- `cluster_from_env()`: this process's `Task` in `TF_CONFIG` (one worker
  when unset); `resolve_strategy(name)`: what ``auto`` stands for;
- `split_cpu(n)`: ``n`` logical CPU devices (before TensorFlow starts);
- `make_strategy(name)`: one `tf.distribute.Strategy` per kind per process;
- `resolve_precision(precision, mixed)`: the Keras dtype policy's name;
- `worker_dataset(...)`: one worker's part of `Run.sharded`.

Example:

>>> strategy = make_strategy(resolve_strategy("auto"))   # one CPU: the default strategy
>>> strategy.num_replicas_in_sync
1
"""

import json
import os

from pyimagesearch import _checks
from collections import namedtuple

from pyimagesearch.errors import PyImageSearchError

STRATEGIES = ("auto", "default", "mirrored", "multiworker")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")

#: this process's place in a cluster: ``type`` and ``index`` of its task,
#: ``workers`` (tasks that train: chief + workers) and ``chief``
Task = namedtuple("Task", "type index workers chief")
SINGLE = Task("worker", 0, 1, True)


class DistributionError(PyImageSearchError, RuntimeError):
    """A strategy or a cluster cannot be set up as asked (bad `TF_CONFIG`, too late...)."""


def cluster_from_env(environ=None):
    """This process's `Task` from `TF_CONFIG` (one worker, the chief, when unset).

    The chief is the task of type ``chief``, or worker 0 when the cluster
    has no ``chief`` job (TensorFlow's rule).

    Raises:
        DistributionError: `TF_CONFIG` is not JSON, has no ``cluster`` or
            ``task``, or the task is not in the cluster.

    Example:

    >>> config = {"cluster": {"worker": ["127.0.0.1:2222", "127.0.0.1:2223"]},
    ...           "task": {"type": "worker", "index": 1}}
    >>> cluster_from_env({"TF_CONFIG": json.dumps(config)})
    Task(type='worker', index=1, workers=2, chief=False)
    """
    environ = os.environ if environ is None else environ
    text = environ.get("TF_CONFIG", "").strip()
    if not text:
        return SINGLE
    try:
        config = json.loads(text)
    except ValueError as error:
        raise DistributionError(f"TF_CONFIG is not valid JSON ({error}): {text!r}") from None
    cluster = config.get("cluster") if isinstance(config, dict) else None
    task = config.get("task") if isinstance(config, dict) else None
    if not isinstance(cluster, dict) or not isinstance(task, dict):
        raise DistributionError(
            'TF_CONFIG needs "cluster" and "task", e.g. {"cluster": {"worker": '
            '["host1:2222", "host2:2222"]}, "task": {"type": "worker", "index": 0}}; '
            f"got {text!r}")
    kind, index = task.get("type"), task.get("index", 0)
    members = cluster.get(kind)
    if not isinstance(members, list) or not isinstance(index, int) or not 0 <= index < len(members):
        raise DistributionError(
            f"TF_CONFIG's task {task!r} is not in its cluster {sorted(cluster)} "
            f"({len(members) if isinstance(members, list) else 0} {kind!r} tasks)")
    workers = len(cluster.get("chief", [])) + len(cluster.get("worker", []))
    chief = kind == "chief" or (kind == "worker" and index == 0 and not cluster.get("chief"))
    return Task(kind, index, workers, chief)


def resolve_strategy(name, task=None, gpus=None):
    """The strategy ``auto`` stands for; other names are returned as they are.

    ``auto``: ``multiworker`` when `TF_CONFIG` names more than one worker,
    ``mirrored`` when more than one GPU is visible, else ``default`` (one
    device: the GPU if there is one, else the CPU).

    Args:
        name: one of `STRATEGIES`.
        task: the `Task` (default: `cluster_from_env()`).
        gpus: the number of visible GPUs (default: TensorFlow's count).
    """
    if name not in STRATEGIES:
        raise DistributionError(f"unknown strategy {name!r}; expected one of {STRATEGIES}")
    if name != "auto":
        return name
    task = cluster_from_env() if task is None else task
    if task.workers > 1:
        return "multiworker"
    if gpus is None:
        gpus = len(physical_gpus())
    return "mirrored" if gpus > 1 else "default"


def physical_gpus():
    """The GPUs TensorFlow sees (listing them does not start the runtime)."""
    import tensorflow as tf

    return tf.config.list_physical_devices("GPU")


def split_cpu(count):
    """Split the first CPU into `count` logical devices (call before TensorFlow starts).

    Lets ``MirroredStrategy`` run `count` replicas on one CPU: each replica
    gets its own device, all share the same cores (for tests and
    demonstrations; it does not make training faster).

    Raises:
        DistributionError: TensorFlow has already started in this process.
    """
    import tensorflow as tf

    count = _checks.positive_int("count", count)
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)])
    except RuntimeError as error:
        current = len(tf.config.list_logical_devices("CPU"))
        if current == count:
            return  # already split the same way (a second run in this process)
        raise DistributionError(
            f"--logical-cpus {count}: TensorFlow has already started with {current} CPU "
            f"device(s) in this process ({error}); split the CPU before any TensorFlow op"
        ) from None


#: one strategy object per kind and devices for the whole process: two
#: collective strategies over the same devices would reuse each other's
#: collective keys ("Shape mismatch in the collective instance"), and the
#: collective ops of a multi-worker strategy can be configured only once
_STRATEGIES = {}


def make_strategy(name):
    """The `tf.distribute.Strategy` of a resolved name (not ``auto``), one per kind per process.

    ``default``: one device; ``mirrored``: `MirroredStrategy` over every GPU,
    else every logical CPU device (`split_cpu`); ``multiworker``:
    `MultiWorkerMirroredStrategy` from `TF_CONFIG`, with the Keras fixes of
    `keras_fixes.patch_keras_multiworker`.

    Raises:
        DistributionError: a multi-worker strategy asked for after TensorFlow
            started (create the `Run` before loading data with TensorFlow).
    """
    import tensorflow as tf

    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        devices = [d.name for d in tf.config.list_logical_devices("GPU")]
        if not devices:
            devices = [d.name for d in tf.config.list_logical_devices("CPU")]
        key = ("mirrored", tuple(devices))
        if key not in _STRATEGIES:
            _STRATEGIES[key] = tf.distribute.MirroredStrategy(devices)
        return _STRATEGIES[key]
    if name == "multiworker":
        if "multiworker" in _STRATEGIES:
            return _STRATEGIES["multiworker"]
        try:
            strategy = tf.distribute.MultiWorkerMirroredStrategy()
        except (RuntimeError, ValueError) as error:
            raise DistributionError(
                "--strategy multiworker: could not set up the collective ops "
                f"({' '.join(str(error).split())}); the strategy must be created before any "
                "other TensorFlow op of the process (enter harness.Run before loading data)"
            ) from None
        from pyimagesearch.harness.keras_fixes import patch_keras_multiworker

        patch_keras_multiworker()
        _STRATEGIES["multiworker"] = strategy
        return strategy
    raise DistributionError(f"unknown strategy {name!r}; expected one of {STRATEGIES[1:]}")


def resolve_precision(precision=None, mixed=False, gpus=None):
    """The dtype policy's name: `precision` if given, else the device's mixed one.

    ``mixed=True`` gives ``mixed_float16`` where a GPU is visible (tensor
    cores, with loss scaling) and ``mixed_bfloat16`` on CPUs (bfloat16 keeps
    float32's range: no loss scaling). Neither gives ``float32``.

    Example:

    >>> resolve_precision(mixed=True, gpus=0)
    'mixed_bfloat16'
    """
    if precision is not None:
        if precision not in PRECISIONS:
            raise DistributionError(
                f"unknown precision {precision!r}; expected one of {PRECISIONS}")
        return precision
    if not mixed:
        return "float32"
    if gpus is None:
        gpus = len(physical_gpus())
    return "mixed_float16" if gpus else "mixed_bfloat16"


def worker_dataset(make, rows, context, global_batch, replicas):
    """This worker's `tf.data.Dataset` of `Run.sharded`: its own part, in per-replica batches.

    With `rows` (a training set) every worker trains on the same number of
    full batches, a multiple of its local replicas, so that no replica ever
    gets an empty batch.
    """
    import keras
    import tensorflow as tf

    from pyimagesearch.datasets import pydataset_to_tf

    batch = context.get_per_replica_batch_size(global_batch)
    count = context.num_input_pipelines
    data = make(context.input_pipeline_id, count, batch)
    if not isinstance(data, keras.utils.PyDataset):
        raise ValueError(f"`make` must return a keras.utils.PyDataset. Received: {data!r}")
    ds = pydataset_to_tf(data)
    if rows is None:
        return ds
    local = replicas // count
    steps = (int(rows) // count // batch) // local * local
    if steps == 0:
        raise PyImageSearchError(
            f"{rows} rows are too few for {replicas} replicas of batches of {batch} "
            "(each needs one full batch); use a smaller --batch-size or fewer replicas")
    ds = ds.rebatch(batch, drop_remainder=True).take(steps)
    return ds.apply(tf.data.experimental.assert_cardinality(steps))


def task_of(requested):
    """This process's `Task` for ``--strategy requested`` (`SINGLE` unless multi-worker).

    Raises:
        DistributionError: ``multiworker`` asked without a `TF_CONFIG` of
            several workers.
    """
    requested = requested or "auto"
    if requested not in ("auto", "multiworker"):
        return SINGLE
    task = cluster_from_env()
    if requested == "multiworker" and task.workers < 2 and not os.environ.get("TF_CONFIG"):
        raise DistributionError(
            "--strategy multiworker needs TF_CONFIG naming the cluster's workers, e.g. "
            'TF_CONFIG=\'{"cluster": {"worker": ["host1:2222", "host2:2222"]}, "task": '
            '{"type": "worker", "index": 0}}\'; or use --strategy auto')
    return task if requested == "multiworker" or task.workers > 1 else SINGLE


def start(args, task):
    """``(name, strategy)`` of a run: `--logical-cpus` applied, `--strategy` resolved and made."""
    cpus = getattr(args, "logical_cpus", None)
    if cpus:
        split_cpu(cpus)
    name = resolve_strategy(getattr(args, "strategy", None) or "auto", task=task)
    return name, make_strategy(name)


def set_precision(args, current):
    """Set the dtype policy of `--precision` / `--mixed-precision`; its name (`current` if none)."""
    import keras

    explicit = getattr(args, "precision", None)
    if explicit is None and not getattr(args, "mixed_precision", False):
        return current
    name = resolve_precision(explicit, getattr(args, "mixed_precision", False))
    keras.mixed_precision.set_global_policy(name)
    return name


def scale_learning_rates(args, replicas):
    """Multiply the learning rates `args` declares by `replicas` with ``--scale-lr``.

    Returns:
        ``{name: {"asked": rate, "used": rate x scale}}`` (what ``args.json`` keeps).
    """
    scale = replicas if getattr(args, "scale_lr", False) else 1
    rates = {}
    for name in getattr(args, "_learning_rates", ()):
        asked = getattr(args, name, None)
        if asked is not None:
            setattr(args, name, asked * scale)
            rates[name] = {"asked": asked, "used": asked * scale}
    return rates
