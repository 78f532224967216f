r"""Training a GPT and sampling from it.

- :func:`gpt_loss_and_grads`: mean cross-entropy of the next-token predictions and the
  gradient of every parameter (one forward pass, one backward pass).
- :func:`train`: for each batch of token windows (B, T+1), inputs are the first T tokens and
  targets the last T (the same window shifted by one); one AdamW step per batch.
- :func:`generate`: feed the sequence (its last ``context`` tokens), read the logits of the
  last position, pick the next token greedily (temperature 0) or by sampling, repeat.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference.checks import as_int, require
from reference.losses import cross_entropy_and_grad
from reference.optim import adamw_update
from reference.softmax_ops import softmax
from reference.transformer import (
    Params,
    gpt_backward_from_cache,
    gpt_forward,
    gpt_forward_with_cache,
)


def gpt_loss_and_grads(
    tokens: ArrayLike, targets: ArrayLike, params: Params, n_heads: int
) -> tuple[float, Params]:
    """(loss, grads): loss = cross_entropy(gpt_forward(tokens), targets); grads like params."""
    logits, cache = gpt_forward_with_cache(tokens, params, n_heads)  # (B, T, V)
    loss, grad_logits = cross_entropy_and_grad(logits, targets)
    return loss, gpt_backward_from_cache(params, cache, grad_logits)


def flatten(params: Params) -> dict[str, np.ndarray]:
    """Parameters as one flat dict: "W_tok", "W_pos", "lnf_g", "lnf_b", "blocks.0.Wq", ..."""
    flat = {key: value for key, value in params.items() if key != "blocks"}
    for i, block in enumerate(params["blocks"]):
        for name, value in block.items():
            flat[f"blocks.{i}.{name}"] = value
    return flat


def unflatten(flat: dict[str, np.ndarray]) -> Params:
    """The inverse of :func:`flatten`."""
    params: Params = {"blocks": []}
    for key, value in flat.items():
        if key.startswith("blocks."):
            _, index, name = key.split(".")
            while len(params["blocks"]) <= int(index):
                params["blocks"].append({})
            params["blocks"][int(index)][name] = value
        else:
            params[key] = value
    return params


def train(
    params: Params, batches: ArrayLike, n_heads: int, lr: float, weight_decay: float = 0.01
) -> tuple[Params, list[float]]:
    """AdamW on every batch in turn; returns (new params, losses), losses[i] before step i.

    Adam's moments start at 0, the step count t at 1, and weight decay applies to every
    parameter, as ``torch.optim.AdamW(model.parameters())`` does.
    """
    batches = as_int(batches, "batches")
    require(
        batches.ndim == 3 and batches.shape[2] >= 2,
        f"batches must be int (steps, B, T+1) with T >= 1, got shape {batches.shape}",
    )
    p = flatten(params)
    m = {name: np.zeros_like(value) for name, value in p.items()}
    v = {name: np.zeros_like(value) for name, value in p.items()}
    losses: list[float] = []
    for t, batch in enumerate(batches, start=1):
        inputs, targets = batch[:, :-1], batch[:, 1:]  # (B, T) each, shifted by one
        loss, grads = gpt_loss_and_grads(inputs, targets, unflatten(p), n_heads)
        losses.append(loss)
        g = flatten(grads)
        for name in p:
            p[name], m[name], v[name] = adamw_update(
                p[name], g[name], m[name], v[name], t, lr, weight_decay=weight_decay
            )
    return unflatten(p), losses


def generate(
    params: Params,
    prompt: ArrayLike,
    n_new: int,
    n_heads: int,
    temperature: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """The prompt followed by ``n_new`` generated tokens, as a 1-D int64 array.

    Greedy when temperature is 0: the argmax (lowest index on ties). Otherwise
    probs = softmax(logits / temperature), u = rng.random() from one
    ``rng = np.random.default_rng(seed)``, and the token is the first index whose cumulative
    probability exceeds u (the last index if rounding leaves none).
    """
    tokens = as_int(prompt, "prompt")
    require(tokens.ndim == 1 and tokens.size >= 1, f"prompt must be 1-D, non-empty: {tokens.shape}")
    require(int(n_new) == n_new and n_new >= 0, f"n_new must be an int >= 0, got {n_new}")
    require(temperature >= 0, f"temperature must be >= 0, got {temperature}")
    context = np.shape(params["W_pos"])[0]
    rng = np.random.default_rng(seed)
    for _ in range(int(n_new)):
        window = tokens[-context:]
        logits = gpt_forward(window[None, :], params, n_heads)[0, -1]  # (V,)
        if temperature == 0:
            next_id = int(np.argmax(logits))
        else:
            cumulative = np.cumsum(softmax(logits, temperature=temperature))
            above = np.flatnonzero(cumulative > rng.random())
            next_id = int(above[0]) if above.size else len(logits) - 1
        tokens = np.append(tokens, next_id)
    return tokens
