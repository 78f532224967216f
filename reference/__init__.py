"""The answer key: a clean NumPy transformer, forward and backward, BPE, training.

Every function of the student API contract (docs/contract.md) is exported here under its
contract name, so ``reference`` is itself a complete submission; the backward passes,
the initialiser and the tiny corpus are exported beside them.
"""

from reference import corpus
from reference.activations import (
    erf,
    erfc,
    gelu,
    gelu_backward,
    gelu_tanh,
    gelu_tanh_backward,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    tanh,
    tanh_backward,
)
from reference.attention import (
    causal_mask,
    multi_head_attention,
    multi_head_attention_backward,
    scaled_dot_product_attention,
    scaled_dot_product_attention_backward,
)
from reference.backprop import mlp_loss_and_grads
from reference.bpe import decode, encode, train_bpe
from reference.dot_product import batched_matmul, dot, matmul, matvec
from reference.feedforward import ffn, ffn_backward, ffn_parameter_count
from reference.gradcheck import numerical_gradient, rel_error
from reference.initialization import init_params
from reference.layernorm import layer_norm, layer_norm_backward
from reference.layers import count_parameters, dense, linear, linear_backward, neuron
from reference.losses import cross_entropy, cross_entropy_and_grad, cross_entropy_grad
from reference.optim import adamw_update
from reference.robtimus import attention_weighting, ffn_by_hand
from reference.softmax_ops import log_softmax, log_softmax_backward, softmax, softmax_backward
from reference.training import generate, gpt_loss_and_grads, train
from reference.transformer import (
    embed,
    embed_backward,
    gpt_backward,
    gpt_forward,
    transformer_block,
    transformer_block_backward,
)

__all__ = [
    # 00 robtimus
    "attention_weighting", "ffn_by_hand",
    # 01 dot_product
    "dot", "matvec", "matmul", "batched_matmul",
    # 02 neuron
    "relu", "sigmoid", "tanh", "gelu", "gelu_tanh", "neuron", "dense", "count_parameters",
    # 03 softmax
    "softmax", "log_softmax",
    # 04 cross_entropy
    "cross_entropy", "cross_entropy_grad",
    # 05 backprop
    "numerical_gradient", "linear_backward", "relu_backward", "gelu_backward",
    "mlp_loss_and_grads",
    # 06 layernorm
    "layer_norm", "layer_norm_backward",
    # 07 bpe
    "train_bpe", "encode", "decode",
    # 08 attention
    "causal_mask", "scaled_dot_product_attention", "multi_head_attention",
    # 09 ffn
    "ffn", "ffn_backward", "ffn_parameter_count",
    # 10 transformer
    "embed", "transformer_block", "gpt_forward",
    # 11 training
    "gpt_loss_and_grads", "adamw_update", "train", "generate",
    # beyond the contract: backward passes, helpers, initialisation, corpus
    "erf", "erfc", "linear", "rel_error", "cross_entropy_and_grad",
    "sigmoid_backward", "tanh_backward", "gelu_tanh_backward",
    "softmax_backward", "log_softmax_backward",
    "scaled_dot_product_attention_backward", "multi_head_attention_backward",
    "embed_backward", "transformer_block_backward", "gpt_backward",
    "init_params", "corpus",
]  # fmt: skip
