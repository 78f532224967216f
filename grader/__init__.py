"""gradeformer's grader: exercise specs, isolated workers, comparison, feedback and outputs.

``from grader import check; check("softmax")`` runs an exercise's checks from a notebook
(see `grader.api`).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("gradeformer")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "check"]


def __getattr__(name: str) -> Any:
    """`check` is imported on first use, so `import grader` stays light."""
    if name == "check":
        from grader.api import check

        return check
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
