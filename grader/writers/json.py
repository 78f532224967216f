"""Our own JSON format: `SubmissionResult.to_dict()` with hidden checks redacted.

The format is versioned (`schema_version`) and documented field by field in
docs/results-schema.md; `grader/data/results.schema.json` is its JSON Schema.
With `timings=False` the timing fields are left out, so two runs give identical bytes.
"""

from __future__ import annotations

import json
from typing import TextIO

from grader.results import SubmissionResult
from grader.writers.feedback import redact_submission


def write(result: SubmissionResult, stream: TextIO, *, timings: bool = True) -> None:
    """Write `result` as indented UTF-8 JSON, one trailing newline."""
    data = redact_submission(result).to_dict(timings=timings)
    json.dump(data, stream, indent=2, ensure_ascii=False, allow_nan=False)
    stream.write("\n")
