"""Known mistakes in exercise 00, one bug each (instructor side; numpy only)."""

import numpy as np


def attention_transposed(X, A):
    """Uses the ROWS of A as the weights of each output position: X @ A.T."""
    return np.asarray(X, dtype=float) @ np.asarray(A, dtype=float).T


def ffn_no_relu(Z, W1, b1, W2, b2):
    """Forgets the ReLU between the two layers."""
    Z, W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (Z, W1, b1, W2, b2))
    return W2 @ (W1 @ Z + b1[:, None]) + b2[:, None]


def ffn_relu_before_bias(Z, W1, b1, W2, b2):
    """Applies ReLU to W1 @ Z and only then adds b1."""
    Z, W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (Z, W1, b1, W2, b2))
    return W2 @ (np.maximum(W1 @ Z, 0.0) + b1[:, None]) + b2[:, None]


def ffn_relu_on_output(Z, W1, b1, W2, b2):
    """Applies ReLU after the second layer as well."""
    Z, W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (Z, W1, b1, W2, b2))
    hidden = np.maximum(W1 @ Z + b1[:, None], 0.0)
    return np.maximum(W2 @ hidden + b2[:, None], 0.0)
