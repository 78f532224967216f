r"""Backpropagation through a two-layer MLP classifier, by the chain rule, layer by layer.

Forward (x: (N, d_in), targets: (N,) class ids):

    h_pre  = x W1 + b1           (N, d_hidden)
    h      = ReLU(h_pre)         (N, d_hidden)
    logits = h W2 + b2           (N, C)
    L      = cross_entropy(logits, targets)

Backward, each step one local derivative times the gradient arriving from above:

    ∂L/∂logits = (softmax(logits) − onehot(targets)) / N
    ∂L/∂h, ∂L/∂W2, ∂L/∂b2 = linear_backward(h, W2, ∂L/∂logits)
    ∂L/∂h_pre  = ∂L/∂h ⊙ [h_pre > 0]
    _, ∂L/∂W1, ∂L/∂b1 = linear_backward(x, W1, ∂L/∂h_pre)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference.activations import relu, relu_backward
from reference.layers import linear, linear_backward
from reference.losses import cross_entropy, cross_entropy_grad


def mlp_loss_and_grads(
    x: ArrayLike, targets: ArrayLike, W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike
) -> tuple[float, dict[str, np.ndarray]]:
    """Mean cross-entropy of relu(x W1 + b1) W2 + b2 and its gradients {"W1","b1","W2","b2"}."""
    h_pre = linear(x, W1, b1)  # (..., d_hidden)
    h = relu(h_pre)
    logits = linear(h, W2, b2)  # (..., C)
    loss = cross_entropy(logits, targets)

    grad_logits = cross_entropy_grad(logits, targets)
    grad_h, grad_W2, grad_b2 = linear_backward(h, W2, grad_logits)
    grad_h_pre = relu_backward(h_pre, grad_h)
    _, grad_W1, grad_b1 = linear_backward(x, W1, grad_h_pre)
    return loss, {"W1": grad_W1, "b1": grad_b1, "W2": grad_W2, "b2": grad_b2}
