"""Run a command as on an installation without some optional packages.

A ``sitecustomize`` module, first on ``PYTHONPATH``, makes importing the named top-level
packages fail with ``ModuleNotFoundError``, exactly as when they are not installed.
"""

from __future__ import annotations

import os
from pathlib import Path

BLOCKER = '''\
import importlib.abc
import sys

BLOCKED = {blocked!r}


class _NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, _NotInstalled())
'''


def env_without(folder: Path, *packages: str) -> dict[str, str]:
    """The environment of a child process in which ``packages`` cannot be imported."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(BLOCKER.format(blocked=set(packages)))
    path = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}
