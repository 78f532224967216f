"""Contract behaviour: return types, bad arguments raise ValueError, inputs never change."""
# ruff: noqa: E501  (the call tables read best one call per line)

import copy

import numpy as np
import pytest

import reference as R


def test_every_contract_function_is_exported():
    names = """attention_weighting ffn_by_hand dot matvec matmul batched_matmul relu sigmoid tanh
    gelu gelu_tanh neuron dense count_parameters softmax log_softmax cross_entropy
    cross_entropy_grad numerical_gradient linear_backward relu_backward gelu_backward
    mlp_loss_and_grads layer_norm layer_norm_backward train_bpe encode decode causal_mask
    scaled_dot_product_attention multi_head_attention ffn ffn_backward ffn_parameter_count embed
    transformer_block gpt_forward gpt_loss_and_grads adamw_update train generate""".split()
    assert [n for n in names if not callable(getattr(R, n, None))] == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: R.dot([1, 2], [1, 2, 3]), r"\(2,\).*\(3,\)"),
        (lambda: R.matvec(np.ones((2, 3)), np.ones(2)), r"\(2, 3\).*\(2,\)"),
        (lambda: R.matmul(np.ones((2, 3)), np.ones((2, 3))), r"\(2, 3\)"),
        (lambda: R.batched_matmul(np.ones((2, 2, 3)), np.ones((3, 3, 2))), r"\(3, 3, 2\)"),
        (lambda: R.attention_weighting(np.ones((3, 5)), np.ones((4, 4))), r"\(4, 4\)"),
        (lambda: R.dense(np.ones(3), np.ones((3, 2)), np.ones(2), "swish"), "swish"),
        (lambda: R.neuron(np.ones(3), np.ones(3), 0.0, "softplus"), "softplus"),
        (lambda: R.neuron(np.ones(3), np.ones(4), 0.0), r"\(3,\).*\(4,\)"),
        (lambda: R.dense(np.ones((2, 3)), np.ones((4, 2)), np.ones(2)), r"\(4, 2\)"),
        (lambda: R.softmax(np.ones(3), temperature=0.0), "temperature"),
        (lambda: R.softmax(np.ones(3), temperature=-1.0), "temperature"),
        (lambda: R.cross_entropy(np.ones((2, 3)), [0, 1, 2]), r"\(2, 3\).*\(3,\)"),
        (lambda: R.cross_entropy(np.ones((2, 3)), [0, 3]), r"\[0, 3\)"),
        (lambda: R.linear_backward(np.ones((2, 3)), np.ones((3, 4)), np.ones((2, 5))), r"\(2, 5\)"),
        (lambda: R.layer_norm(np.ones((2, 3)), np.ones(4), np.zeros(4)), r"\(4,\)"),
        (lambda: R.train_bpe("abc", 100), "100"),
        (lambda: R.decode([300], []), "300"),
        (lambda: R.scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 3))), r"\(2, 4\)"),
        (lambda: R.multi_head_attention(np.ones((2, 6)), *[np.ones((6, 6))] * 4, n_heads=4), "n_heads=4"),
        (lambda: R.ffn(np.ones((2, 3)), np.ones((4, 5)), np.ones(5), np.ones((5, 3)), np.ones(3)), r"\(4, 5\)"),
        (lambda: R.embed([[0, 9]], np.ones((5, 2)), np.ones((4, 2))), r"\[0, 5\)"),
        (lambda: R.embed([[0, 1, 2, 3, 4]], np.ones((5, 2)), np.ones((4, 2))), "T=5"),
        (lambda: R.adamw_update(np.ones(2), np.ones(3), np.ones(2), np.ones(2), 1, 0.1), r"\(3,\)"),
        (lambda: R.adamw_update(np.ones(2), np.ones(2), np.ones(2), np.ones(2), 0, 0.1), "t starts at 1"),
        (lambda: R.count_parameters([3, 0, 2]), "positive"),
        (lambda: R.causal_mask(0), "T"),
    ],
)  # fmt: skip
def test_bad_arguments_raise_value_error_naming_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_return_types():
    assert type(R.dot([1.0], [2.0])) is float
    assert type(R.neuron([1.0], [1.0], 0.0)) is float
    assert type(R.cross_entropy([[0.0, 1.0]], [1])) is float
    assert type(R.count_parameters([2, 3])) is int
    assert type(R.ffn_parameter_count(2, 3)) is int
    assert type(R.encode("hi", [])) is list
    mask = R.causal_mask(3)
    assert mask.dtype == bool
    np.testing.assert_array_equal(mask, [[1, 0, 0], [1, 1, 0], [1, 1, 1]])


def random_gpt(rng):
    return R.init_params(9, 4, 1, 2, 8, 5, seed=int(rng.integers(100)))


def calls(rng):
    """(function, args) for every contract function, inputs drawn from rng."""
    x = rng.normal(size=(2, 3, 4))
    W, b = rng.normal(size=(4, 4)), rng.normal(size=4)
    params = random_gpt(rng)
    tokens = rng.integers(0, 9, size=(2, 4))
    p, g = rng.normal(size=(3,)), rng.normal(size=(3,))
    m, v = rng.normal(size=(3,)), np.abs(rng.normal(size=(3,)))
    return [
        (R.attention_weighting, (rng.normal(size=(3, 5)), rng.normal(size=(5, 5)))),
        (R.ffn_by_hand, (rng.normal(size=(3, 5)), rng.normal(size=(4, 3)), b, rng.normal(size=(3, 4)), rng.normal(size=3))),
        (R.dot, (b, b)), (R.matvec, (W, b)), (R.matmul, (W, W)), (R.batched_matmul, (x, x.transpose(0, 2, 1))),
        (R.relu, (x,)), (R.sigmoid, (x,)), (R.tanh, (x,)), (R.gelu, (x,)), (R.gelu_tanh, (x,)),
        (R.neuron, (b, b, 0.5)), (R.dense, (x, W, b, "gelu")), (R.count_parameters, ([3, 4, 2],)),
        (R.softmax, (x, 1, 2.0)), (R.log_softmax, (x, 0)),
        (R.cross_entropy, (x, tokens[:, :3] % 4)), (R.cross_entropy_grad, (x, tokens[:, :3] % 4)),
        (R.numerical_gradient, (lambda a: float(np.sum(a**2)), b)),
        (R.linear_backward, (x, W, x)), (R.relu_backward, (x, x)), (R.gelu_backward, (x, x)),
        (R.mlp_loss_and_grads, (x[0], tokens[0, :3] % 4, W, b, W, b)),
        (R.layer_norm, (x, b, b)), (R.layer_norm_backward, (x, b, x)),
        (R.train_bpe, ("hello hello", 260)), (R.encode, ("hello", [(108, 108)])), (R.decode, ([104, 256], [(108, 108)])),
        (R.causal_mask, (3,)), (R.scaled_dot_product_attention, (x, x, x, R.causal_mask(3))),
        (R.multi_head_attention, (x, W, W, W, W, 2, R.causal_mask(3))),
        (R.ffn, (x, W, b, W, b)), (R.ffn_backward, (x, W, b, W, b, x)), (R.ffn_parameter_count, (4, 16)),
        (R.embed, (tokens, params["W_tok"], params["W_pos"])),
        (R.transformer_block, (x, params["blocks"][0], 2)), (R.gpt_forward, (tokens, params, 2)),
        (R.gpt_loss_and_grads, (tokens, tokens, params, 2)),
        (R.adamw_update, (p, g, m, v, 2, 0.1)),
        (R.train, (params, rng.integers(0, 9, size=(2, 2, 5)), 2, 0.01)),
        (R.generate, (params, tokens[0], 3, 2, 0.8, 1)),
    ]  # fmt: skip


def assert_unchanged(arg, saved, where):
    if isinstance(arg, np.ndarray):
        np.testing.assert_array_equal(arg, saved, err_msg=where)
    elif isinstance(arg, dict):
        assert arg.keys() == saved.keys(), where
        for key in arg:
            assert_unchanged(arg[key], saved[key], where)
    elif isinstance(arg, list):
        assert len(arg) == len(saved), where
        for item, item_saved in zip(arg, saved, strict=True):
            assert_unchanged(item, item_saved, where)
    elif not callable(arg):
        assert arg == saved, where


def test_no_function_changes_its_inputs(rng):
    for fn, args in calls(rng):
        before = copy.deepcopy(args)
        fn(*args)
        for arg, saved in zip(args, before, strict=True):
            assert_unchanged(arg, saved, fn.__name__)
