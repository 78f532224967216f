"""BPE: minbpe's rules, checked against a straightforward baseline and by round trips."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference as R


def baseline_train(data: bytes, vocab_size: int) -> list[tuple[int, int]]:
    """Count-and-merge written as plainly as possible, to compare with the reference."""
    ids = list(data)
    merges = []
    for new_id in range(256, vocab_size):
        if len(ids) < 2:
            break
        counts: dict[tuple[int, int], int] = {}
        first_seen: dict[tuple[int, int], int] = {}
        for i in range(len(ids) - 1):  # every adjacent pair, overlaps included
            pair = (ids[i], ids[i + 1])
            counts[pair] = counts.get(pair, 0) + 1
            first_seen.setdefault(pair, i)
        best = max(counts, key=lambda p: (counts[p], -first_seen[p]))
        merged, i = [], 0
        while i < len(ids):  # left to right, without overlap
            if i + 1 < len(ids) and (ids[i], ids[i + 1]) == best:
                merged.append(new_id)
                i += 2
            else:
                merged.append(ids[i])
                i += 1
        ids = merged
        merges.append(best)
    return merges


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=60), st.integers(256, 300))
def test_train_on_random_bytes_matches_the_baseline(data, vocab_size):
    text = data.decode("latin-1")  # the reference trains on UTF-8 of text: compare on that
    assert R.train_bpe(text, vocab_size) == baseline_train(text.encode("utf-8"), vocab_size)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab"), max_size=40), st.integers(256, 280))
def test_train_on_two_letter_strings_matches_the_baseline(text, vocab_size):
    # few symbols: many ties and long runs of one letter, where overlap counting matters
    assert R.train_bpe(text, vocab_size) == baseline_train(text.encode(), vocab_size)


MERGES = R.train_bpe("the cat sat on the mat; the hat — ünïcödé 🙂 " * 4, 300)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_decode_encode_round_trip_for_arbitrary_unicode(text):
    assert R.decode(R.encode(text, MERGES), MERGES) == text
    assert R.decode(R.encode(text, []), []) == text


def test_encode_applies_the_earliest_merge_first():
    # merges: (a, b) -> 256 first, then (b, c) -> 257. "abc": both pairs present, (a, b)
    # was learned first, so "abc" -> [256, 99], never [97, 257].
    assert R.encode("abc", [(97, 98), (98, 99)]) == [256, 99]
    assert R.encode("abc", [(98, 99), (97, 98)]) == [97, 256]


def test_no_pair_left_stops_training_early():
    assert R.train_bpe("a", 300) == []
    assert R.train_bpe("", 260) == []
    assert R.train_bpe("aaaa", 260) == [(97, 97), (256, 256)]  # then one id is left


def test_decode_replaces_invalid_utf8():
    assert R.decode([0xFF, 104, 105], []) == "\ufffdhi"


def test_vocab_size_below_256_raises():
    with pytest.raises(ValueError, match="255"):
        R.train_bpe("hello", 255)
