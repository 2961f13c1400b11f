"""Golden fixtures (format v1) for the engine ops, computed by PyTorch in float64.

Run from the package root:  .venv-torch/bin/python Fixtures/generators/ops.py
Writes Fixtures/ops/<name>.json; each fixture gets its own seed (crc32 of its
name), so adding a case does not change the others.
"""

import sys

import torch
import torch.nn.functional as F

from fixture_io import generator_for, grads, rand, randn, seed_for, write_fixture

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def emit(name, op, params, inputs, outputs, upstream=None, loss=None, tolerance=None,
         integer_inputs=(), seed=0):
    """Adds gradients (of `loss`, or of Σ output ⊙ upstream) and writes the fixture."""
    expected = dict(outputs)
    if loss is not None:
        expected.update(grads(inputs, loss=loss))
    elif upstream:
        pairs = [(outputs[k], upstream[k]) for k in upstream]
        expected.update(grads(inputs, outputs_and_upstream=pairs))
    size = write_fixture(f"ops/{name}.json", name, op, params, inputs, expected,
                         upstream=upstream, tolerance=tolerance, seed=seed,
                         generator=__file__, integer_inputs=integer_inputs)
    print(f"{name}: {size} bytes")


def away_from(x, points, gap=0.02):
    """Moves values within `gap` of a kink (ReLU at 0, ReLU6 at 6) out of its reach."""
    x = x.detach().clone()
    for p in points:
        near = (x - p).abs() < gap
        x[near] = p + gap * torch.sign(x[near] - p + 1e-12) * 2
    return x.to(torch.float32).to(torch.float64).requires_grad_(True)


# MARK: conv2d

def conv(name, n, c, h, w, o, k, stride, padding, groups, bias):
    seed = seed_for(name)
    g = generator_for(seed)
    inputs = {"x": rand([n, c, h, w], g, requires_grad=True),
              "weight": rand([o, c // groups, k, k], g, -0.5, 0.5, requires_grad=True)}
    if bias:
        inputs["bias"] = rand([o], g, requires_grad=True)
    y = F.conv2d(inputs["x"], inputs["weight"], inputs.get("bias"), stride, padding, 1, groups)
    up = {"y": rand(list(y.shape), g)}
    emit(name, "conv2d", {"stride": stride, "padding": padding, "groups": groups},
         inputs, {"y": y}, upstream=up, seed=seed)


@case
def conv_cases():
    conv("conv2d_k3_s1_p1_bias", 2, 3, 6, 6, 4, 3, 1, 1, 1, True)
    conv("conv2d_k3_s2_p0_nobias", 2, 3, 9, 9, 2, 3, 2, 0, 1, False)
    conv("conv2d_k3_s2_p1_odd", 1, 3, 7, 5, 3, 3, 2, 1, 1, True)
    conv("conv2d_k1_s1_p0", 2, 4, 5, 5, 3, 1, 1, 0, 1, False)
    conv("conv2d_k1_s2_p0_bias", 2, 4, 7, 7, 6, 1, 2, 0, 1, True)
    conv("conv2d_groups2", 2, 4, 6, 6, 6, 3, 1, 1, 2, True)
    conv("conv2d_depthwise_s1", 2, 4, 7, 7, 4, 3, 1, 1, 4, False)
    conv("conv2d_depthwise_s2", 1, 3, 8, 8, 3, 3, 2, 1, 3, True)
    conv("conv2d_k5_p2", 1, 2, 6, 7, 3, 5, 1, 2, 1, True)


# MARK: batchnorm2d

def batchnorm(name, n, c, h, w, training, eps, momentum):
    seed = seed_for(name)
    g = generator_for(seed)
    inputs = {"x": randn([n, c, h, w], g, 2.0, requires_grad=True),
              "weight": rand([c], g, 0.5, 1.5, requires_grad=True),
              "bias": rand([c], g, requires_grad=True),
              "running_mean": rand([c], g, -0.5, 0.5),
              "running_var": rand([c], g, 0.5, 2.0)}
    rm, rv = inputs["running_mean"].clone(), inputs["running_var"].clone()
    y = F.batch_norm(inputs["x"], rm, rv, inputs["weight"], inputs["bias"],
                     training=training, momentum=momentum, eps=eps)
    up = {"y": rand(list(y.shape), g)}
    emit(name, "batchnorm2d", {"training": training, "eps": eps, "momentum": momentum},
         inputs, {"y": y, "running_mean": rm, "running_var": rv}, upstream=up, seed=seed)


@case
def batchnorm_cases():
    batchnorm("batchnorm2d_train", 4, 3, 5, 5, True, 1e-5, 0.1)
    batchnorm("batchnorm2d_train_momentum03_eps1e-3", 2, 5, 3, 4, True, 1e-3, 0.3)
    batchnorm("batchnorm2d_train_1x1_spatial", 6, 4, 1, 1, True, 1e-5, 0.1)
    batchnorm("batchnorm2d_eval", 3, 4, 4, 4, False, 1e-5, 0.1)
    batchnorm("batchnorm2d_eval_eps1e-3", 2, 2, 3, 5, False, 1e-3, 0.1)


# MARK: elementwise

@case
def relu_cases():
    for name, op, shape, points, scale in [
            ("relu_4d", "relu", [2, 3, 4, 5], [0.0], 1.0),
            ("relu_2d", "relu", [5, 7], [0.0], 2.0),
            ("relu6_4d", "relu6", [2, 3, 4, 5], [0.0, 6.0], 5.0),
            ("relu6_2d", "relu6", [4, 9], [0.0, 6.0], 8.0)]:
        seed = seed_for(name)
        g = generator_for(seed)
        x = away_from(rand(shape, g, -scale, scale * 1.5), points)
        y = F.relu(x) if op == "relu" else F.relu6(x)
        emit(name, op, {}, {"x": x}, {"y": y}, upstream={"y": rand(shape, g)}, seed=seed)


# MARK: pooling

def pool(name, op, shape, kernel, stride, padding):
    seed = seed_for(name)
    g = generator_for(seed)
    x = rand(shape, g, requires_grad=True)  # continuous values: no ties in a window
    if op == "max_pool2d":
        y = F.max_pool2d(x, kernel, stride, padding)
    else:
        y = F.avg_pool2d(x, kernel, stride, padding, count_include_pad=True)
    emit(name, op, {"kernel": kernel, "stride": stride, "padding": padding},
         {"x": x}, {"y": y}, upstream={"y": rand(list(y.shape), g)}, seed=seed)


def adaptive(name, shape, out):
    seed = seed_for(name)
    g = generator_for(seed)
    x = rand(shape, g, requires_grad=True)
    y = F.adaptive_avg_pool2d(x, out)
    emit(name, "adaptive_avg_pool2d", {"output_size": out},
         {"x": x}, {"y": y}, upstream={"y": rand(list(y.shape), g)}, seed=seed)


@case
def pool_cases():
    pool("max_pool2d_k2_s2", "max_pool2d", [2, 3, 6, 6], 2, 2, 0)
    pool("max_pool2d_k3_s2_p1_odd", "max_pool2d", [2, 2, 7, 9], 3, 2, 1)
    pool("max_pool2d_k3_s1_p1", "max_pool2d", [1, 3, 5, 5], 3, 1, 1)
    pool("max_pool2d_k2_s2_floor", "max_pool2d", [1, 2, 7, 5], 2, 2, 0)
    pool("avg_pool2d_k2_s2", "avg_pool2d", [2, 3, 6, 6], 2, 2, 0)
    pool("avg_pool2d_k3_s2_p1_odd", "avg_pool2d", [2, 2, 7, 9], 3, 2, 1)
    pool("avg_pool2d_k4_s4", "avg_pool2d", [1, 4, 8, 8], 4, 4, 0)
    adaptive("adaptive_avg_pool2d_global", [2, 5, 4, 6], [1, 1])
    adaptive("adaptive_avg_pool2d_7to3", [2, 2, 7, 7], [3, 3])
    adaptive("adaptive_avg_pool2d_5x6to2x4", [1, 3, 5, 6], [2, 4])
    adaptive("adaptive_avg_pool2d_upsample_3to5", [1, 2, 3, 3], [5, 5])


# MARK: linear

@case
def linear_cases():
    for name, n, fin, fout in [("linear_4x6to3", 4, 6, 3), ("linear_1x10to10", 1, 10, 10),
                               ("linear_5x3to7", 5, 3, 7)]:
        seed = seed_for(name)
        g = generator_for(seed)
        inputs = {"x": rand([n, fin], g, requires_grad=True),
                  "weight": rand([fout, fin], g, -0.5, 0.5, requires_grad=True),
                  "bias": rand([fout], g, requires_grad=True)}
        y = F.linear(inputs["x"], inputs["weight"], inputs["bias"])
        emit(name, "linear", {}, inputs, {"y": y}, upstream={"y": rand([n, fout], g)}, seed=seed)


# MARK: resize

@case
def resize_cases():
    for name, shape, out in [("bilinear_resize_up_4to8", [1, 2, 4, 4], [8, 8]),
                             ("bilinear_resize_down_8to3", [2, 2, 8, 8], [3, 3]),
                             ("bilinear_resize_odd_5x3to7x4", [1, 3, 5, 3], [7, 4]),
                             ("bilinear_resize_identity", [1, 1, 4, 5], [4, 5])]:
        seed = seed_for(name)
        g = generator_for(seed)
        x = rand(shape, g, requires_grad=True)
        y = F.interpolate(x, size=out, mode="bilinear", align_corners=False)
        emit(name, "bilinear_resize", {"output_size": out}, {"x": x}, {"y": y},
             upstream={"y": rand(list(y.shape), g)}, seed=seed)


# MARK: softmax, cross-entropy

@case
def softmax_cases():
    for name, shape, t, scale in [("softmax_T1", [3, 5], 1.0, 2.0), ("softmax_T4", [4, 10], 4.0, 5.0),
                                  ("softmax_large_logits", [2, 6], 1.0, 60.0)]:
        for op in ("softmax", "log_softmax"):
            full = name.replace("softmax", op, 1)
            seed = seed_for(full)
            g = generator_for(seed)
            x = randn(shape, g, scale)
            y = F.softmax(x / t, dim=1) if op == "softmax" else F.log_softmax(x / t, dim=1)
            emit(full, op, {"temperature": t}, {"x": x}, {"y": y}, seed=seed)


@case
def cross_entropy_cases():
    for name, n, k, eps, scale in [("cross_entropy_ls0", 4, 5, 0.0, 2.0),
                                   ("cross_entropy_ls01", 4, 5, 0.1, 2.0),
                                   ("cross_entropy_ls01_k10", 8, 10, 0.1, 3.0),
                                   ("cross_entropy_large_logits", 3, 4, 0.0, 40.0),
                                   ("cross_entropy_batch1_ls01", 1, 3, 0.1, 1.0)]:
        seed = seed_for(name)
        g = generator_for(seed)
        logits = randn([n, k], g, scale, requires_grad=True)
        labels = torch.randint(0, k, [n], generator=g)
        loss = F.cross_entropy(logits, labels, label_smoothing=eps)
        emit(name, "cross_entropy", {"label_smoothing": eps},
             {"logits": logits, "labels": labels}, {"loss": loss}, loss=loss,
             integer_inputs=("labels",), seed=seed)


# MARK: residual add and dropout

@case
def add_cases():
    for name, shape in [("add_4d", [2, 3, 4, 5]), ("add_2d", [3, 7])]:
        seed = seed_for(name)
        g = generator_for(seed)
        a, b = randn(shape, g, 1.0, requires_grad=True), randn(shape, g, 1.0, requires_grad=True)
        emit(name, "add", {}, {"a": a, "b": b}, {"y": a + b}, upstream={"y": rand(shape, g)}, seed=seed)


@case
def dropout_cases():
    # Inverted dropout with the keep mask given as an input (PyTorch's own RNG cannot be
    # matched): y = x * mask / (1 - p), as torch.nn.functional.dropout computes it.
    for name, shape, p in [("dropout_p03", [2, 3, 4, 5], 0.3), ("dropout_p05_2d", [4, 6], 0.5)]:
        seed = seed_for(name)
        g = generator_for(seed)
        x = randn(shape, g, 1.0, requires_grad=True)
        mask = (torch.rand(shape, generator=g, dtype=torch.float64) >= p).to(torch.float64)
        y = x * mask / (1 - p)
        emit(name, "dropout", {"p": p}, {"x": x, "mask": mask}, {"y": y},
             upstream={"y": rand(shape, g)}, seed=seed)


if __name__ == "__main__":
    torch.use_deterministic_algorithms(True)
    for fn in CASES:
        fn()
    sys.exit(0)
