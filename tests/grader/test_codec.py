"""The codec: what crosses the worker boundary, and what is refused before it is read."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import numpy.lib.format as npy_format
import pytest

from grader.codec import CodecError, FunctionRef, decode, encode


def _roundtrip(value: object) -> object:
    return decode(encode(value))


def test_nested_structure_round_trips_with_types_kept() -> None:
    value = {"loss": 1.5, "grads": [np.arange(6.0).reshape(2, 3), (1, True, None, "ab")]}
    back = _roundtrip(value)
    assert isinstance(back, dict) and back["loss"] == 1.5
    grads = back["grads"]
    assert isinstance(grads, list) and isinstance(grads[1], tuple)
    assert grads[1] == (1, True, None, "ab") and type(grads[1][1]) is bool
    np.testing.assert_array_equal(grads[0], [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "uint8", "bool"])
def test_arrays_keep_dtype_and_shape(dtype: str) -> None:
    array = (np.arange(12) % 3).astype(dtype).reshape(3, 4)
    back = _roundtrip(array)
    assert type(back) is np.ndarray and back.dtype == np.dtype(dtype) and back.shape == (3, 4)
    np.testing.assert_array_equal(back, array)
    assert back.flags.writeable and back.flags.c_contiguous


def test_fortran_ordered_and_empty_arrays() -> None:
    fortran = np.asfortranarray(np.array([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(_roundtrip(fortran), [[1.0, 2.0], [3.0, 4.0]])
    empty = _roundtrip(np.zeros((0, 3)))
    assert isinstance(empty, np.ndarray) and empty.shape == (0, 3)


def test_numpy_scalars_become_python_scalars() -> None:
    back = _roundtrip([np.float64(0.25), np.int64(7), np.bool_(True)])
    assert back == [0.25, 7, True]
    assert [type(v) for v in back] == [float, int, bool]


def test_nan_and_infinities_survive() -> None:
    back = _roundtrip([float("nan"), float("inf"), np.array([-np.inf])])
    assert np.isnan(back[0]) and back[1] == float("inf") and back[2][0] == -np.inf


def test_function_ref_resolves_to_the_fixed_table() -> None:
    f = _roundtrip(FunctionRef("sum_of_squares"))
    assert f == FunctionRef("sum_of_squares")
    assert f(np.array([1.0, 2.0, 3.0])) == 14.0  # 1 + 4 + 9
    with pytest.raises(CodecError, match="unknown callable"):
        FunctionRef("os.system")


class Liar:
    def __eq__(self, other: object) -> bool:
        return True


class LyingFloat(float):
    def __eq__(self, other: object) -> bool:
        return True


class Sub(np.ndarray):
    pass


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Liar(), "returned a Liar object, expected an array"),
        (LyingFloat(1.0), "returned a LyingFloat object"),
        (np.array([1, "a"], dtype=object), r"dtype object, shape \(2,\)"),
        (np.zeros(3).view(Sub), r"Sub object \(dtype float64, shape \(3,\)\), a subclass"),
        (np.array([1 + 2j]), "dtype complex128"),
        ({1: 2.0}, "dict with a int key"),
        (np.complex128(1j), "expected a number"),
        ({1, 2}, "returned a set object"),
    ],
)
def test_refused_values_name_what_was_returned(value: object, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        encode(value)


def test_deep_nesting_is_refused_on_both_sides() -> None:
    deep: list = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(CodecError, match="nested"):
        encode(deep)
    tree: object = 1
    for _ in range(100):
        tree = {"list": [tree]}
    with pytest.raises(CodecError, match="nested"):
        decode(_frame(tree, []))


def _frame(tree: object, blobs: list[bytes]) -> bytes:
    head = json.dumps({"v": tree, "b": [len(b) for b in blobs]}).encode()
    return b"GFC1" + struct.pack(">I", len(head)) + head + b"".join(blobs)


def _npy_header(shape: tuple[int, ...], descr: str) -> bytes:
    buf = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    npy_format.write_array_header_1_0(buf, header)
    return buf.getvalue()


def test_a_forged_header_claiming_a_tebibyte_is_refused_before_reading() -> None:
    blob = _npy_header((2**37,), "<f8") + b"\0" * 64  # claims 1 TiB, carries 64 bytes
    with pytest.raises(CodecError, match="exceeds the size cap"):
        decode(_frame({"array": 0}, [blob]))


def test_the_cap_counts_all_arrays_together() -> None:
    data = encode([np.zeros(100), np.zeros(100)])  # 800 bytes each
    assert len(decode(data, max_array_bytes=1600)) == 2
    with pytest.raises(CodecError, match="exceeds the size cap"):
        decode(data, max_array_bytes=1599)


def test_a_header_disagreeing_with_the_blob_size_is_refused() -> None:
    blob = _npy_header((4,), "<f8") + b"\0" * 24  # says 32 bytes, has 24
    with pytest.raises(CodecError, match="different size"):
        decode(_frame({"array": 0}, [blob]))


def test_object_dtype_in_a_forged_blob_is_refused_not_unpickled() -> None:
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(CodecError, match="dtype object refused"):
        decode(_frame({"array": 0}, [buf.getvalue()]))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"XXXX\0\0\0\0",
        b"GFC1\0\0\0\x10{}",
        b"GFC1\0\0\0\x02[]",
        _frame({"array": 3}, []),
        _frame({"pickle": "x"}, []),
        _frame({"dict": {}, "list": []}, []),
        _frame(None, [b"junk"]),
        _frame({"array": 0}, [b"not an npy blob"]),
    ],
)
def test_malformed_data_is_a_codec_error(data: bytes) -> None:
    with pytest.raises(CodecError):
        decode(data)


def test_an_array_referenced_twice_is_refused() -> None:
    blob = encode(np.zeros(2))
    head_len = struct.unpack(">I", blob[4:8])[0]
    npy = blob[8 + head_len :]
    with pytest.raises(CodecError, match="twice"):
        decode(_frame({"list": [{"array": 0}, {"array": 0}]}, [npy]))


def _blobs(data: bytes) -> list[bytes]:
    """The `.npy` blobs inside an encoded value."""
    head_len = struct.unpack(">I", data[4:8])[0]
    lengths = json.loads(data[8 : 8 + head_len])["b"]
    out, offset = [], 8 + head_len
    for n in lengths:
        out.append(data[offset : offset + n])
        offset += n
    return out


@pytest.mark.parametrize(
    "array",
    [
        np.array(2.5),
        np.arange(3.0),
        np.arange(6, dtype=np.int32).reshape(2, 3),
        np.zeros((0, 4), dtype=bool),
        np.arange(24, dtype=np.uint16).reshape(2, 3, 4),
        np.arange(6.0).reshape(2, 3).T,
        np.arange(3.0).astype(">f8"),
    ],
)
def test_our_npy_blobs_are_read_by_numpy_and_numpys_by_us(array: np.ndarray) -> None:
    (ours,) = _blobs(encode(array))
    assert (10 + struct.unpack("<H", ours[8:10])[0]) % 64 == 0  # data starts 64-byte aligned
    back = np.load(io.BytesIO(ours), allow_pickle=False)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    for version in [(1, 0), (2, 0)]:  # numpy's own writer, with its growth padding
        buf = io.BytesIO()
        npy_format.write_array(buf, array, version=version, allow_pickle=False)
        decoded = decode(_frame({"array": 0}, [buf.getvalue()]))
        assert decoded.dtype == array.dtype and decoded.shape == array.shape
        np.testing.assert_array_equal(decoded, array)


@pytest.mark.parametrize(
    "header",
    [
        "{'descr': '<f8', 'fortran_order': __import__('os'), 'shape': (1,), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}",
        "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }",
        "{'descr': 'not a dtype', 'fortran_order': False, 'shape': (1,), }",
    ],
)
def test_npy_headers_other_than_numpys_fixed_form_are_refused(header: str) -> None:
    head = (header + "\n").encode("latin1")
    blob = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(head)) + head + b"\0" * 8
    with pytest.raises(CodecError, match="malformed array"):
        decode(_frame({"array": 0}, [blob]))
