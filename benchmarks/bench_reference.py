"""Benchmark the reference: one training step of the tiny GPT beside PyTorch, and BPE training.

Run on demand (not collected by pytest):

    python benchmarks/bench_reference.py            # BLAS pinned to 1 thread, torch too
    python benchmarks/bench_reference.py --default-threads

One step = forward + backward + AdamW on a batch (8, 32) of the tiny config (d_model 32,
2 layers, 2 heads, d_ff 128, byte vocabulary 256). Both implementations start from the same
parameters and see the same batches, in the same process; their runs are interleaved so that
a busy machine slows both alike. With threads pinned to 1 the clock is the process's CPU
time (robust to other processes on a shared machine), otherwise wall time. The figure is the
median over repeats of the mean step time.
BPE: ``reference.train_bpe`` on ~100 KB of the corpus beside the textbook minbpe-style loop
(a dict counted pair by pair), on the same text.
"""

from __future__ import annotations

import argparse
import os
import sys

if "--default-threads" not in sys.argv:  # must happen before NumPy loads OpenBLAS
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["MKL_NUM_THREADS"] = "1"

import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

import reference as R  # noqa: E402
from reference.training import flatten, unflatten  # noqa: E402

CONFIG = R.corpus.TINY_CONFIG
BATCH, LR, N_HEADS = 8, 3e-3, CONFIG["n_heads"]


CLOCK = time.perf_counter if "--default-threads" in sys.argv else time.process_time


def timed(fn: Callable[[], object], repeats: int) -> float:
    """Median time of ``fn`` over ``repeats`` runs, in seconds (CPU time when single-threaded)."""
    times = []
    for _ in range(repeats):
        start = CLOCK()
        fn()
        times.append(CLOCK() - start)
    return statistics.median(times)


def reference_steps(params: R.transformer.Params, batches: np.ndarray) -> Callable[[], object]:
    return lambda: R.train(params, batches, N_HEADS, LR)


def torch_steps(params: R.transformer.Params, batches: np.ndarray) -> Callable[[], object]:
    """The same steps in PyTorch eager (float64, CPU): autograd + torch.optim.AdamW."""
    import torch
    import torch.nn.functional as F

    def run() -> None:
        leaves = {k: torch.tensor(v, requires_grad=True) for k, v in flatten(params).items()}
        p = unflatten(leaves)
        opt = torch.optim.AdamW(list(leaves.values()), lr=LR, weight_decay=0.01)
        T = batches.shape[2] - 1
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
        for batch in torch.from_numpy(batches):
            tokens, targets = batch[:, :-1], batch[:, 1:]
            x = p["W_tok"][tokens] + p["W_pos"][:T]
            for b in p["blocks"]:
                d = x.shape[-1]
                a = F.layer_norm(x, (d,), b["ln1_g"], b["ln1_b"], eps=1e-5)
                q, k, v = (
                    (a @ b[W]).unflatten(-1, (N_HEADS, -1)).transpose(1, 2)
                    for W in ("Wq", "Wk", "Wv")
                )
                att = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
                x = x + att.transpose(1, 2).flatten(-2) @ b["Wo"]
                c = F.layer_norm(x, (d,), b["ln2_g"], b["ln2_b"], eps=1e-5)
                x = x + F.gelu(c @ b["W1"] + b["b1"]) @ b["W2"] + b["b2"]
            x = F.layer_norm(x, (x.shape[-1],), p["lnf_g"], p["lnf_b"], eps=1e-5)
            logits = x @ p["W_tok"].T
            loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
            opt.zero_grad()
            loss.backward()
            opt.step()

    return run


def minbpe_style_train(text: str, vocab_size: int) -> list[tuple[int, int]]:
    """The textbook loop (minbpe's get_stats / merge), the BPE baseline."""
    ids = list(text.encode("utf-8"))
    merges = []
    for new_id in range(256, vocab_size):
        counts: dict[tuple[int, int], int] = {}
        for pair in zip(ids, ids[1:], strict=False):
            counts[pair] = counts.get(pair, 0) + 1
        if not counts:
            break
        best = max(counts, key=counts.__getitem__)
        out, i = [], 0
        while i < len(ids):
            if i < len(ids) - 1 and ids[i] == best[0] and ids[i + 1] == best[1]:
                out.append(new_id)
                i += 2
            else:
                out.append(ids[i])
                i += 1
        ids = out
        merges.append(best)
    return merges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--default-threads", action="store_true", help="leave BLAS threads alone")
    parser.add_argument("--steps", type=int, default=10, help="training steps per timed run")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per implementation")
    parser.add_argument("--merges", type=int, default=64, help="BPE merges to learn")
    args = parser.parse_args()

    params = R.init_params(seed=0, **CONFIG)
    ids = R.corpus.corpus_ids(4000, seed=0)
    batches = R.corpus.make_batches(ids, args.steps, BATCH, CONFIG["context"], seed=1)
    rows: list[tuple[str, float, float, str]] = []

    ours = reference_steps(params, batches)
    ours()  # warm up
    try:
        import torch
    except ImportError:
        theirs = None
        print("torch is not installed: reporting the reference alone")
    else:
        if not args.default_threads:
            torch.set_num_threads(1)
        theirs = torch_steps(params, batches)
        theirs()
    ours_times, theirs_times = [], []
    for _ in range(args.repeats):  # interleaved, so that background load hits both
        ours_times.append(timed(ours, 1) / args.steps)
        if theirs is not None:
            theirs_times.append(timed(theirs, 1) / args.steps)
    step_ours = statistics.median(ours_times)
    step_theirs = statistics.median(theirs_times) if theirs_times else float("nan")
    rows.append(("GPT training step (ms)", step_ours * 1e3, step_theirs * 1e3, "torch eager"))

    text = R.corpus.make_corpus(4000, seed=0)  # ~100 KB
    vocab_size = 256 + args.merges
    assert R.train_bpe(text, vocab_size) == minbpe_style_train(text, vocab_size)
    bpe_ours = timed(lambda: R.train_bpe(text, vocab_size), 3)
    bpe_base = timed(lambda: minbpe_style_train(text, vocab_size), 3)
    rows.append((f"BPE {args.merges} merges on {len(text) / 1e3:.0f} KB (s)", bpe_ours, bpe_base,
                 "minbpe-style loop"))  # fmt: skip

    threads = "default, wall time" if args.default_threads else "1, CPU time"
    print(f"tiny GPT {CONFIG}, batch {BATCH}; BLAS/torch threads: {threads}")
    print(f"{'benchmark':34s} {'reference':>10s} {'baseline':>10s} {'ratio':>7s}  baseline")
    for name, a, b, base in rows:
        print(f"{name:34s} {a:10.3f} {b:10.3f} {a / b:7.2f}  {base}")
    print("ratio = reference / baseline (below 1: the reference is faster)")


if __name__ == "__main__":
    main()
