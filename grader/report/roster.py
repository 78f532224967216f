"""The class roster (`--roster roster.csv`): who is enrolled, and how the LMS knows them.

A roster is a CSV (UTF-8, with or without the byte-order mark Excel writes; comma,
semicolon or tab separated) with a header row. Columns are found by header, case and
spaces aside, under any of these names:

| field | headers |
|---|---|
| login | login, folder, username, user name, sis login id, login id, github, github username |
| name | name, student, student name, full name, display name (or first name + last name) |
| id | id, canvas id, user id, student id |
| sis_id | sis id, sis user id, id number, idnumber, student number |
| email | email, e-mail, email address |
| section | section, sections, group |

Without a name column, the name is `first name` + `last name` (also firstname, given name;
lastname, surname, family name).

Other columns are ignored. A submission (its folder name, the `student` of its result)
belongs to the roster entry that has it as its login, email, the part of the email before
`@`, id or SIS id, compared case-insensitively after Unicode normalisation. A value two
entries share identifies neither.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ALIASES: dict[str, tuple[str, ...]] = {
    "login": (
        "login", "folder", "username", "user name", "sis login id", "login id", "github",
        "github username",
    ),
    "name": ("name", "student", "student name", "full name", "display name"),
    "id": ("id", "canvas id", "user id", "student id"),
    "sis_id": ("sis id", "sis user id", "id number", "idnumber", "student number"),
    "email": ("email", "e-mail", "email address"),
    "section": ("section", "sections", "group"),
    "first": ("first name", "firstname", "given name"),
    "last": ("last name", "lastname", "surname", "family name"),
}  # fmt: skip
IDENTIFIERS = ("login", "email", "id", "sis_id")


class RosterError(ValueError):
    """A roster that cannot be read; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class RosterEntry:
    """One enrolled student, as the LMS knows them (empty string: not in the roster)."""

    login: str = ""
    name: str = ""
    id: str = ""
    sis_id: str = ""
    email: str = ""
    section: str = ""

    def keys(self) -> set[str]:
        """The normalised values a submission may be named by."""
        values = [self.login, self.email, self.email.partition("@")[0], self.id, self.sis_id]
        return {normalise(v) for v in values if v.strip()}


def normalise(name: str) -> str:
    """A name as compared: NFC, case-folded, outer spaces dropped ("Zoë " = "zoe\u0308")."""
    return unicodedata.normalize("NFC", name.strip()).casefold()


def read_roster(path: Path) -> list[RosterEntry]:
    """The entries of the roster CSV at `path`, in file order (blank rows skipped)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError(
            f"{path}: not UTF-8 (byte {exc.start}); save it as 'CSV UTF-8' and try again"
        ) from None
    except OSError as exc:
        raise RosterError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(text.splitlines(), dialect))
    if not rows:
        raise RosterError(f"{path}: empty; expected a header row (login, name, email, ...)")
    columns = _columns(rows[0])
    if not any(field in columns for field in IDENTIFIERS):
        found = ", ".join(repr(h) for h in rows[0]) or "nothing"
        raise RosterError(
            f"{path}: no column identifies a student (expected one of login, folder, "
            f"username, email, id, sis user id); the header has {found}"
        )
    entries = []
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        values = {f: row[i].strip() if i < len(row) else "" for f, i in columns.items()}
        first, last = values.pop("first", ""), values.pop("last", "")
        if not values.get("name"):
            values["name"] = f"{first} {last}".strip()
        entries.append(RosterEntry(**values))
    return entries


def _columns(header: list[str]) -> dict[str, int]:
    """field → column index of its first matching header."""
    wanted = {alias: field for field, aliases in ALIASES.items() for alias in aliases}
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        field = wanted.get(" ".join(cell.strip().lower().replace("_", " ").split()))
        if field is not None:
            columns.setdefault(field, i)
    return columns


@dataclass(frozen=True)
class Match:
    """A roster joined to the submissions: who matched whom, who is missing, who is unknown."""

    entries: dict[str, RosterEntry]  # student id → their entry
    missing: list[RosterEntry]  # enrolled, no submission
    unknown: list[str]  # submitted, not in the roster


def match(roster: list[RosterEntry], students: dict[str, list[str]]) -> Match:
    """Join submissions to the `roster` (see the module docstring).

    `students` maps each student id to the names it goes by: the id itself, then any LMS id
    its result carries (a Canvas user id read from a bulk download's file names).
    """
    owners: dict[str, list[int]] = {}
    for index, entry in enumerate(roster):
        for key in entry.keys():
            owners.setdefault(key, []).append(index)
    entries: dict[str, RosterEntry] = {}
    taken: set[int] = set()
    unknown = []
    for student, names in students.items():
        found = [owners.get(normalise(name), []) for name in names]
        unique = next((f[0] for f in found if len(f) == 1 and f[0] not in taken), None)
        if unique is None:
            unknown.append(student)
            continue
        entries[student] = roster[unique]
        taken.add(unique)
    missing = [entry for i, entry in enumerate(roster) if i not in taken]
    return Match(entries, missing, unknown)
