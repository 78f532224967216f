"""Solutions of exercises 06-11 against independent oracles: PyTorch (double precision),
central differences and numbers worked out by hand (minbpe's test example).

These test the answer keys the students are graded against from a second side: if the
reference and a solution shared a mistake, the in-process check tests would not see it.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ["06_layernorm", "07_bpe", "08_attention", "09_ffn", "10_transformer", "11_training"]


@pytest.fixture(scope="module")
def sol() -> Iterator[dict[str, ModuleType]]:
    """The part-2 solutions by module name, importable by each other as in the worker."""
    paths = [str(ROOT / "solutions" / f) for f in FOLDERS]
    sys.path[:0] = paths
    modules = {}
    for folder in FOLDERS:
        (file,) = [p for p in (ROOT / "solutions" / folder).glob("*.py")]
        spec = importlib.util.spec_from_file_location(file.stem, file)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules[file.stem] = module
    yield modules
    for p in paths:
        sys.path.remove(p)


# --- BPE: numbers from the minbpe test and by hand -------------------------------------


def test_bpe_wikipedia_example_by_hand(sol: dict[str, ModuleType]) -> None:
    bpe = sol["bpe"]
    merges = bpe.train_bpe("aaabdaaabac", 259)
    assert [tuple(m) for m in merges] == [(97, 97), (256, 97), (257, 98)]
    assert bpe.encode("aaabdaaabac", merges) == [258, 100, 258, 97, 99]
    assert bpe.decode([258, 100, 258, 97, 99], merges) == "aaabdaaabac"


def test_bpe_overlaps_ties_and_edges(sol: dict[str, ModuleType]) -> None:
    bpe = sol["bpe"]
    assert bpe.train_bpe("aaaa", 300) == [(97, 97), (256, 256)]  # 3 overlapping (a, a)
    assert bpe.train_bpe("bcbcaaaa", 257) == [(97, 97)]  # 3 beats 2, counting overlaps
    assert bpe.train_bpe("abcd", 257) == [(97, 98)]  # all tied: the first pair
    assert bpe.train_bpe("hello", 256) == []
    with pytest.raises(ValueError):
        bpe.train_bpe("hello", 255)
    assert bpe.decode([104, 105, 255], []) == "hi\ufffd"
    text = "naïve café 日本 🙂🙂"
    merges = bpe.train_bpe(text, 280)
    assert bpe.decode(bpe.encode(text, merges), merges) == text


# --- PyTorch oracles --------------------------------------------------------------------

torch = pytest.importorskip("torch", reason="the PyTorch oracle needs torch")
F = torch.nn.functional


def _t(a: np.ndarray, grad: bool = False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


@pytest.mark.torch
def test_layer_norm_forward_and_backward_match_torch(sol: dict[str, ModuleType]) -> None:
    rng = np.random.default_rng(0)
    x, g, b, up = (
        rng.normal(size=(2, 3, 5)),
        rng.normal(size=5),
        rng.normal(size=5),
        rng.normal(size=(2, 3, 5)),
    )
    tx, tg, tb = _t(x, True), _t(g, True), _t(b, True)
    y = F.layer_norm(tx, (5,), tg, tb, eps=0.1)
    (y * _t(up)).sum().backward()
    ln = sol["layernorm"]
    np.testing.assert_allclose(ln.layer_norm(x, g, b, eps=0.1), y.detach().numpy(), rtol=1e-12)
    gx, gg, gb = ln.layer_norm_backward(x, g, up, eps=0.1)
    for mine, theirs in ((gx, tx), (gg, tg), (gb, tb)):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.torch
def test_attention_matches_torch(sol: dict[str, ModuleType]) -> None:
    rng = np.random.default_rng(1)
    q, k, v = (
        rng.normal(size=(2, 3, 5, 4)),
        rng.normal(size=(2, 3, 5, 4)),
        rng.normal(size=(2, 3, 5, 6)),
    )
    mask = np.tril(np.ones((5, 5), dtype=bool))
    want = F.scaled_dot_product_attention(_t(q), _t(k), _t(v), attn_mask=torch.tensor(mask))
    out, w = sol["attention"].scaled_dot_product_attention(q, k, v, mask)
    np.testing.assert_allclose(out, want.numpy(), rtol=1e-12)
    assert np.all(w[..., ~mask] == 0.0)


@pytest.mark.torch
def test_multi_head_attention_matches_torch(sol: dict[str, ModuleType]) -> None:
    rng = np.random.default_rng(2)
    d, H, T = 8, 4, 6
    x = rng.normal(size=(2, T, d))
    Wq, Wk, Wv, Wo = (rng.normal(size=(d, d)) for _ in range(4))
    mha = torch.nn.MultiheadAttention(d, H, bias=False, batch_first=True, dtype=torch.float64)
    with torch.no_grad():  # torch stores (out, in) weights and splits heads contiguously
        mha.in_proj_weight.copy_(_t(np.concatenate([Wq.T, Wk.T, Wv.T])))
        mha.out_proj.weight.copy_(_t(Wo.T))
    blocked = ~torch.tensor(np.tril(np.ones((T, T), dtype=bool)))  # torch: True = masked
    want, _ = mha(_t(x), _t(x), _t(x), attn_mask=blocked, need_weights=False)
    got = sol["attention"].multi_head_attention(
        x, Wq, Wk, Wv, Wo, H, np.tril(np.ones((T, T), bool))
    )
    np.testing.assert_allclose(got, want.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.torch
def test_ffn_forward_and_backward_match_torch(sol: dict[str, ModuleType]) -> None:
    rng = np.random.default_rng(3)
    x, W1, b1 = rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 16)), rng.normal(size=16)
    W2, b2, up = rng.normal(size=(16, 4)), rng.normal(size=4), rng.normal(size=(2, 3, 4))
    ts = {n: _t(a, True) for n, a in dict(x=x, W1=W1, b1=b1, W2=W2, b2=b2).items()}
    y = F.gelu(ts["x"] @ ts["W1"] + ts["b1"]) @ ts["W2"] + ts["b2"]  # exact GELU by default
    (y * _t(up)).sum().backward()
    ffn = sol["ffn"]
    np.testing.assert_allclose(ffn.ffn(x, W1, b1, W2, b2), y.detach().numpy(), rtol=1e-12)
    grads = ffn.ffn_backward(x, W1, b1, W2, b2, up)
    for name, tensor in ts.items():
        np.testing.assert_allclose(grads[name], tensor.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert ffn.ffn_parameter_count(4096, 16384) == 4096 * 16384 * 2 + 16384 + 4096


@pytest.mark.torch
def test_adamw_matches_torch_over_several_steps(sol: dict[str, ModuleType]) -> None:
    rng = np.random.default_rng(4)
    p0 = rng.normal(size=(3, 4))
    tp = _t(p0, True)
    opt = torch.optim.AdamW([tp], lr=0.05, weight_decay=0.1)
    p, m, v = p0, np.zeros_like(p0), np.zeros_like(p0)
    for t in range(1, 8):
        g = rng.normal(size=(3, 4))
        tp.grad = _t(g)
        opt.step()
        p, m, v = sol["training"].adamw_update(p, g, m, v, t, lr=0.05, weight_decay=0.1)
        np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-12, atol=1e-14)


def _heads(z, n_heads):
    """(B, T, d) -> (B, H, T, d / H), contiguous heads."""
    B, T, d = z.shape
    return z.reshape(B, T, n_heads, d // n_heads).transpose(1, 2)


def _torch_gpt_loss(tokens, targets, tp, n_heads):
    """The contract's GPT written with torch ops, on torch parameters `tp`."""
    T = tokens.shape[1]
    x = tp["W_tok"][tokens] + tp["W_pos"][:T]
    mask = torch.tensor(np.tril(np.ones((T, T), dtype=bool)))
    for p in tp["blocks"]:
        a = F.layer_norm(x, x.shape[-1:], p["ln1_g"], p["ln1_b"], eps=1e-5)
        B, _, d = a.shape
        o = F.scaled_dot_product_attention(
            _heads(a @ p["Wq"], n_heads),
            _heads(a @ p["Wk"], n_heads),
            _heads(a @ p["Wv"], n_heads),
            attn_mask=mask,
        )
        h = x + o.transpose(1, 2).reshape(B, T, d) @ p["Wo"]
        c = F.layer_norm(h, h.shape[-1:], p["ln2_g"], p["ln2_b"], eps=1e-5)
        x = h + F.gelu(c @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    xf = F.layer_norm(x, x.shape[-1:], tp["lnf_g"], tp["lnf_b"], eps=1e-5)
    logits = xf @ tp["W_tok"].T
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


@pytest.mark.torch
def test_gpt_loss_and_grads_match_torch_autograd(sol: dict[str, ModuleType]) -> None:
    rng = np.random.default_rng(5)
    V, d, H, T = 7, 8, 2, 5

    def block() -> dict[str, np.ndarray]:
        shapes = {"ln1_g": (d,), "ln1_b": (d,), "Wq": (d, d), "Wk": (d, d), "Wv": (d, d),
                  "Wo": (d, d), "ln2_g": (d,), "ln2_b": (d,), "W1": (d, 4 * d),
                  "b1": (4 * d,), "W2": (4 * d, d), "b2": (d,)}  # fmt: skip
        return {
            k: rng.normal(size=s) * (0.5 if len(s) == 2 else 0.3) + (k.endswith("_g"))
            for k, s in shapes.items()
        }

    params = {"W_tok": rng.normal(size=(V, d)), "W_pos": rng.normal(size=(T + 2, d)) * 0.5,
              "blocks": [block(), block()], "lnf_g": 1 + 0.3 * rng.normal(size=d),
              "lnf_b": 0.3 * rng.normal(size=d)}  # fmt: skip
    tokens = rng.integers(0, 3, size=(3, T))  # repeated ids: the embedding gradient accumulates
    targets = rng.integers(0, V, size=(3, T))
    tp = {k: _t(v, True) for k, v in params.items() if k != "blocks"}
    tp["blocks"] = [{k: _t(v, True) for k, v in b.items()} for b in params["blocks"]]
    want = _torch_gpt_loss(torch.tensor(tokens), torch.tensor(targets), tp, H)
    want.backward()

    loss, grads = sol["training"].gpt_loss_and_grads(tokens, targets, params, H)
    assert loss == pytest.approx(want.item(), rel=1e-12)
    for k in ("W_tok", "W_pos", "lnf_g", "lnf_b"):
        np.testing.assert_allclose(grads[k], tp[k].grad.numpy(), rtol=1e-9, atol=1e-12)
    for mine, theirs in zip(grads["blocks"], tp["blocks"], strict=True):
        for k, tensor in theirs.items():
            np.testing.assert_allclose(mine[k], tensor.grad.numpy(), rtol=1e-9, atol=1e-12)
    assert np.all(grads["W_pos"][T:] == 0.0)
