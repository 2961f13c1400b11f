"""Golden fixtures (format v1) for the AW-convolution (op "awconv2d"), computed by PyTorch in float64.

Run from the package root:  .venv-torch/bin/python Fixtures/generators/awconv.py
Writes Fixtures/awconv/<name>.json. The formulation is this suite's (paper/zhu-awconv.md),
written here independently of the Swift code: a per-sample loop of F.conv2d with the
re-weighted kernel A_n * K (the Swift layer uses one grouped convolution instead).

    A0 = adaptive_avg_pool2d(x, k)                      [N, C, k, k]
    z  = conv1x1(relu(conv1x1(A0, pw1) + b1), pw2) + b2  [N, O+C, k, k]
    A[n,o,c,i,j] = 2 * sigmoid(z[n,o,i,j] + z[n,O+c,i,j])
    y[n] = conv2d(x[n], A[n] * K, stride, padding)
"""

import torch
import torch.nn.functional as F

from fixture_io import generator_for, grads, rand, seed_for, write_fixture


def awconv2d(x, weight, pw1w, pw1b, pw2w, pw2b, stride, padding):
    n, o, k = x.shape[0], weight.shape[0], weight.shape[2]
    pooled = F.adaptive_avg_pool2d(x, k)
    z = F.conv2d(F.relu(F.conv2d(pooled, pw1w, pw1b)), pw2w, pw2b)
    att = 2 * torch.sigmoid(z[:, :o, None] + z[:, None, o:])  # [N, O, C, k, k]
    return torch.cat([F.conv2d(x[i:i + 1], att[i] * weight, None, stride, padding) for i in range(n)])


def case(name, n, c, h, w, o, k, m, stride, padding, gen_scale=1.0):
    """gen_scale = 0 zeroes the last generator layer (the layer is then a plain conv)."""
    seed = seed_for(name)
    g = generator_for(seed)
    inputs = {
        "x": rand([n, c, h, w], g, requires_grad=True),
        "weight": rand([o, c, k, k], g, -0.5, 0.5, requires_grad=True),
        "gen.pw1.weight": rand([m, c, 1, 1], g, requires_grad=True),
        "gen.pw1.bias": rand([m], g, -0.2, 0.2, requires_grad=True),
        "gen.pw2.weight": (rand([o + c, m, 1, 1], g, -2, 2) * gen_scale).requires_grad_(True),
        "gen.pw2.bias": (rand([o + c], g, -0.5, 0.5) * gen_scale).requires_grad_(True),
    }
    y = awconv2d(*inputs.values(), stride, padding)
    up = {"y": rand(list(y.shape), g)}
    expected = {"y": y}
    expected.update(grads(inputs, outputs_and_upstream=[(y, up["y"])]))
    size = write_fixture(f"awconv/{name}.json", name, "awconv2d", {"stride": stride, "padding": padding},
                         inputs, expected, upstream=up, seed=seed, generator=__file__)
    print(f"{name}: {size} bytes")


if __name__ == "__main__":
    torch.set_grad_enabled(True)
    case("awconv2d_k3_s1_p1", n=2, c=3, h=6, w=6, o=4, k=3, m=2, stride=1, padding=1)
    case("awconv2d_k3_s2_p1_odd", n=3, c=4, h=7, w=5, o=2, k=3, m=3, stride=2, padding=1)
    case("awconv2d_k3_p0_small_input", n=2, c=2, h=4, w=4, o=3, k=3, m=2, stride=1, padding=0)
    case("awconv2d_k1_se_like", n=2, c=5, h=3, w=4, o=3, k=1, m=2, stride=1, padding=0)
    case("awconv2d_zero_generator", n=2, c=3, h=5, w=5, o=2, k=3, m=2, stride=1, padding=1, gen_scale=0.0)
