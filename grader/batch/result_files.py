"""Result files: one JSON file per student, read back on a rerun, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from grader.batch.errors import BatchError
from grader.executors import ResultDict
from grader.results import SubmissionResult

RESULT_SUFFIX = ".json"
TEMP_SUFFIX = ".tmp"


def prepare_out_dir(out_dir: Path) -> None:
    """Create `out_dir`, remove temp files a killed run left behind, and prove the folder
    takes a file, before any grading time is spent. (Two batches writing into the same
    folder at once are not supported.)"""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for leftover in out_dir.glob(f".*{TEMP_SUFFIX}"):
            leftover.unlink()
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".probe-", suffix=TEMP_SUFFIX):
            pass
    except OSError as exc:
        raise BatchError(f"cannot write results to {out_dir}: {exc.strerror or exc}") from exc


def read_result(path: Path) -> ResultDict | None:
    """The result stored at `path`, or None when it is missing or does not parse."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        SubmissionResult.from_dict(data)
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    return data if isinstance(data, dict) else None


def write_result(path: Path, result: ResultDict) -> None:
    """Write `result` as JSON at `path` atomically: a temp file in the same folder, fsync,
    rename over `path`, fsync the folder. On failure `path` is untouched and no temp file is
    left behind; raises `BatchError`."""
    text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=TEMP_SUFFIX)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        tmp = None
        _fsync_dir(path.parent)
    except OSError as exc:
        raise BatchError(
            f"cannot write {path}: {exc.strerror or exc}; the results already written in "
            f"{path.parent} are intact, rerun to resume once there is room"
        ) from exc
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
