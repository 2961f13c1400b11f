"""`make test-onnx`: an atkd ONNX export run by onnxruntime against atkd's own logits.

    .venv-onnx/bin/python Tests/ONNX/check_onnx.py MODEL.onnx [MODEL.onnx ...]

For each MODEL.onnx, MODEL.onnx.reference.safetensors (written by `atkd export --reference N`)
holds N test images `x`, their `labels` and our engine's eval `logits`. onnxruntime (CPU, 2
threads) must give logits within rtol 1e-3 / atol 1e-4 of ours and the same top-1 on every image;
it also times batch-1 latency (median of 200 runs after 20 warm-ups). Exit 1 on any failure.
"""

import statistics
import sys
import time

import numpy as np
import onnxruntime as ort
from safetensors.numpy import load_file

RTOL, ATOL = 1e-3, 1e-4


def check(path):
    ref = load_file(path + ".reference.safetensors")
    x, ours, labels = ref["x"], ref["logits"], ref["labels"]
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    opts.inter_op_num_threads = 1
    session = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    theirs = np.concatenate([session.run(None, {name: x[i:i + 250]})[0] for i in range(0, len(x), 250)])
    ratio = float((np.abs(theirs - ours) / (ATOL + RTOL * np.abs(ours))).max())
    agree = float((theirs.argmax(1) == ours.argmax(1)).mean())
    top1_ours = float((ours.argmax(1) == labels).mean())
    top1_theirs = float((theirs.argmax(1) == labels).mean())
    one = x[:1]
    for _ in range(20):
        session.run(None, {name: one})
    times = []
    for _ in range(200):
        t0 = time.perf_counter()
        session.run(None, {name: one})
        times.append(time.perf_counter() - t0)
    ok = ratio <= 1 and agree == 1.0
    print(f"{path}: {len(x)} test images; logits within {ratio:.4f} of the tolerance (rtol {RTOL}, atol {ATOL}); "
          f"top-1 atkd {top1_ours * 100:.2f} % vs onnxruntime {top1_theirs * 100:.2f} % (argmax agreement "
          f"{agree * 100:.2f} %); onnxruntime {ort.__version__} batch-1 latency median "
          f"{statistics.median(times) * 1000:.3f} ms (2 threads): {'ok' if ok else 'FAIL'}")
    return ok


if __name__ == "__main__":
    results = [check(p) for p in sys.argv[1:]]
    sys.exit(0 if results and all(results) else 1)
