"""`BatchError`: an instructor-side problem that stops class grading."""

from __future__ import annotations


class BatchError(Exception):
    """An instructor-side problem that stops a batch: duplicate ids, an unwritable results
    folder, an empty class. Results written before it are intact."""
