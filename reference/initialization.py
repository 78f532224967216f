r"""Deterministic GPT-2-style initial parameters.

- token and position embeddings, Wq, Wk, Wv, W1: normal with standard deviation 0.02;
- Wo and W2, the projections that write into the residual stream: 0.02 / √(2 L), so the
  residual stream's variance does not grow with the number of layers L;
- biases 0; LayerNorm gains 1 and shifts 0.
"""

from __future__ import annotations

import math

import numpy as np

from reference.checks import require
from reference.transformer import Params

STD = 0.02


def init_params(
    vocab_size: int, d_model: int, n_layers: int, n_heads: int, d_ff: int, context: int, seed: int
) -> Params:
    """Parameters {"W_tok", "W_pos", "blocks", "lnf_g", "lnf_b"} drawn from ``seed``."""
    require(
        min(vocab_size, d_model, n_layers, n_heads, d_ff, context) >= 1,
        f"sizes must be positive: vocab_size={vocab_size}, d_model={d_model}, "
        f"n_layers={n_layers}, n_heads={n_heads}, d_ff={d_ff}, context={context}",
    )
    require(d_model % n_heads == 0, f"d_model={d_model} must be divisible by n_heads={n_heads}")
    rng = np.random.default_rng(seed)
    out_std = STD / math.sqrt(2 * n_layers)

    def normal(std: float, *shape: int) -> np.ndarray:
        return rng.normal(0.0, std, size=shape)

    params: Params = {
        "W_tok": normal(STD, vocab_size, d_model),
        "W_pos": normal(STD, context, d_model),
        "blocks": [],
        "lnf_g": np.ones(d_model),
        "lnf_b": np.zeros(d_model),
    }
    for _ in range(n_layers):
        params["blocks"].append(
            {
                "ln1_g": np.ones(d_model),
                "ln1_b": np.zeros(d_model),
                "Wq": normal(STD, d_model, d_model),
                "Wk": normal(STD, d_model, d_model),
                "Wv": normal(STD, d_model, d_model),
                "Wo": normal(out_std, d_model, d_model),
                "ln2_g": np.ones(d_model),
                "ln2_b": np.zeros(d_model),
                "W1": normal(STD, d_model, d_ff),
                "b1": np.zeros(d_ff),
                "W2": normal(out_std, d_ff, d_model),
                "b2": np.zeros(d_model),
            }
        )
    return params
