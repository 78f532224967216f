"""Load and validate `exercise.yaml` files into the dataclasses of `grader.spec.model`."""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from grader.spec.model import (
    COMPARATORS,
    DEFAULT_ATOL,
    DEFAULT_RTOL,
    DEFAULT_TIMEOUT,
    EXERCISE_FILE,
    QUESTION_COMPARATORS,
    VISIBILITIES,
    CheckSpec,
    ExerciseSpec,
    ForbiddenSpec,
    MisconceptionSpec,
    QuestionSpec,
    SpecError,
)
from grader.yamlfile import YamlError, load_yaml

_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_seed(name: str) -> int:
    """The default per-check seed: a stable hash (CRC-32) of the check's name."""
    return zlib.crc32(name.encode("utf-8"))


def to_value(raw: Any, keep_list: bool = False) -> Any:
    """Turn a literal from yaml into a call argument or expected value.

    Nested lists of numbers become arrays (int64 when every entry is an int, else float64)
    unless `keep_list`; ``{callable: name}`` becomes a `FunctionRef`; dicts and ragged lists
    are converted item by item; strings, numbers, booleans and None stay as they are.
    """
    if isinstance(raw, dict):
        if set(raw) == {"callable"}:
            from grader.codec import FunctionRef

            return FunctionRef(str(raw["callable"]))
        return {k: to_value(v) for k, v in raw.items()}
    if isinstance(raw, list):
        if keep_list:
            return raw
        if _is_numeric_grid(raw):
            dtype = np.int64 if _all_ints(raw) else np.float64
            return np.asarray(raw, dtype=dtype)
        return [to_value(v) for v in raw]
    return raw


def _is_numeric_grid(raw: list[Any]) -> bool:
    """True for a non-empty rectangular nested list of int/float (not bool)."""
    try:
        arr = np.asarray(raw)
    except ValueError:  # ragged
        return False
    return arr.dtype.kind in "if" and arr.size > 0


def _all_ints(raw: Any) -> bool:
    if isinstance(raw, list):
        return all(_all_ints(v) for v in raw)
    return isinstance(raw, int) and not isinstance(raw, bool)


class _Reader:
    """Typed access to one yaml mapping with key paths for error messages."""

    def __init__(self, path: Path, data: Any, key_path: str = "") -> None:
        self.path = path
        self.key_path = key_path
        if not isinstance(data, dict):
            raise SpecError(path, key_path or "the file", "must be a mapping of keys", data)
        self.data = data

    def _key(self, key: str) -> str:
        return f"{self.key_path}.{key}" if self.key_path else key

    def fail(self, key: str, expected: str, got: Any = None) -> SpecError:
        return SpecError(self.path, self._key(key), expected, got)

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, kind: str, default: Any = ..., choices: tuple[str, ...] = ()) -> Any:
        """The value at `key` checked against `kind` (str, number, int, list[str], mapping)."""
        if key not in self.data:
            if default is ...:
                raise SpecError(self.path, self._key(key), "is required")
            return default
        value = self.data[key]
        if kind == "str" and not isinstance(value, str):
            raise self.fail(key, "must be a string", value)
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.fail(key, "must be a number", value)
            value = float(value)
        if kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(key, "must be an integer", value)
        if kind == "list[str]" and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            raise self.fail(key, "must be a list of strings", value)
        if kind == "mapping" and not isinstance(value, dict):
            raise self.fail(key, "must be a mapping", value)
        if choices and value not in choices:
            raise self.fail(key, "must be one of " + ", ".join(choices), value)
        return value

    def at_least(
        self, key: str, default: Any = ..., low: float = 0.0, strict: bool = False
    ) -> float:
        """The number at `key` (required without `default`): >= `low`, or > `low` if `strict`."""
        value: float = self.get(key, "number", default)
        if value < low or (strict and value == low):
            raise self.fail(key, f"must be {'>' if strict else '>='} {low:g}", self.data[key])
        return value

    def sub(self, key: str, index: int, data: Any) -> _Reader:
        return _Reader(self.path, data, f"{self._key(key)}[{index}]")

    def unknown_keys(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.fail(
                    str(key), "is not a known key (allowed: " + ", ".join(sorted(allowed)) + ")"
                )


_CHECK_KEYS = {
    "name", "visibility", "call", "args", "cases", "expect", "trace", "compare", "rtol",
    "atol", "points", "timeout", "seed", "describe", "property", "oracle", "raises", "as_list",
}  # fmt: skip


def _load_check(r: _Reader, functions: list[str]) -> CheckSpec:
    r.unknown_keys(_CHECK_KEYS)
    name = r.get("name", "str")
    call = r.get("call", "str", None)
    if call is not None and call not in functions:
        raise r.fail(
            "call", "must be one of the exercise's functions (" + ", ".join(functions) + ")", call
        )
    cases = r.get("cases", "str", None)
    if cases is None and (call is None or not r.has("args")):
        raise r.fail("call", "and args are required when there is no cases generator")
    if cases is not None and r.has("args"):
        raise r.fail("args", "must not be given together with cases")
    keep = set(r.get("as_list", "list[str]", []))
    args = None
    if r.has("args"):
        raw_args = r.get("args", "mapping")
        args = {str(k): to_value(v, keep_list=k in keep) for k, v in raw_args.items()}
    compare = r.get("compare", "str", "allclose", COMPARATORS)
    prop = r.get("property", "str", None)
    if compare == "property" and prop is None:
        raise r.fail("property", "is required when compare is property")
    oracle = r.get("oracle", "str", None)
    if oracle is not None and compare != "property":
        raise r.fail("oracle", "is only for compare: property (its values go to the property)")
    raises = r.get("raises", "str", None)
    if compare == "raises" and raises is None:
        raise r.fail("raises", "is required when compare is raises (an exception name)")
    trace = r.get("trace", "list[str]", [])
    points = r.at_least("points", 1.0)
    timeout = r.at_least("timeout", DEFAULT_TIMEOUT, strict=True)
    return CheckSpec(
        name=name,
        visibility=r.get("visibility", "str", choices=VISIBILITIES),
        compare=compare,
        call=call,
        args=args,
        cases=cases,
        expect=to_value(r.data["expect"]) if r.has("expect") else None,
        has_expect=r.has("expect"),
        trace=trace,
        rtol=r.at_least("rtol", DEFAULT_RTOL),
        atol=r.at_least("atol", DEFAULT_ATOL),
        points=points,
        timeout=timeout,
        seed=r.get("seed", "int", check_seed(name)),
        describe=r.get("describe", "str", ""),
        property=prop,
        oracle=oracle,
        raises=raises,
    )


def _load_misconception(r: _Reader, functions: list[str]) -> MisconceptionSpec:
    r.unknown_keys({"name", "hint", "replaces"})
    replaces = r.get("replaces", "mapping")
    for fn, impl in replaces.items():
        if fn not in functions:
            raise r.fail(f"replaces.{fn}", "must name one of the exercise's functions")
        if not isinstance(impl, str):
            raise r.fail(f"replaces.{fn}", "must be a function name in misconceptions.py", impl)
    if not replaces:
        raise r.fail("replaces", "must map at least one function")
    return MisconceptionSpec(
        name=r.get("name", "str"), hint=r.get("hint", "str"), replaces=dict(replaces)
    )


def _load_question(r: _Reader) -> QuestionSpec:
    r.unknown_keys({"id", "question", "answer", "compare", "tol", "points", "explain"})
    qid = r.get("id", "str")
    if "answer" not in r.data:
        raise r.fail("answer", "is required")
    answer = r.data["answer"]
    if not _is_answer_literal(answer):
        raise r.fail("answer", "must be a number, a (nested) list of numbers or a string", answer)
    return QuestionSpec(
        id=qid,
        question=r.get("question", "str"),
        answer=answer,
        compare=r.get("compare", "str", "numeric", QUESTION_COMPARATORS),
        tol=r.at_least("tol", 1e-3),
        points=r.at_least("points", 1.0),
        explain=r.get("explain", "str", ""),
    )


def _is_answer_literal(value: Any) -> bool:
    if isinstance(value, list):
        return all(_is_answer_literal(v) for v in value)
    return isinstance(value, (int, float, str)) and not isinstance(value, bool)


def _unique(r: _Reader, key: str, names: list[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise SpecError(r.path, f"{key}[{i}]", "must have a unique name", name)
        seen.add(name)


def load_exercise(folder: Path) -> ExerciseSpec:
    """Load `folder/exercise.yaml` into an `ExerciseSpec`; raise `SpecError` when malformed."""
    path = folder / EXERCISE_FILE
    try:
        data = load_yaml(path)
    except OSError as exc:
        raise SpecError(path, "", "could not be read", exc.strerror) from None
    except YamlError as exc:
        raise SpecError(path, "", f"is {exc}") from None
    r = _Reader(path, data)
    r.unknown_keys({
        "title", "module", "points", "functions", "requires", "forbidden", "checks",
        "misconceptions", "questions",
    })  # fmt: skip
    module = r.get("module", "str")
    if not _MODULE_NAME.match(module):
        raise r.fail("module", "must be a Python module name", module)
    functions = r.get("functions", "list[str]")
    if not functions:
        raise r.fail("functions", "must list at least one function")
    points = r.at_least("points")
    forbidden = None
    if r.has("forbidden"):
        fr = _Reader(path, r.data["forbidden"], "forbidden")
        fr.unknown_keys({"names", "points"})
        forbidden = ForbiddenSpec(fr.get("names", "list[str]"), fr.at_least("points", 1.0))
    raw_checks = r.get("checks", "list")
    if not isinstance(raw_checks, list) or not raw_checks:
        raise r.fail("checks", "must be a non-empty list", raw_checks)
    checks = [_load_check(r.sub("checks", i, c), functions) for i, c in enumerate(raw_checks)]
    _unique(r, "checks", [c.name for c in checks])
    raw_mis = r.get("misconceptions", "list", [])
    if not isinstance(raw_mis, list):
        raise r.fail("misconceptions", "must be a list", raw_mis)
    misconceptions = [
        _load_misconception(r.sub("misconceptions", i, m), functions) for i, m in enumerate(raw_mis)
    ]
    _unique(r, "misconceptions", [m.name for m in misconceptions])
    raw_q = r.get("questions", "list", [])
    if not isinstance(raw_q, list):
        raise r.fail("questions", "must be a list", raw_q)
    questions = [_load_question(r.sub("questions", i, q)) for i, q in enumerate(raw_q)]
    _unique(r, "questions", [q.id for q in questions])
    if sum(c.points for c in checks) + sum(q.points for q in questions) <= 0 and points > 0:
        raise r.fail("checks", "must carry some points when the exercise has points")
    return ExerciseSpec(
        folder=folder,
        title=r.get("title", "str"),
        module=module,
        points=points,
        functions=functions,
        checks=checks,
        requires=r.get("requires", "list[str]", []),
        forbidden=forbidden,
        misconceptions=misconceptions,
        questions=questions,
    )


def load_exercises(root: Path) -> list[ExerciseSpec]:
    """Every exercise folder under `root` (those holding exercise.yaml), sorted by folder name.

    `root` may also be a single exercise folder.
    """
    if (root / EXERCISE_FILE).is_file():
        return [load_exercise(root)]
    if not root.is_dir():
        raise SpecError(root, "", "must be a folder of exercises")
    folders = sorted(p for p in root.iterdir() if (p / EXERCISE_FILE).is_file())
    exercises = [load_exercise(p) for p in folders]
    seen: dict[str, Path] = {}
    for ex in exercises:
        if ex.module in seen:
            raise SpecError(ex.folder / EXERCISE_FILE, "module", "must be unique", ex.module)
        seen[ex.module] = ex.folder
    return exercises
