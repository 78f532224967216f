"""Output formats: one module per format, each a `write(result, stream, *, timings)` over
the results model (`grader.results`), and `WRITERS`, the registry naming them.

```python
from grader.writers import formats, write
formats()                                  # ('terminal', 'json', 'gradescope', 'exercism', 'junit')
write(result, "gradescope", sys.stdout)
```

`WRITERS` is the one list of formats: the CLI's `--format` choices are read from it, so
adding a format is one new module here plus one line in `WRITERS`. A writer module is
imported only when something is written in its format, so reading the names costs the CLI
nothing at start-up.

Hidden checks are redacted the same way in every format (`grader.writers.feedback.redact`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol, TextIO, cast

if TYPE_CHECKING:
    from grader.results import SubmissionResult

# format name (as `--format` takes it) → the module that writes it; `--format` lists them in
# this order. Each module defines `write(result, stream, *, timings=True)` (see `Writer`).
WRITERS: dict[str, str] = {
    "terminal": "grader.writers.terminal",
    "json": "grader.writers.json",
    "gradescope": "grader.writers.gradescope",
    "exercism": "grader.writers.exercism",
    "junit": "grader.writers.junit",
}


class Writer(Protocol):
    """What a format's module provides: its `write` function."""

    def write(self, result: SubmissionResult, stream: TextIO, *, timings: bool = True) -> None:
        """Write `result` to `stream`; `timings=False` leaves out every wall-clock figure."""


def formats() -> tuple[str, ...]:
    """The format names, in `WRITERS` order (read each time: the registry is the truth)."""
    return tuple(WRITERS)


def writer(fmt: str) -> Writer:
    """The module that writes format `fmt`, imported on first use; `ValueError` if unknown."""
    try:
        module = WRITERS[fmt]
    except KeyError:
        known = ", ".join(formats())
        raise ValueError(f"unknown format {fmt!r}; expected one of {known}") from None
    return cast(Writer, importlib.import_module(module))


def write(result: SubmissionResult, fmt: str, stream: TextIO, *, timings: bool = True) -> None:
    """Write `result` to `stream` in format `fmt` (one of `formats()`).

    `timings=False` leaves out every wall-clock figure, so the output is a pure function of
    the submission, the specs and the seed. Raises `ValueError` for an unknown format.
    """
    writer(fmt).write(result, stream, timings=timings)


__all__ = ["WRITERS", "Writer", "formats", "write", "writer"]
