"""Output formats: one module per format, each a `write(result, stream, *, timings)` over
the results model (`grader.results`).

```python
from grader.writers import FORMATS, write
write(result, "gradescope", sys.stdout)          # FORMATS: terminal json gradescope exercism junit
```

Hidden checks are redacted the same way in every format (`grader.writers.feedback.redact`).
"""

from __future__ import annotations

from typing import TextIO

from grader.results import SubmissionResult
from grader.writers import exercism, gradescope, junit, terminal
from grader.writers import json as json_writer

_WRITERS = {
    "terminal": terminal.write,
    "json": json_writer.write,
    "gradescope": gradescope.write,
    "exercism": exercism.write,
    "junit": junit.write,
}
FORMATS: tuple[str, ...] = tuple(_WRITERS)


def write(result: SubmissionResult, fmt: str, stream: TextIO, *, timings: bool = True) -> None:
    """Write `result` to `stream` in format `fmt` (one of `FORMATS`).

    `timings=False` leaves out every wall-clock figure, so the output is a pure function of
    the submission, the specs and the seed. Raises `ValueError` for an unknown format.
    """
    try:
        writer = _WRITERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}") from None
    writer(result, stream, timings=timings)


__all__ = ["FORMATS", "write"]
