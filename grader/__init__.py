"""gradeformer's grader: exercise specs, isolated workers, comparison, feedback and outputs.

``from grader import check; check("softmax")`` runs an exercise's checks from a notebook
(see `grader.api`).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"  # the package's version (pyproject.toml reads it from here)

__all__ = ["__version__", "check"]


def __getattr__(name: str) -> Any:
    """`check` is imported on first use, so `import grader` stays light."""
    if name == "check":
        from grader.api import check

        return check
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
