"""tf.distribute for the study harness: which strategy, which worker, which precision.

`pyimagesearch.harness.Run` builds a run's strategy and dtype policy with
these functions; a study script only writes ``with run.strategy.scope():``.

- `cluster_from_env()`: the `TF_CONFIG` of a multi-worker run, parsed and
  checked: this task's type and index, the number of workers, and whether
  this task is the chief (the one that writes the outputs).
- `resolve_strategy(name)`: ``"auto"`` becomes ``"multiworker"`` when
  `TF_CONFIG` names several workers, ``"mirrored"`` when several GPUs are
  visible, else ``"default"``.
- `split_cpu(n)`: split the CPU into `n` logical devices (to try
  ``mirrored`` without GPUs); it must run before TensorFlow starts.
- `make_strategy(name)`: the `tf.distribute.Strategy` object. A
  `MultiWorkerMirroredStrategy` must be created before any other TensorFlow
  op of the process (it configures the collective ops of the runtime).
- `resolve_precision(precision, mixed)`: the Keras dtype policy's name.
- `patch_keras_multiworker()`: works around two Keras 3 bugs that stop
  `fit` under a multi-worker strategy (keras-team/keras#20585).

Example (what `Run.__enter__` does):

>>> name = resolve_strategy("auto")           # "default" on one CPU
>>> strategy = make_strategy(name)
>>> strategy.num_replicas_in_sync
1
"""

import json
import os
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

    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"`count` must be a positive integer. Received: count={count!r}")
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
    """The `tf.distribute.Strategy` for a resolved name (not ``auto``).

    One object per kind and set of devices is made per process and handed
    to every run that asks for it again (runs after runs in one process:
    tests, benchmarks).

    - ``default``: `tf.distribute.get_strategy()` (one device, no copies);
    - ``mirrored``: `MirroredStrategy` over every GPU, or every logical CPU
      device when there is no GPU (see `split_cpu`);
    - ``multiworker``: `MultiWorkerMirroredStrategy` from `TF_CONFIG`. It
      must be created before any other TensorFlow op of the process; the
      Keras 3 fixes of `patch_keras_multiworker` are installed with it.

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


def is_multi_worker(strategy):
    """Whether `strategy` spans several workers (processes)."""
    import tensorflow as tf

    return (isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and strategy.extended._in_multi_worker_mode())


_PATCHED = []


def patch_keras_multiworker():
    """Make Keras 3's `fit`/`evaluate` work under `MultiWorkerMirroredStrategy`.

    Keras 3 (3.0 to at least 3.15) fails there in two places
    (keras-team/keras#20585, tensorflow/tensorflow#72388):

    1. before the first step it averages the first batch over the replicas
       with ``strategy.reduce`` on the whole ``(x, y)`` tuple, which the
       collective strategy cannot reduce ("Attempt to convert a value
       (PerReplica...)"); the fix takes this worker's own first batch (it
       only needs the shapes);
    2. it averages each step's scalar logs with ``reduce("MEAN", v,
       axis=0)``, an error on a scalar ("Invalid reduction dimension 0");
       the fix averages them over the replicas with ``axis=None``.

    Only multi-worker runs take the new paths; every other strategy runs
    Keras' own code. Installed once per process, by `make_strategy`.
    """
    if _PATCHED:
        return
    import sys

    import keras
    import tensorflow as tf

    trainer = sys.modules[keras.Model.make_train_function.__module__]
    original_reduce = trainer.reduce_per_replica
    original_build = keras.Model._maybe_symbolic_build

    def reduce_per_replica(values, strategy, reduction):
        if reduction == "auto" and is_multi_worker(strategy):
            return tf.nest.map_structure(
                lambda v: strategy.reduce("MEAN", v, axis=None), values)
        return original_reduce(values, strategy, reduction)

    def local_value(strategy, value):
        if isinstance(value, tf.distribute.DistributedValues):
            return strategy.experimental_local_results(value)[0]
        return value

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        strategy = self.distribute_strategy
        if iterator is not None and is_multi_worker(strategy):
            for _, _, it in iterator:
                data_batch = tf.nest.map_structure(
                    lambda v: local_value(strategy, v), next(it))
                break
            iterator = None
        return original_build(self, iterator=iterator, data_batch=data_batch)

    trainer.reduce_per_replica = reduce_per_replica
    keras.Model._maybe_symbolic_build = _maybe_symbolic_build
    _PATCHED.append(True)
