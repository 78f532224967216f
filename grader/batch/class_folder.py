"""The students of a class folder: one per child folder, `.zip` or `.ipynb`; what is ignored."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from grader.batch.errors import BatchError
from grader.batch.result_files import TEMP_SUFFIX

SUBMISSION_FILES = (".zip", ".ipynb")  # a file child of the class folder that is a student


@dataclass(frozen=True)
class Submission:
    """One student's submission in a class folder."""

    student: str
    path: Path


def find_submissions(
    submissions_dir: Path, exclude: Path | None = None
) -> tuple[list[Submission], list[str]]:
    """The class's submissions sorted by student id, and the ignored entries with reasons.

    `exclude` is a folder not to treat as a student (the results folder when it sits inside
    the class folder). Raises `BatchError` on duplicate ids.
    """
    root = submissions_dir.resolve()
    excluded = exclude.resolve() if exclude is not None else None
    found: list[Submission] = []
    ignored: list[str] = []
    for entry in sorted(submissions_dir.iterdir(), key=lambda p: p.name):
        name = entry.name
        if name.startswith((".", "__")) or name.endswith(TEMP_SUFFIX):
            continue
        target = entry.resolve()
        if entry.is_symlink() and root not in target.parents:
            ignored.append(f"{name}: a symlink to outside the class folder, not followed")
        elif target == excluded:
            continue
        elif target.is_dir():
            found.append(Submission(name, entry))
        elif target.is_file() and name.lower().endswith(SUBMISSION_FILES):
            found.append(Submission(name.rsplit(".", 1)[0], entry))
        else:
            ignored.append(f"{name}: not a folder, a .zip or an .ipynb")
    _refuse_duplicates(found)
    return found, ignored


def _refuse_duplicates(found: list[Submission]) -> None:
    groups: dict[str, list[Submission]] = {}
    for sub in found:
        key = unicodedata.normalize("NFC", sub.student).casefold()
        groups.setdefault(key, []).append(sub)
    clashes = [_clash(subs) for subs in groups.values() if len(subs) > 1]
    if clashes:
        raise BatchError(
            "two submissions would have the same student id (rename or remove one of each): "
            + "; ".join(clashes)
        )


def _clash(subs: list[Submission]) -> str:
    """ "alice/ and alice.zip"; when the ids differ only in their Unicode form (NFC "ë" and
    NFD "e" + combining diaeresis look the same), the escaped ids too."""
    listed = " and ".join(s.path.name + ("/" if s.path.is_dir() else "") for s in subs)
    ids = [s.student for s in subs]
    forms = {unicodedata.normalize("NFC", i) for i in ids}
    if len(set(ids)) > 1 and len(forms) < len(set(ids)):
        escaped = " and ".join(f"'{_escape(i)}'" for i in ids)
        listed += f" ({escaped}: the same name in two Unicode forms)"
    return listed


def _escape(text: str) -> str:
    """`text` with every non-ASCII character as a \\uXXXX (or \\UXXXXXXXX) escape."""
    return "".join(
        c if c.isascii() else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
        for c in text
    )
