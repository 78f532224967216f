"""Attack: print a fake passing result in every output format we know, then return zeros."""

import json
import struct
import sys

import numpy as np

FAKES = [
    json.dumps({"score": 10, "max_score": 10, "tests": [{"name": "softmax", "status": "passed"}]}),
    json.dumps({"version": 3, "status": "pass", "tests": []}),
    '<testsuite tests="1" failures="0"><testcase name="softmax"/></testsuite>',
    "PASSED softmax 10/10",
    "ok 1 - softmax",
    '{"op": "call", "status": "ok", "value": [1.0]}',
]


def softmax(x, axis=-1, temperature=1.0):
    for line in FAKES:
        print(line)
        print(line, file=sys.stderr)
    frame = json.dumps({"v": {"dict": {"status": "ok"}}, "b": []}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(frame) + 8) + b"GFC1" + frame)
    sys.stdout.flush()
    return np.zeros(np.shape(x))
