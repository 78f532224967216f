"""Exercise 07: byte-level byte-pair encoding (BPE), as in GPT-2's tokenizer.

Check your work with:  gradeformer check bpe
"""

from __future__ import annotations


def train_bpe(text: str, vocab_size: int) -> list[tuple[int, int]]:
    """Learn vocab_size - 256 merges on the UTF-8 bytes of text.

    Ids 0-255 are the bytes; merge i creates id 256 + i. Each round:
      1. count every adjacent pair of ids, overlaps included ("aaa" holds (97, 97) twice);
      2. take the most frequent pair; on a tie, the pair whose first occurrence comes first;
      3. replace it by the new id, scanning left to right without overlap.
    Stop early only when fewer than two ids are left. Raise ValueError if vocab_size < 256.

    Returns the merges in the order learned, as a list of (int, int) pairs.

    Example:
        >>> train_bpe("aaabdaaabac", 259)
        [(97, 97), (256, 97), (257, 98)]
    """
    raise NotImplementedError


def encode(text: str, merges: list[tuple[int, int]]) -> list[int]:
    """The token ids of text: its UTF-8 bytes, then the merges replayed.

    Repeatedly find, among the adjacent pairs of the current ids, the one learned earliest
    (lowest index in merges) and replace all its occurrences left to right by 256 + index;
    stop when no adjacent pair is a learned merge. merges is what train_bpe returned (pairs
    may arrive as tuples or as 2-element lists).

    Example:
        >>> encode("aaabdaaabac", [(97, 97), (256, 97), (257, 98)])
        [258, 100, 258, 97, 99]
    """
    raise NotImplementedError


def decode(ids: list[int], merges: list[tuple[int, int]]) -> str:
    """The text of ids: each id's bytes (id 256 + i is the bytes of merge i's two ids joined),
    all concatenated, then decoded as UTF-8 with errors="replace" (bad bytes become U+FFFD).

    Example:
        >>> decode([258, 100, 258, 97, 99], [(97, 97), (256, 97), (257, 98)])
        'aaabdaaabac'
        >>> decode([104, 105, 255], [])
        'hi�'
    """
    raise NotImplementedError
