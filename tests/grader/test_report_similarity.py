"""Similarity flags: a renamed copy is found, two independent solutions are not.

`ORIGINAL` and `INDEPENDENT` are two honest `train_bpe` solutions written separately;
`RENAMED` is `ORIGINAL` with every identifier renamed and every literal changed.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

from grader.report import build_report
from grader.report.similarity import fingerprint, jaccard, read_module, similar_pairs
from grader.results import CheckResult, ExerciseResult, SubmissionResult

STUB = '''\
"""Byte-pair encoding."""


def train_bpe(text: str, vocab_size: int) -> list[tuple[int, int]]:
    """Learn merges."""
    raise NotImplementedError
'''

ORIGINAL = '''\
"""Byte-pair encoding."""


def get_stats(ids):
    counts = {}
    for pair in zip(ids, ids[1:]):
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def merge(ids, pair, idx):
    out = []
    i = 0
    while i < len(ids):
        if i < len(ids) - 1 and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(idx)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def train_bpe(text, vocab_size):
    ids = list(text.encode("utf-8"))
    merges = []
    for k in range(vocab_size - 256):
        stats = get_stats(ids)
        if not stats:
            break
        best = max(stats, key=stats.get)
        ids = merge(ids, best, 256 + k)
        merges.append(best)
    return merges
'''

RENAMED = '''\
"""My tokenizer."""


def count_pairs(tokens):
    tally = {}
    for pr in zip(tokens, tokens[1:]):
        tally[pr] = tally.get(pr, 7) + 3
    return tally


def combine(tokens, pr, new):
    res = []
    n = 5
    while n < len(tokens):
        if n < len(tokens) - 9 and tokens[n] == pr[1] and tokens[n + 4] == pr[0]:
            res.append(new)
            n += 1
        else:
            res.append(tokens[n])
            n += 2
    return res


def train_bpe(s, size):
    tokens = list(s.encode("latin-1"))
    learned = []
    for step in range(size - 0x100):
        tally = count_pairs(tokens)
        if not tally:
            break
        top = max(tally, key=tally.get)
        tokens = combine(tokens, top, 0x100 + step)
        learned.append(top)
    return learned
'''

INDEPENDENT = """\
from collections import Counter


def _pairs(seq):
    c = Counter()
    order = {}
    for j in range(len(seq) - 1):
        p = (seq[j], seq[j + 1])
        c[p] += 1
        order.setdefault(p, j)
    return c, order


def _replace(seq, target, new_id):
    result = []
    skip = False
    for j, tok in enumerate(seq):
        if skip:
            skip = False
            continue
        if j + 1 < len(seq) and (tok, seq[j + 1]) == target:
            result.append(new_id)
            skip = True
        else:
            result.append(tok)
    return result


def train_bpe(text: str, vocab_size: int) -> list[tuple[int, int]]:
    if vocab_size < 256:
        raise ValueError(f"vocab_size must be >= 256, got {vocab_size}")
    seq = [b for b in text.encode("utf-8")]
    learned = []
    while len(learned) < vocab_size - 256:
        counts, first = _pairs(seq)
        if not counts:
            break
        top = max(counts.values())
        winner = min((p for p in counts if counts[p] == top), key=first.__getitem__)
        seq = _replace(seq, winner, 256 + len(learned))
        learned.append(winner)
    return learned
"""


def test_jaccard_by_hand() -> None:
    # {a, b, c} and {b, c, d}: 2 shared of 4 distinct
    assert jaccard(frozenset("abc"), frozenset("bcd")) == 0.5
    assert jaccard(frozenset(), frozenset()) == 0.0


def test_renaming_and_new_literals_change_nothing() -> None:
    assert fingerprint(ORIGINAL) == fingerprint(RENAMED)
    assert fingerprint(ORIGINAL) != fingerprint(INDEPENDENT)


def test_renamed_copy_is_flagged_independent_solution_is_not() -> None:
    sources = {"ana": ORIGINAL, "ben": RENAMED, "cai": INDEPENDENT}
    pairs = similar_pairs(sources, exercise="07_bpe", module="bpe", starter=STUB)
    assert [(p.student_a, p.student_b, p.score) for p in pairs] == [("ana", "ben", 1.0)]
    starter = fingerprint(STUB)
    assert jaccard(fingerprint(ORIGINAL, starter), fingerprint(INDEPENDENT, starter)) < 0.5


def test_starter_code_is_excluded() -> None:
    # Two students who handed in the untouched stub share only starter code: nothing left.
    assert fingerprint(STUB, fingerprint(STUB)) == frozenset()
    pairs = similar_pairs({"x": STUB, "y": STUB}, exercise="07_bpe", module="bpe", starter=STUB)
    assert pairs == []


def test_unparsable_source_has_no_fingerprint() -> None:
    assert fingerprint("def broken(:\n") == frozenset()


def _result(student: str) -> SubmissionResult:
    check = CheckResult("merges match minbpe", "public", "exact", "pass", 10.0, 10.0)
    ex = ExerciseResult("07_bpe", "BPE", "bpe", "graded", 10.0, 10.0, checks=[check])
    return SubmissionResult(student, student, "hidden", 0, "bwrap", 10.0, 10.0, [ex])


def test_report_lists_the_pair_from_folders_and_zips(tmp_path: Path) -> None:
    results, submissions, exercises = tmp_path / "results", tmp_path / "subs", tmp_path / "ex"
    for folder in (
        results,
        submissions / "ana" / "07_bpe",
        submissions / "cai",
        exercises / "07_bpe",
    ):
        folder.mkdir(parents=True)
    (exercises / "07_bpe" / "bpe.py").write_text(STUB)
    (submissions / "ana" / "07_bpe" / "bpe.py").write_text(ORIGINAL)
    with zipfile.ZipFile(submissions / "ben.zip", "w") as zf:
        zf.writestr("ben/bpe.py", RENAMED)
    (submissions / "cai" / "bpe.py").write_text(INDEPENDENT)
    for student in ("ana", "ben", "cai"):
        (results / f"{student}.json").write_text(json.dumps(_result(student).to_dict()))
    assert read_module(submissions / "ben.zip", "bpe") == RENAMED

    summary = build_report(
        results, tmp_path / "report", submissions_dir=submissions, exercises_dir=exercises
    )
    assert summary.similar is not None
    assert [(p.exercise, p.student_a, p.student_b) for p in summary.similar] == [
        ("07_bpe", "ana", "ben")
    ]
    index = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert '<td>07_bpe</td><td>ana</td><td>ben</td><td class="num">100%</td>' in index
    rows = csv.DictReader((tmp_path / "report" / "gradebook.csv").open(encoding="utf-8-sig"))
    assert [(r["student"], r["07_bpe"], r["total"], r["percent"]) for r in rows] == [
        (s, "10.0", "10.0", "100.0") for s in ("ana", "ben", "cai")
    ]  # grades unchanged
