"""Encode and decode values that cross the worker boundary (and fixture files).

One byte format for everything: a JSON tree describing the structure, followed by one
`.npy` blob per array::

    b"GFC1" | u32 big-endian length of the JSON | JSON | blob 0 | blob 1 | ...

The JSON is ``{"v": node, "b": [len(blob 0), len(blob 1), ...]}`` where a node is
``null``, ``true``/``false``, an int, a float (NaN and infinities allowed), a string, or a
one-key object tagging a container: ``{"list": [...]}``, ``{"tuple": [...]}``,
``{"dict": {key: node}}``, ``{"array": blob_index}``, ``{"function": name}``.

Allowed values: None, bool, int, float, str, list, tuple, dict with str keys, plain
`np.ndarray` of bool/int/uint/float dtype, numpy scalars of those kinds (decoded as Python
`bool`/`int`/`float`) and `FunctionRef`. Types are checked exactly (`type(v) is float`),
so subclasses with lying `__eq__`/`__float__` are refused without calling any of their
methods. Arrays are written as `.npy` version 1.0 (C order), readable by `numpy.load`.
Decoding parses each `.npy` header as the one fixed form numpy writes (a regular
expression, no `eval`: anything else is refused) and checks dtype, shape and size
(against `max_array_bytes`, summed over the blobs) before reading any data, then views
the data with `np.frombuffer` (the equivalent of `allow_pickle=False`: a non-object dtype
is never unpickled) and copies it into a plain, writable, C-ordered ndarray.
Anything else raises `CodecError`, whose message is fit for a student ("returned a Foo
object, expected an array").

This module imports only the standard library and numpy: the worker runs a copy of it.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

MAGIC = b"GFC1"
NPY_MAGIC = b"\x93NUMPY"
NPY_ALIGN = 64  # the .npy format pads its header so the data starts 64-byte aligned
_NPY_HEADER = re.compile(
    r"\{'descr': '(?P<descr>[^']{1,16})', 'fortran_order': (?P<fortran>True|False), "
    r"'shape': \((?P<shape>(?:\d{1,19}, )*(?:\d{1,19},?)?)\), \}[ ]*\n"
)
DEFAULT_MAX_ARRAY_BYTES = 256 * 2**20
MAX_DEPTH = 64
_ALLOWED_KINDS = "biuf"  # bool, signed int, unsigned int, float
_SCALARS = (bool, int, float, str)


class CodecError(ValueError):
    """A value that cannot cross the worker boundary; the message is fit for a student."""


@dataclass(frozen=True)
class FunctionRef:
    """A scalar test function from the fixed table `grader.sandbox.callables.CALLABLES`.

    Calling it calls the table's function, on either side of the boundary.
    """

    name: str

    def __post_init__(self) -> None:
        if self.name not in _callables():
            known = ", ".join(sorted(_callables()))
            raise CodecError(f"unknown callable {self.name!r} (known: {known})")

    def __call__(self, x: Any) -> float:
        return _callables()[self.name](x)


def _callables() -> dict[str, Callable[[Any], float]]:
    from grader.sandbox.callables import CALLABLES  # lazy: grader.sandbox imports us

    return CALLABLES


def describe(value: Any) -> str:
    """A short description of a value for messages: its type name and, if any, its shape."""
    name = type(value).__name__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    text = f"{article} {name} object"
    if isinstance(value, np.ndarray):
        kind = "object" if value.dtype.hasobject else str(value.dtype)
        text += f" (dtype {kind}, shape {tuple(value.shape)})"
    return text


def encode(value: Any) -> bytes:
    """Encode `value` (see the module docstring for what is allowed) to bytes."""
    blobs: list[bytes] = []
    tree = _encode_node(value, blobs, 0)
    header = json.dumps({"v": tree, "b": [len(b) for b in blobs]}, separators=(",", ":"))
    head = header.encode("utf-8")
    return b"".join([MAGIC, struct.pack(">I", len(head)), head, *blobs])


def _encode_node(value: Any, blobs: list[bytes], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CodecError(f"returned a structure nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if value is None or kind in _SCALARS:
        return value
    if kind is list or kind is tuple:
        return {kind.__name__: [_encode_node(v, blobs, depth + 1) for v in value]}
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise CodecError(f"returned a dict with a {type(key).__name__} key {key!r:.40}")
            out[key] = _encode_node(item, blobs, depth + 1)
        return {"dict": out}
    if kind is FunctionRef:
        return {"function": value.name}
    if isinstance(value, np.generic) and not isinstance(value, np.ndarray):
        if kind is np.bool_ or value.dtype.kind in "iuf":
            return value.item()
        raise CodecError(f"returned {describe(value)}, expected a number")
    if kind is np.ndarray:
        if value.dtype.kind not in _ALLOWED_KINDS or value.dtype.fields is not None:
            raise CodecError(f"returned {describe(value)}, expected an array of numbers")
        blobs.append(_npy_bytes(value))
        return {"array": len(blobs) - 1}
    if isinstance(value, np.ndarray):
        raise CodecError(
            f"returned {describe(value)}, a subclass of numpy.ndarray; expected a plain array"
        )
    raise CodecError(f"returned {describe(value)}, expected an array")


def _npy_bytes(array: np.ndarray) -> bytes:
    """`array` as a `.npy` version 1.0 file: magic, version, header length, header, data."""
    shape = repr(tuple(int(n) for n in array.shape))  # "()", "(3,)", "(2, 3)": numpy's form
    header = f"{{'descr': '{array.dtype.str}', 'fortran_order': False, 'shape': {shape}, }}"
    pad = -(len(NPY_MAGIC) + 4 + len(header) + 1) % NPY_ALIGN
    head = (header + " " * pad + "\n").encode("latin1")
    prefix = NPY_MAGIC + b"\x01\x00" + struct.pack("<H", len(head))
    return prefix + head + array.tobytes(order="C")


def decode(data: bytes, *, max_array_bytes: int = DEFAULT_MAX_ARRAY_BYTES) -> Any:
    """Decode bytes made by `encode`, refusing anything malformed with `CodecError`.

    Array headers are checked before any array data is read: the dtype must be
    bool/int/uint/float, and the arrays' total size, prod(shape) * itemsize, at most
    `max_array_bytes` and equal to the bytes actually present.
    """
    view = memoryview(data)
    if len(view) < 8 or bytes(view[:4]) != MAGIC:
        raise CodecError("malformed data: bad magic")
    (head_len,) = struct.unpack(">I", view[4:8])
    if head_len > len(view) - 8:
        raise CodecError("malformed data: header longer than the data")
    try:
        header = json.loads(bytes(view[8 : 8 + head_len]).decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise CodecError(f"malformed data: header is not JSON ({exc.__class__.__name__})") from exc
    if not isinstance(header, dict) or set(header) != {"v", "b"}:
        raise CodecError("malformed data: header must have keys 'v' and 'b'")
    lengths = header["b"]
    if not isinstance(lengths, list) or not all(type(n) is int and n >= 0 for n in lengths):
        raise CodecError("malformed data: blob lengths must be non-negative ints")
    if 8 + head_len + sum(lengths) != len(view):
        raise CodecError("malformed data: blob lengths do not add up to the data size")
    arrays = _decode_arrays(view[8 + head_len :], lengths, max_array_bytes)
    used: set[int] = set()
    value = _decode_node(header["v"], arrays, used, 0)
    if used != set(range(len(arrays))):
        raise CodecError("malformed data: unreferenced or repeated array blobs")
    return value


def _decode_arrays(view: memoryview, lengths: list[int], cap: int) -> list[np.ndarray]:
    arrays = []
    offset = 0
    budget = cap
    for length in lengths:
        blob = view[offset : offset + length]
        offset += length
        array = _decode_array(blob, budget)
        budget -= array.nbytes
        arrays.append(array)
    return arrays


def _decode_array(blob: memoryview, budget: int) -> np.ndarray:
    shape, fortran, dtype, offset = _npy_header(blob)
    if dtype.hasobject or dtype.kind not in _ALLOWED_KINDS or dtype.fields is not None:
        raise CodecError(f"array of dtype {dtype} refused: expected bool, int or float")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > budget:
        raise CodecError(f"array of shape {shape} ({nbytes} bytes) exceeds the size cap")
    if offset + nbytes != len(blob):
        raise CodecError(f"malformed array: header says {nbytes} bytes, blob has a different size")
    array = np.frombuffer(blob, dtype=dtype, count=math.prod(shape), offset=offset)
    shaped = array.reshape(shape, order="F" if fortran else "C")
    return shaped.copy(order="C")  # writable, owns its data, C-ordered


def _npy_header(blob: memoryview) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """(shape, fortran order, dtype, data offset) of a `.npy` blob, version 1.0 or 2.0."""
    version = bytes(blob[6:8])
    if bytes(blob[:6]) != NPY_MAGIC or version not in (b"\x01\x00", b"\x02\x00"):
        raise CodecError("malformed array: not a .npy version 1.0 or 2.0 blob")
    size = 2 if version == b"\x01\x00" else 4
    (head_len,) = struct.unpack("<H" if size == 2 else "<I", blob[8 : 8 + size])
    offset = 8 + size + head_len
    found = _NPY_HEADER.fullmatch(bytes(blob[8 + size : offset]).decode("latin1"))
    if found is None or offset > len(blob):
        raise CodecError("malformed array header")
    shape = tuple(int(n) for n in found["shape"].replace(",", " ").split())
    return shape, found["fortran"] == "True", _dtype(found["descr"]), offset


@lru_cache(maxsize=64)
def _dtype(descr: str) -> np.dtype:
    try:
        return np.dtype(descr)
    except (TypeError, ValueError) as exc:
        raise CodecError(f"malformed array header: dtype {descr!r}") from exc


def _decode_node(node: Any, arrays: list[np.ndarray], used: set[int], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CodecError(f"malformed data: nested more than {MAX_DEPTH} levels deep")
    if node is None or type(node) in _SCALARS:
        return node
    if type(node) is not dict or len(node) != 1:
        raise CodecError("malformed data: a node must be a scalar or a one-key object")
    ((tag, payload),) = node.items()
    if tag in ("list", "tuple") and type(payload) is list:
        items = [_decode_node(v, arrays, used, depth + 1) for v in payload]
        return items if tag == "list" else tuple(items)
    if tag == "dict" and type(payload) is dict:
        return {k: _decode_node(v, arrays, used, depth + 1) for k, v in payload.items()}
    if tag == "array" and type(payload) is int and 0 <= payload < len(arrays):
        if payload in used:
            raise CodecError("malformed data: an array blob is referenced twice")
        used.add(payload)
        return arrays[payload]
    if tag == "function" and type(payload) is str:
        return FunctionRef(payload)
    raise CodecError(f"malformed data: unknown node {tag!r}")
