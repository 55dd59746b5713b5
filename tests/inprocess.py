"""Run study scripts in this Python process, one after another, as `python script args` would.

For tests that run many scripts: one import of TensorFlow and Keras instead of one
per script. A script's folder is first on `sys.path` while it runs, and its own
`config` module is imported afresh (each study has one of that name).
"""

import os
import runpy
import sys
import traceback


def run_script(argv):
    """Run `argv[0]` as ``__main__`` with `sys.argv` = `argv`; its exit status."""
    folder = os.path.dirname(os.path.abspath(argv[0]))
    sys.path.insert(0, folder)
    sys.modules.pop("config", None)
    saved, sys.argv = sys.argv, list(argv)
    try:
        runpy.run_path(argv[0], run_name="__main__")
        return 0
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        sys.argv = saved
        sys.path.remove(folder)
