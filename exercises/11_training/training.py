"""Exercise 11: train the GPT of exercise 10 with backpropagation and AdamW, then generate.

You may import your own earlier modules, for example:
    from layernorm import layer_norm, layer_norm_backward
    from attention import causal_mask, multi_head_attention
    from ffn import ffn, ffn_backward
    from transformer import embed, transformer_block, gpt_forward

Check your work with:  gradeformer check training
"""

from __future__ import annotations

from typing import Any

import numpy as np


def gpt_loss_and_grads(
    tokens: np.ndarray, targets: np.ndarray, params: dict[str, Any], n_heads: int
) -> tuple[float, dict[str, Any]]:
    """The mean cross-entropy of gpt_forward(tokens, params, n_heads) against targets, and the
    gradient of that loss with respect to every parameter.

        loss = -mean over all B*T positions of log softmax(logits)[target]
        dL/dlogits = (softmax(logits) - onehot(targets)) / (B*T)

    grads has exactly the structure of params: {"W_tok", "W_pos", "blocks": [{...}, ...],
    "lnf_g", "lnf_b"}, every array shaped like its parameter. W_tok is used twice (embedding
    and tied head): its gradient is the sum of both parts. Rows of W_pos at or beyond T get 0.
    You will need the backward pass of multi-head attention (no earlier exercise has it).

    Shapes: tokens, targets (B, T) int. Returns (float, dict).

    Example:
        >>> loss, grads = gpt_loss_and_grads(tokens, targets, params, n_heads=2)
        >>> grads["blocks"][0]["Wq"].shape == params["blocks"][0]["Wq"].shape
        True
    """
    raise NotImplementedError


def adamw_update(
    p: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.01,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One AdamW step for one parameter array, as torch.optim.AdamW (t counts from 1):

        p     <- p - lr * weight_decay * p                  decoupled weight decay
        m     <- beta1 * m + (1 - beta1) * g
        v     <- beta2 * v + (1 - beta2) * g**2
        m_hat  = m / (1 - beta1**t),  v_hat = v / (1 - beta2**t)
        p     <- p - lr * m_hat / (sqrt(v_hat) + eps)

    Returns the new (p, m, v), all shaped like p; do not change the inputs in place.

    Example:
        >>> adamw_update(np.array([1.0]), np.array([0.5]), np.zeros(1), np.zeros(1), t=1, lr=0.1)
        (array([0.899]), array([0.05]), array([0.00025]))
    """
    raise NotImplementedError


def train(
    params: dict[str, Any],
    batches: np.ndarray,
    n_heads: int,
    lr: float,
    weight_decay: float = 0.01,
) -> tuple[dict[str, Any], list[float]]:
    """Train with one AdamW step per batch; return (the new params, the losses).

    batches is int (steps, B, T+1): for each batch, inputs = batch[:, :-1] and
    targets = batch[:, 1:]. Adam's m and v start at zero for every parameter, t counts
    1, 2, ..., weight decay applies to every parameter, and losses[i] is the loss of step i
    computed before that step's update. Do not change params in place.

    Example:
        >>> new_params, losses = train(params, batches, n_heads=2, lr=0.01)
        >>> len(losses) == batches.shape[0]
        True
    """
    raise NotImplementedError


def generate(
    params: dict[str, Any],
    prompt: np.ndarray,
    n_new: int,
    n_heads: int,
    temperature: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """Continue prompt (1-D int) by n_new tokens; return the prompt and the new tokens, 1-D int.

    Each step feeds the last W_pos.shape[0] tokens to gpt_forward and reads the logits of the
    last position.
    temperature == 0: the argmax (the lowest index on ties).
    temperature > 0:  probs = softmax(logits / temperature); draw u = rng.random() from ONE
                      rng = np.random.default_rng(seed) made before the loop; the token is
                      the first index whose cumulative probability exceeds u (the last index
                      if none does).
    temperature < 0:  raise ValueError.

    Example:
        >>> generate(params, np.array([3, 1]), n_new=4, n_heads=2).shape
        (6,)
    """
    raise NotImplementedError
