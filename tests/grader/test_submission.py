"""Locating modules in folders, zips and notebooks; unsafe zips are refused."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from grader.submission import (
    SubmissionError,
    extract_zip,
    fingerprint,
    locate,
    materialise,
    module_source,
    notebook_source,
)


def make_zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return path


def test_locate_prefers_shallowest_and_skips_hidden_and_pycache(tmp_path: Path) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "deep" / "er" / "softmax.py").write_text("# deep")
    (tmp_path / "deep" / "softmax.py").write_text("# shallow")
    (tmp_path / ".git" / "bpe.py").write_text("")
    (tmp_path / "__pycache__" / "bpe.py").write_text("")
    (tmp_path / "deep" / "answers.yaml").write_text("a: 1\n")
    found = locate(tmp_path, ["softmax", "bpe"])
    assert found.modules == {"softmax": tmp_path / "deep" / "softmax.py"}
    assert found.answers == {"softmax": tmp_path / "deep" / "answers.yaml"}


def test_locate_ignores_symlinks_leading_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "softmax.py").write_text("")
    sub = tmp_path / "sub"
    sub.mkdir()
    os.symlink(outside, sub / "link")
    os.symlink(outside / "softmax.py", sub / "bpe.py")
    found = locate(sub, ["softmax", "bpe"])
    assert found.modules == {}
    assert found.links_out == {"bpe": sub / "bpe.py"}  # a file link, named for the message


def test_locate_skips_broken_and_looping_links(tmp_path: Path) -> None:
    """A link to nowhere or to itself is not a module (it cannot be copied or read)."""
    os.symlink(tmp_path / "nowhere.py", tmp_path / "softmax.py")
    os.symlink(tmp_path / "bpe.py", tmp_path / "bpe.py")
    found = locate(tmp_path, ["softmax", "bpe"])
    assert found.modules == {}
    assert found.links_out == {"softmax": tmp_path / "softmax.py", "bpe": tmp_path / "bpe.py"}


def test_zip_extracts_nested_modules(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "alice.zip", {"alice/03_softmax/softmax.py": "x = 1\n"})
    root = materialise(z, tmp_path / "out", {})
    assert locate(root, ["softmax"]).modules["softmax"].read_text() == "x = 1\n"


@pytest.mark.parametrize("bad", ["../evil.py", "/etc/evil.py", "a/../../evil.py", "C:/evil.py"])
def test_zip_with_unsafe_path_is_refused(tmp_path: Path, bad: str) -> None:
    z = make_zip(tmp_path / "bad.zip", {"ok.py": "", bad: "boom"})
    with pytest.raises(SubmissionError, match="unsafe path"):
        extract_zip(z, tmp_path / "out")
    assert not (tmp_path / "evil.py").exists()


def test_zip_over_size_cap_is_refused(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "big.zip", {"a.py": "0" * 5000})
    with pytest.raises(SubmissionError, match="unpacks to .* MiB"):
        extract_zip(z, tmp_path / "out", max_bytes=4000)


def test_corrupt_zip_gets_one_clear_line(tmp_path: Path) -> None:
    z = tmp_path / "alice.zip"
    z.write_bytes(b"PK\x03\x04 this is not really a zip")
    expected = r"^alice.zip is not a valid zip file \(.*\); nothing was graded$"
    with pytest.raises(SubmissionError, match=expected):
        materialise(z, tmp_path / "out", {})


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(SubmissionError, match=r"no submission at .* \(no such file or folder\)"):
        materialise(tmp_path / "nope", tmp_path, {})


def notebook(cells: list[tuple[str, str]]) -> str:
    return json.dumps({"cells": [{"cell_type": t, "source": s.splitlines(True)} for t, s in cells]})


def test_notebook_becomes_the_modules_it_defines(tmp_path: Path) -> None:
    nb = tmp_path / "work.ipynb"
    nb.write_text(
        notebook(
            [
                ("markdown", "# Softmax"),
                ("code", "%matplotlib inline\nimport numpy as np"),
                ("code", "def softmax(x, axis=-1, temperature=1.0):\n    return x"),
            ]
        )
    )
    out = tmp_path / "out"
    out.mkdir()
    root = materialise(nb, out, {"softmax": ["softmax", "log_softmax"], "bpe": ["train_bpe"]})
    found = locate(root, ["softmax", "bpe"])
    assert list(found.modules) == ["softmax"]
    source = found.modules["softmax"].read_text()
    assert "# %matplotlib inline" in source and "def softmax" in source
    compile(source, "softmax.py", "exec")


def test_notebook_that_is_not_json(tmp_path: Path) -> None:
    nb = tmp_path / "work.ipynb"
    nb.write_text('{"cells": [')
    with pytest.raises(SubmissionError, match=r"work.ipynb is not a valid notebook \(invalid JSON"):
        notebook_source(nb)


NOTEBOOK_CELLS = [
    "import numpy as np\nimport not_installed_plots as plt\nfrom not_installed.sub import thing",
    "EPS = 1e-9\nGRID = np.arange(6).reshape(2, 3) * EPS\nSQUARES = [i * i for i in range(3)]",
    "def softmax(x, axis=-1):\n    e = np.exp(x - x.max(axis=axis, keepdims=True))\n"
    "    return e / e.sum(axis=axis, keepdims=True)",
    "y = softmax(np.array([1.0, 2.0]))\nz = y + 1\nprint(z); plt.plot(z)\nSHOWN = 1",
    "fig, ax = plt.subplots()\nassert softmax(None) is None\nfor i in range(3):\n    print(i)",
]


def test_a_notebook_module_keeps_definitions_and_runs_no_cell_work(tmp_path: Path) -> None:
    source = module_source("\n\n".join(NOTEBOOK_CELLS) + "\n")
    namespace: dict = {}
    exec(compile(source, "softmax.py", "exec"), namespace)  # no ImportError, no cell's work
    assert {"np", "EPS", "GRID", "SQUARES", "softmax", "SHOWN"} <= set(namespace)
    assert namespace["SQUARES"] == [0, 1, 4] and namespace["GRID"].shape == (2, 3)
    for dropped in ("y", "z", "fig", "ax", "i", "plt", "thing"):
        assert dropped not in namespace
    assert "try: import not_installed_plots as plt\nexcept ImportError: pass\n" in source
    assert "# y = softmax(np.array([1.0, 2.0]))\n" in source and "# plt.plot(z)\n" in source
    lines = source.splitlines()
    assert lines[lines.index("def softmax(x, axis=-1):") - 1] == ""  # the cell gap is kept


def test_a_notebook_that_does_not_parse_is_left_for_the_worker_to_report() -> None:
    assert module_source("def f(:\n    pass\n") == "def f(:\n    pass\n"


def test_the_fingerprint_follows_what_is_graded(tmp_path: Path) -> None:
    sub = tmp_path / "alice"
    (sub / "ex").mkdir(parents=True)
    (sub / "ex" / "softmax.py").write_text("def softmax(x):\n    return x\n")
    first = fingerprint(sub)
    assert first == fingerprint(sub)
    (sub / ".git").mkdir()
    (sub / ".git" / "HEAD").write_text("ref")
    (sub / "ex" / "__pycache__").mkdir()
    (sub / "ex" / "__pycache__" / "softmax.pyc").write_bytes(b"\0")
    assert fingerprint(sub) == first  # what the search skips does not count
    (sub / "ex" / "softmax.py").rename(sub / "softmax.py")
    assert fingerprint(sub) != first  # the same bytes at another path
    big = sub / "data.bin"
    big.write_bytes(b"\1" * 64)
    capped = fingerprint(sub, max_bytes=32)  # over the budget: size and mtime count instead
    os.utime(big, ns=(0, 0))
    assert fingerprint(sub, max_bytes=32) != capped
