r"""Byte-pair encoding (BPE), byte-level, exactly as minbpe's ``BasicTokenizer``.

Text is first turned into its UTF-8 bytes, so ids 0–255 are the 256 possible bytes and any
string can be encoded. Training then repeats, ``vocab_size − 256`` times:

1. count every adjacent pair of ids (overlaps included: "aaa" holds the pair (a, a) twice);
2. take the most frequent pair; on a tie, the pair that occurs first in the sequence;
3. give it the next id (256, 257, ...) and replace it left to right, without overlap
   ("aaa" with (a, a) -> Z becomes "Z a").

Worked example, "aaabdaaabac" with vocab_size 259:
counts (a,a)=4, (a,b)=2, ... -> (97, 97) becomes 256: [256, 97, 98, 100, 256, 97, 98, 97, 99];
then (256, 97) -> 257: [257, 98, 100, 257, 98, 97, 99]; then (257, 98) -> 258:
[258, 100, 258, 97, 99].

Encoding applies the learned merges to new text, always the earliest-learned merge first;
decoding maps every id back to its bytes and decodes UTF-8 (invalid bytes become U+FFFD).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from reference.checks import require

Pair = tuple[int, int]


def pair_counts(ids: Sequence[int]) -> Counter[Pair]:
    """How often each adjacent pair occurs, in order of first occurrence (overlaps counted)."""
    return Counter(zip(ids, ids[1:], strict=False))


def merge(ids: Sequence[int], pair: Pair, new_id: int) -> list[int]:
    """Replace every occurrence of ``pair`` in ``ids`` by ``new_id``, left to right."""
    out: list[int] = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def train_bpe(text: str, vocab_size: int) -> list[tuple[int, int]]:
    """Learn ``vocab_size − 256`` merges on ``text``; merge i creates id 256 + i."""
    require(vocab_size >= 256, f"vocab_size must be >= 256 (the byte ids), got {vocab_size}")
    ids = list(text.encode("utf-8"))
    merges: list[tuple[int, int]] = []
    for new_id in range(256, vocab_size):
        counts = pair_counts(ids)
        if not counts:
            break  # a single id left: nothing more to merge
        best = max(counts, key=counts.__getitem__)  # max keeps the first of equal counts
        ids = merge(ids, best, new_id)
        merges.append((int(best[0]), int(best[1])))
    return merges


def encode(text: str, merges: Sequence[tuple[int, int]]) -> list[int]:
    """Token ids of ``text``: its UTF-8 bytes, then the learned merges, earliest first."""
    rank = {tuple(pair): i for i, pair in enumerate(merges)}
    ids = list(text.encode("utf-8"))
    while len(ids) >= 2:
        present = [p for p in pair_counts(ids) if p in rank]
        if not present:
            break
        earliest = min(present, key=rank.__getitem__)
        ids = merge(ids, earliest, 256 + rank[earliest])
    return ids


def vocabulary(merges: Sequence[tuple[int, int]]) -> dict[int, bytes]:
    """The bytes each id stands for: ids 0–255 are single bytes, 256 + i joins merge i's pair."""
    vocab = {i: bytes([i]) for i in range(256)}
    for i, (a, b) in enumerate(merges):
        require(
            a in vocab and b in vocab,
            f"merge {i} = ({a}, {b}) uses an id not defined before it (ids < {256 + i})",
        )
        vocab[256 + i] = vocab[a] + vocab[b]
    return vocab


def decode(ids: Sequence[int], merges: Sequence[tuple[int, int]]) -> str:
    """The text of ``ids``: concatenate their bytes, decode UTF-8 with errors="replace"."""
    vocab = vocabulary(merges)
    unknown = [int(i) for i in ids if int(i) not in vocab]
    require(not unknown, f"ids {unknown[:5]} are not in a vocabulary of {len(vocab)} tokens")
    return b"".join(vocab[int(i)] for i in ids).decode("utf-8", errors="replace")
