"""Byte-level byte-pair encoding: train merges, encode text, decode ids."""

from __future__ import annotations


def _pair_counts(ids: list[int]) -> dict[tuple[int, int], int]:
    """Counts of adjacent pairs, overlaps included, in order of first occurrence."""
    counts: dict[tuple[int, int], int] = {}
    for pair in zip(ids, ids[1:], strict=False):
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def _merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace each occurrence of pair by new_id, scanning left to right without overlap."""
    out = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def train_bpe(text: str, vocab_size: int) -> list[tuple[int, int]]:
    """Learn vocab_size - 256 merges on the UTF-8 bytes of text; merge i creates id 256 + i.

    Each round merges the most frequent adjacent pair; on a tie, the one seen first.
    """
    if vocab_size < 256:
        raise ValueError(f"vocab_size must be at least 256 (the byte ids), got {vocab_size}")
    ids = list(text.encode("utf-8"))
    merges: list[tuple[int, int]] = []
    for new_id in range(256, vocab_size):
        counts = _pair_counts(ids)
        if not counts:
            break
        best = max(counts, key=lambda p: counts[p])  # max keeps the first of equal counts
        ids = _merge(ids, best, new_id)
        merges.append(best)
    return merges


def encode(text: str, merges: list[tuple[int, int]]) -> list[int]:
    """The ids of text: its UTF-8 bytes with the merges applied, earliest-learned first."""
    rank = {(int(a), int(b)): i for i, (a, b) in enumerate(merges)}
    ids = list(text.encode("utf-8"))
    while len(ids) >= 2:
        present = [p for p in _pair_counts(ids) if p in rank]
        if not present:
            break
        pair = min(present, key=lambda p: rank[p])
        ids = _merge(ids, pair, 256 + rank[pair])
    return ids


def decode(ids: list[int], merges: list[tuple[int, int]]) -> str:
    """The text of ids: join every token's bytes, then decode UTF-8 (bad bytes become U+FFFD)."""
    vocab = {i: bytes([i]) for i in range(256)}
    for i, (a, b) in enumerate(merges):
        vocab[256 + i] = vocab[int(a)] + vocab[int(b)]
    return b"".join(vocab[int(i)] for i in ids).decode("utf-8", errors="replace")
