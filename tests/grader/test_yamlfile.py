"""YAML files read through a JSON copy in the cache (`grader.yamlfile`)."""

from __future__ import annotations

import datetime
import math
from pathlib import Path

import pytest

from grader.yamlfile import YamlError, load_yaml

SPEC = "title: Softmax\npoints: 10\nchecks:\n  - {name: rows, rtol: 1.0e-6, atol: 0}\n"
SPEC_DATA = {
    "title": "Softmax",
    "points": 10,
    "checks": [{"name": "rows", "rtol": 1e-6, "atol": 0}],
}


def copies(cache: Path) -> list[Path]:
    return sorted((cache / "yaml").glob("*.json"))


def test_a_file_is_parsed_once_then_read_from_its_copy(tmp_path: Path, case_cache: Path) -> None:
    spec = tmp_path / "exercise.yaml"
    spec.write_text(SPEC)
    assert load_yaml(spec) == SPEC_DATA
    (copy,) = copies(case_cache)
    copy.write_text('{"title": "from the copy"}')  # the second load must not parse the YAML
    assert load_yaml(spec) == {"title": "from the copy"}
    spec.write_text(SPEC.replace("10", "12"))  # an edited file has a new key: parsed again
    assert load_yaml(spec)["points"] == 12
    assert len(copies(case_cache)) == 2


def test_a_damaged_copy_is_parsed_again(tmp_path: Path, case_cache: Path) -> None:
    spec = tmp_path / "exercise.yaml"
    spec.write_text(SPEC)
    load_yaml(spec)
    (copy,) = copies(case_cache)
    copy.write_bytes(b'{"title": ')
    assert load_yaml(spec) == SPEC_DATA


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1: one\n", {1: "one"}),  # a non-string key would come back as "1"
        ("x: .nan\n", {"x": math.nan}),
        ("day: 2026-11-23\n", {"day": datetime.date(2026, 11, 23)}),
    ],
)
def test_data_json_would_change_is_never_copied(
    tmp_path: Path, case_cache: Path, text: str, value: dict
) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    for _ in range(2):
        got = load_yaml(path)
        assert list(got) == list(value)
        ((key, item),) = got.items()
        assert item == value[key] or (math.isnan(item) and math.isnan(value[key]))
    assert copies(case_cache) == []


def test_caching_off_writes_nothing(
    tmp_path: Path, case_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADEFORMER_CACHE", "off")
    spec = tmp_path / "exercise.yaml"
    spec.write_text(SPEC)
    assert load_yaml(spec) == load_yaml(spec) == SPEC_DATA
    assert not (case_cache / "yaml").exists()


def test_bad_files_say_where(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("six: 6\nseven: [7\n")
    with pytest.raises(YamlError) as info:
        load_yaml(path)
    assert str(info.value).startswith("not valid YAML (line 3, column 1): ")
    path.write_bytes(b"six: \xff\n")
    with pytest.raises(YamlError, match=r"not UTF-8 text \(byte 5\)"):
        load_yaml(path)
    with pytest.raises(OSError):
        load_yaml(tmp_path / "missing.yaml")


def _alias_bomb(levels: int) -> str:
    """Each level a list of ten aliases of the one before: 10**levels strings in all."""
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "text",
    [
        _alias_bomb(9),  # ~600 bytes standing for a billion strings
        "loop: &a [*a]\n",  # a list that contains itself
        "deep: " + "[" * 900 + "]" * 900 + "\n",  # deeper than Python's recursion limit
    ],
    ids=["alias bomb", "self-reference", "deep nesting"],
)
def test_data_too_big_or_deep_to_copy_is_parsed_every_time(
    tmp_path: Path, case_cache: Path, text: str
) -> None:
    """Returned as parsed, quickly, and never copied (a copy would expand or never end)."""
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    for _ in range(2):
        data = load_yaml(path)
        assert isinstance(data, dict) and list(data)[0] == text.split(":")[0]
    assert copies(case_cache) == []
