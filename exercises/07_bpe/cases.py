"""Inputs for the BPE checks (instructor side). Merges are passed as lists of int pairs."""

from __future__ import annotations

import numpy as np

import reference
from grader.spec import Call

WIKIPEDIA = "aaabdaaabac"
UNICODE = "naïve café, Ünïcödé 日本語 and emoji 🙂🙂🚀 — 🙂 again, café 日本"


def _merges(text: str, vocab_size: int) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in reference.train_bpe(text, vocab_size)]


def wikipedia_encode(rng: np.random.Generator) -> dict:
    """encode("aaabdaaabac") with the three merges learned on it."""
    return {"text": WIKIPEDIA, "merges": _merges(WIKIPEDIA, 259)}


def wikipedia_decode(rng: np.random.Generator) -> dict:
    """decode([258, 100, 258, 97, 99]) with the three merges learned on "aaabdaaabac"."""
    return {"ids": [258, 100, 258, 97, 99], "merges": _merges(WIKIPEDIA, 259)}


def empty_text(rng: np.random.Generator) -> list[Call]:
    """Train on "", then encode "" and decode [] with merges from another text."""
    merges = _merges(WIKIPEDIA, 259)
    return [
        Call("train_bpe", {"text": "", "vocab_size": 300}),
        Call("encode", {"text": "", "merges": merges}),
        Call("decode", {"ids": [], "merges": merges}),
    ]


def overlap_beats_tie(rng: np.random.Generator) -> dict:
    """Text "bcbc" then 4 or 5 a's: (a, a) occurs 3 or 4 times counting overlaps, (b, c) twice;
    without overlaps (a, a) counts 2, ties with (b, c) and loses to it."""
    return {"text": "bcbc" + "a" * int(rng.integers(4, 6)), "vocab_size": 258}


def all_ties(rng: np.random.Generator) -> dict:
    """Text whose pairs all occur once: the first pair must win every round."""
    letters = rng.permutation(list("abcdefghijklmnop"))
    return {"text": "".join(letters), "vocab_size": 262}


def _corpus(rng: np.random.Generator, alphabet: str, length: int) -> str:
    weights = rng.dirichlet(np.ones(len(alphabet)) * 0.7)
    return "".join(rng.choice(list(alphabet), size=length, p=weights))


def random_corpus(rng: np.random.Generator) -> dict:
    """300 characters from a skewed 5-letter alphabet with spaces; 30 merges."""
    return {"text": _corpus(rng, "abcd ", 300), "vocab_size": 286}


def runs_corpus(rng: np.random.Generator) -> dict:
    """Runs of repeated letters ("aaaa", "bbb"), where overlapping pairs matter; 12 merges."""
    pieces = [
        str(c) * int(n)
        for c, n in zip(rng.choice(list("abc"), 40), rng.integers(1, 6, 40), strict=True)
    ]
    return {"text": "".join(pieces), "vocab_size": 268}


def unicode_corpus(rng: np.random.Generator) -> dict:
    """Accented letters, CJK and emoji (multi-byte UTF-8); 20 merges."""
    return {"text": UNICODE * 2, "vocab_size": 276}


def merge_order_matters(rng: np.random.Generator) -> dict:
    """Merges (a, b) then (b, c) on "abcbcbc": (b, c) is the most frequent pair, but (a, b) was
    learned first, so it must be applied first."""
    merges = [(97, 98), (98, 99)]
    return {"text": "abcbcbc" * int(rng.integers(1, 3)), "merges": merges}


def encode_random(rng: np.random.Generator) -> dict:
    """Merges learned on one random corpus applied to another from the same alphabet."""
    merges = _merges(_corpus(rng, "abcd ", 300), 296)
    return {"text": _corpus(rng, "abcd ", 120), "merges": merges}


def unicode_round_trip(rng: np.random.Generator) -> list[Call]:
    """Encode unicode text with merges learned on it, and decode the reference's ids."""
    merges = _merges(UNICODE, 290)
    text = UNICODE[int(rng.integers(0, 10)) :]
    ids = [int(i) for i in reference.encode(text, merges)]
    return [
        Call("encode", {"text": text, "merges": merges}),
        Call("decode", {"ids": ids, "merges": merges}),
    ]


def text_round_trips(calls: list[Call], outputs: list, expected: list) -> str | None:
    """encode gives the reference's ids, and decoding those ids gives the text back."""
    text = calls[0].kwargs["text"]
    if list(np.asarray(outputs[0]).ravel()) != list(expected[0]):
        return "encode of a text with accents, CJK and emoji does not give the expected ids"
    if outputs[1] != text:
        return f"decode(encode(text)) gave {str(outputs[1])[:40]!r}..., not the text back"
    return None


def invalid_utf8(rng: np.random.Generator) -> list[Call]:
    """Byte 255 never occurs in UTF-8; the first two bytes of an emoji are an unfinished char."""
    return [
        Call("decode", {"ids": [104, 105, 255, 33], "merges": []}),
        Call("decode", {"ids": [97, 0xF0, 0x9F], "merges": []}),
    ]


def split_character(rng: np.random.Generator) -> dict:
    """Ids where one token ends in the middle of a multi-byte character and the next completes
    it: the bytes must be joined before decoding."""
    merges = [(0xC3, 0xA9), (97, 0xF0)]  # "é" as one token; "a" + the first byte of an emoji
    return {"ids": [256, 99, 257, 0x9F, 0x99, 0x82, 256], "merges": merges}
