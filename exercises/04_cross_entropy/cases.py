"""Input generators and properties for exercise 04 (instructor side, grader's process)."""

import numpy as np

from grader.spec import Call

STEP = 1e-5  # central-difference step for the gradient property


def _batch(rng: np.random.Generator, shape: tuple[int, ...], classes: int, scale: float) -> dict:
    return {
        "logits": scale * rng.normal(size=(*shape, classes)),
        "targets": rng.integers(0, classes, size=shape),
    }


def batch(rng: np.random.Generator) -> dict:
    """4 positions, 5 classes."""
    return _batch(rng, (4,), 5, 2.0)


def sequence_batch(rng: np.random.Generator) -> dict:
    """(B, T, C) = (2, 3, 5) logits and (2, 3) targets."""
    return _batch(rng, (2, 3), 5, 2.0)


def extreme_logits(rng: np.random.Generator) -> dict:
    """3 positions, 4 classes, logits of ±1e4."""
    return _batch(rng, (3,), 4, 1e4)


def positive_logits(rng: np.random.Generator) -> dict:
    """4 positions, 6 classes, every logit between 0.05 and 1 (scores, not probabilities)."""
    data = _batch(rng, (4,), 6, 1.0)
    data["logits"] = rng.uniform(0.05, 1.0, size=(4, 6))
    return data


def perturbed_losses(rng: np.random.Generator) -> list[Call]:
    """cross_entropy at logits ± STEP in each entry of a (2, 3) input, then the gradient."""
    data = _batch(rng, (2,), 3, 1.0)
    logits, targets = data["logits"], data["targets"]
    calls = []
    for index in np.ndindex(logits.shape):
        for sign in (1.0, -1.0):
            moved = logits.copy()
            moved[index] += sign * STEP
            calls.append(Call("cross_entropy", {"logits": moved, "targets": targets}))
    calls.append(Call("cross_entropy_grad", {"logits": logits, "targets": targets}))
    return calls


def gradient_matches_own_loss(calls: list[Call], outputs: list, expected: list) -> str | None:
    """The gradient equals central differences of the student's own cross_entropy."""
    losses = np.asarray(outputs[:-1], dtype=float)
    grad = np.asarray(outputs[-1], dtype=float)
    shape = np.asarray(calls[-1].kwargs["logits"]).shape
    numeric = ((losses[0::2] - losses[1::2]) / (2 * STEP)).reshape(shape)
    if grad.shape != shape:
        return f"cross_entropy_grad returned shape {grad.shape}, expected {shape}"
    if not np.allclose(grad, numeric, rtol=1e-5, atol=1e-7):
        worst = np.unravel_index(int(np.argmax(np.abs(grad - numeric))), shape)
        return (
            f"cross_entropy_grad disagrees with finite differences of your cross_entropy: "
            f"at {list(worst)} it gives {grad[worst]:.6g}, the loss changes at {numeric[worst]:.6g}"
        )
    return None
