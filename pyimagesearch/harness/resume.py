"""Run folders that survive a kill: the rerun mark, reuse by the same command, crash saves.

A run folder holds a ``.run-incomplete`` mark (the study, the arguments, the
process) from its creation until the run ends well. The SAME command run
again (``--verbose`` may differ) with the same ``--output`` continues in
that folder; any other non-empty folder is refused, so nothing is ever
overwritten. A run that stops on a user error before writing anything but
its bookkeeping empties its folder again, so that the corrected command can
use it. See docs/reliability.md.
"""

import contextlib
import datetime
import json
import logging
import os
import shutil
import time
from pathlib import Path

from pyimagesearch.errors import OutputExistsError
from pyimagesearch.errors import PyImageSearchError
from pyimagesearch.harness import files
from pyimagesearch.harness import models
from pyimagesearch.utils.atomic import _pid_alive
from pyimagesearch.utils.atomic import atomic_write
from pyimagesearch.utils.atomic import remove_stale_temporaries

#: the mark of a run folder whose run has not finished (JSON: study, args, pid)
INCOMPLETE_MARK = ".run-incomplete"
#: what a folder may hold and still be emptied after a user error
BOOKKEEPING = {INCOMPLETE_MARK, "args.json", "data.json"}
#: arguments that may differ when an unfinished run is run again
RERUN_MAY_CHANGE = ("verbose",)
logger = logging.getLogger(__name__)


def identity(study, args):
    """What makes two commands the same run: the study and the arguments."""
    given = vars(args) if args is not None else {}
    return {"study": study, "args": {k: files.jsonable(v) for k, v in given.items()
                                     if not k.startswith("_") and k not in RERUN_MAY_CHANGE}}


class RunFolder:
    """The output folder of one run: new, or this command's unfinished one.

    Args:
        study: names the folder under ``outputs/`` when `requested` is None.
        args: the parsed arguments (the run's identity).
        requested: ``--output``, or None for a new ``outputs/<study>/<time>``.
        resume: a non-empty folder without a mark may be continued (a
            script that resumes its own way, e.g. an ensemble's members).
    """

    def __init__(self, study, args, requested=None, resume=False):
        self.identity = identity(study, args)
        self.resume = resume
        self.continued = False  # True: this folder held our own unfinished run
        self.created = False
        self.path = self._open(Path(requested).expanduser() if requested else None, study)

    def _open(self, path, study):
        if path is None:
            return self._new(files.outputs_root() / study)
        if path.is_symlink() and not path.exists():
            raise OutputExistsError(f"--output {path} is a link to nothing; remove it or "
                                    "choose another folder")
        if path.exists() and not path.is_dir():
            raise OutputExistsError(f"--output {path} is a file; choose a folder")
        if path.is_dir() and any(path.iterdir()):
            self._check_reuse(path)
        self.created = not path.exists()
        path.mkdir(parents=True, exist_ok=True)
        self._mark(path)
        return path

    def _new(self, base):
        base.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        for n in range(1, 1000):
            path = base / (stamp if n == 1 else f"{stamp}-{n}")
            try:
                path.mkdir()  # atomic: two runs never share a folder
            except FileExistsError:
                continue
            self.created = True
            self._mark(path)
            return path
        raise OutputExistsError(f"could not make a new run folder under {base}")

    def _mark(self, path):
        with atomic_write(path / INCOMPLETE_MARK) as f:
            f.write(json.dumps({**self.identity, "pid": os.getpid()}, indent=2) + "\n")

    def _check_reuse(self, path):
        """A non-empty --output: our own unfinished run (continue), else refuse."""
        mark = path / INCOMPLETE_MARK
        if not mark.is_file():
            if self.resume:
                return
            raise OutputExistsError(f"--output {path} is not empty; choose a new folder so "
                                    "that nothing already there is overwritten")
        try:
            saved = json.loads(mark.read_text())
        except (OSError, ValueError):
            saved = {}
        saved = saved if isinstance(saved, dict) else {}
        pid = saved.get("pid")
        if isinstance(pid, int) and pid != os.getpid() and _pid_alive(pid):
            raise OutputExistsError(f"--output {path} is being written by another run "
                                    f"(process {pid}); wait for it or choose a new folder")
        if saved.get("study") != self.identity["study"] or (
                saved.get("args") != self.identity["args"]):
            raise OutputExistsError(
                f"--output {path} holds an unfinished run of another command "
                f"({differences(saved, self.identity)}); run that command again to finish "
                "it, or choose a new folder")
        self.resume = self.continued = True
        remove_stale_temporaries(path)  # half-written files of the killed attempt
        logger.info(f"{path} holds this command's unfinished run: continuing in it")

    def finish(self):
        """The run ended well: drop the mark."""
        (self.path / INCOMPLETE_MARK).unlink(missing_ok=True)

    def forget_if_empty(self):
        """After a user error: remove the bookkeeping if the run wrote nothing else."""
        names = {p.name for p in self.path.iterdir()}
        if not names <= BOOKKEEPING or self.continued:
            return
        for name in names:
            (self.path / name).unlink(missing_ok=True)
        if self.created:
            with contextlib.suppress(OSError):
                self.path.rmdir()


def continues(args, study, shared, has, lacks=()):
    """True when `--output` holds a finished-or-not run of `study` made with the same `shared`.

    For a script that resumes a run of parts (an ensemble's members): the
    folder's ``args.json`` must be this study's, with the argument `has` and
    none of `lacks` (a part's own folder); other `shared` settings are an
    `OutputExistsError` naming them. The learning rates compare as asked.
    """
    try:  # no run folder of this script: the harness refuses a non-empty one
        saved = json.loads((Path(args.output or "") / "args.json").read_text())
    except (OSError, ValueError):
        return False
    saved_args = saved.get("args") if isinstance(saved, dict) else None
    if (saved.get("study") != study or not isinstance(saved_args, dict)
            or has not in saved_args or any(k in saved_args for k in lacks)):
        return False
    # the rates as asked on the command line (args.json keeps them as used)
    saved_args.update({k: v["asked"] for k, v in (saved.get("learning_rates") or {}).items()})
    differ = [f"--{k.replace('_', '-')} {saved_args.get(k)} there, {getattr(args, k)} now"
              for k in shared if saved_args.get(k) != getattr(args, k)]
    if differ:
        raise OutputExistsError(f"--output {args.output} holds a run made with other settings "
                                f"({'; '.join(differ)}); rerun it with the same settings or "
                                "choose a new folder")
    return True


def differences(saved, mine):
    """The first arguments that differ between an unfinished run and this one."""
    if saved.get("study") != mine["study"]:
        return f"study {saved.get('study')!r}, not {mine['study']!r}"
    old, new = saved.get("args") or {}, mine["args"]
    # the arguments both runs have first (a changed value), then those only one has
    keys = sorted((k for k in set(old) | set(new) if old.get(k) != new.get(k)),
                  key=lambda k: (not (k in old and k in new), k))
    return ", ".join(f"{k}={old.get(k)!r} there, {new.get(k)!r} now" for k in keys[:3]) or "?"


def close(run, exc_type, exc, tb):
    """`Run.__exit__`: leave the scope; after a crash save what was trained; finish or forget."""
    import keras

    try:
        if run._scope is not None:
            run._scope.__exit__(exc_type, exc, tb)
            run._scope = None
        if exc_type is not None and run.is_chief:
            save_what_was_trained(run, exc_type)
    finally:
        if run._policy is not None:
            keras.mixed_precision.set_global_policy(run._policy)
            run._policy = None
    if not run.is_chief:
        shutil.rmtree(run.output_dir, ignore_errors=True)
    if exc_type is None:
        if run._folder is not None:
            run._folder.finish()
        logger.info(f"done in {time.perf_counter() - run.started:.1f} s; outputs in "
                    f"{run.output_dir if run.is_chief else 'the chief folder'}")
    elif issubclass(exc_type, (PyImageSearchError, OSError)) and run._folder is not None:
        run._folder.forget_if_empty()
    return False


def save_what_was_trained(run, exc_type):
    """After Ctrl-C or a crash: the last finished epoch's model, the plot, a ledger row.

    The model's weights come from the fit's backup (which stays, so that the
    same command resumes), else from the copy `HistoryCheckpoint` kept.
    """
    history = run._history
    if history is None or not history.last_epoch:
        return
    status = "interrupted" if issubclass(exc_type, KeyboardInterrupt) else "failed"
    logger.warning(f"{status} after epoch {history.last_epoch}: saving what was trained in "
                   f"{run.output_dir}")
    try:
        backup = history.backup
        if not run._saved_model and backup is not None and backup.restorable_epoch():
            backup.restore(history.model)  # the last finished epoch
            models.save_model(history.model, run.path("model.keras"))
        elif not run._saved_model and history.last_weights is not None:
            history.model.set_weights(history.last_weights)
            models.save_model(history.model, run.path("model.keras"))
        history.write()
        run._plot(history.history)
        run.record(run.data_name, "epochs", history.last_epoch, status=status)
    except Exception as error:  # never hide the first error behind this one
        from pyimagesearch.errors import one_line

        logger.warning(f"could not save the interrupted run: {one_line(error)}")
