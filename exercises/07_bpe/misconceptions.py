"""Known BPE mistakes, one bug each (instructor side; self-contained, no imports needed)."""


def _merge(ids, pair, new_id):
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def _counts(ids):
    counts = {}
    for pair in zip(ids, ids[1:], strict=False):
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def _train(text, vocab_size, count, pick):
    if vocab_size < 256:
        raise ValueError(f"vocab_size must be at least 256, got {vocab_size}")
    ids, merges = list(text.encode("utf-8")), []
    for new_id in range(256, vocab_size):
        counts = count(ids)
        if not counts:
            break
        best = pick(counts)
        ids = _merge(ids, best, new_id)
        merges.append(best)
    return merges


def _first_max(counts):
    return max(counts, key=lambda p: counts[p])


def _counts_without_overlap(ids):
    """Bug: like str.count, a pair overlapping the previous occurrence is not counted."""
    counts, last = {}, {}
    for i, pair in enumerate(zip(ids, ids[1:], strict=False)):
        if last.get(pair) == i - 1:
            continue
        last[pair] = i
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def _last_max(counts):
    """Bug: `>=` keeps the last of the tied pairs instead of the first."""
    best, best_count = None, -1
    for pair, c in counts.items():
        if c >= best_count:
            best, best_count = pair, c
    return best


def train_bpe_no_overlap(text, vocab_size):
    """Bug: "aaaa" counted as 2 pairs (a, a) instead of 3."""
    return _train(text, vocab_size, _counts_without_overlap, _first_max)


def train_bpe_ties_last(text, vocab_size):
    """Bug: ties go to the pair seen last."""
    return _train(text, vocab_size, _counts, _last_max)


def encode_by_frequency(text, merges):
    """Bug: applies the most frequent known pair first instead of the earliest-learned merge."""
    rank = {(int(a), int(b)): i for i, (a, b) in enumerate(merges)}
    ids = list(text.encode("utf-8"))
    while len(ids) >= 2:
        counts = {p: c for p, c in _counts(ids).items() if p in rank}
        if not counts:
            break
        pair = _first_max(counts)
        ids = _merge(ids, pair, 256 + rank[pair])
    return ids


def decode_token_by_token(ids, merges):
    """Bug: decodes each token's bytes on its own, breaking characters split across tokens."""
    vocab = {i: bytes([i]) for i in range(256)}
    for i, (a, b) in enumerate(merges):
        vocab[256 + i] = vocab[int(a)] + vocab[int(b)]
    return "".join(vocab[int(i)].decode("utf-8", errors="replace") for i in ids)
