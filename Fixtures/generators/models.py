"""Golden whole-model fixtures (format v1, op "model") and parameter counts of the zoo.

Run from the package root:  .venv-torch/bin/python Fixtures/generators/models.py [--counts] [NAME ...]
Writes Fixtures/models/<name>.json. Each fixture holds a tiny instance of one family: its
weights and BN buffers as inputs (by state_dict name), a batch `x` and `labels`, and the
expected `logits`, `loss` (mean cross-entropy), `tap.<stage>`, the updated buffers
`updated.<buffer>` (train mode), and `grad.<param>` / `grad.x` of
    loss + Σ_k Σ tap_k ⊙ upstream[tap.k]
(random upstream on every tap exercises the tap-gradient path of `backward`).

The torch modules below are structurally identical to shared/bench/pytorch_peer.py (and to
torchvision / RepDistiller / kuangliu / mdistiller where the peer has no such model); only the
module names differ, chosen so that state_dict keys equal the reference codebases' (and ours).
`--counts` prints the trainable-parameter count of each zoo architecture (PAPERS.md §6).
"""

import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

import fixture_io
from fixture_io import generator_for, rand, randn, seed_for, write_fixture

# Whole models need more numbers than one op: the brief allows up to a few hundred KB.
fixture_io.MAX_BYTES = 400 * 1024


def conv_bn(cin, cout, k, stride=1, groups=1):
    return nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)


# MARK: CIFAR ResNet (peer ResNetCifar/BlockA; option B = RepDistiller models/resnet.py)

class CifarBlock(nn.Module):
    def __init__(self, cin, cout, stride, option):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(cin, cout, 3, stride)
        self.conv2, self.bn2 = conv_bn(cout, cout, 3)
        self.pad, self.stride, self.option = cout - cin, stride, option
        if option == "B" and (stride != 1 or cin != cout):
            self.downsample = nn.Sequential(*conv_bn(cin, cout, 1, stride))

    def forward(self, x):
        o = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        sc = x
        if self.stride != 1 or self.pad:
            if self.option == "B":
                sc = self.downsample(x)
            else:
                sc = F.pad(x[:, :, ::self.stride, ::self.stride],
                           (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        return F.relu(o + sc)


class CifarResNet(nn.Module):
    def __init__(self, depth, classes, widths=(16, 32, 64), option="A"):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1, self.bn1 = conv_bn(3, widths[0], 3)
        cin = widths[0]
        for i, w in enumerate(widths):
            blocks = []
            for j in range(n):
                blocks.append(CifarBlock(cin, w, 2 if (j == 0 and i > 0) else 1, option)); cin = w
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(cin, classes)
        self.stages = [self.layer1, self.layer2, self.layer3]

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x))); taps = []
        for s in self.stages:
            x = s(x); taps.append(x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1)), taps


# MARK: ResNet-18/34/50 (peer ResNet, torchvision names; ImageNet stem = torchvision)

class Basic(nn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride, awconv=False):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(cin, planes, 3, stride)
        self.conv2, self.bn2 = conv_bn(planes, planes, 3)
        if stride != 1 or cin != planes:
            self.downsample = nn.Sequential(*conv_bn(cin, planes, 1, stride))

    def forward(self, x):
        sc = self.downsample(x) if hasattr(self, "downsample") else x
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))) + sc)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(cin, planes, 1)
        self.conv2, self.bn2 = conv_bn(planes, planes, 3, stride)
        self.conv3, self.bn3 = conv_bn(planes, 4 * planes, 1)
        if stride != 1 or cin != 4 * planes:
            self.downsample = nn.Sequential(*conv_bn(cin, 4 * planes, 1, stride))

    def forward(self, x):
        o = F.relu(self.bn1(self.conv1(x))); o = F.relu(self.bn2(self.conv2(o))); o = self.bn3(self.conv3(o))
        sc = self.downsample(x) if hasattr(self, "downsample") else x
        return F.relu(o + sc)


class ResNet(nn.Module):
    def __init__(self, block, nb, classes, width=1.0, imagenet=False):
        super().__init__()
        base = [int(64 * width), int(128 * width), int(256 * width), int(512 * width)]
        if imagenet:
            self.conv1, self.bn1 = conv_bn(3, base[0], 7, 2)
        else:
            self.conv1, self.bn1 = conv_bn(3, base[0], 3)
        self.imagenet = imagenet
        cin = base[0]
        self.stages = []
        for i in range(4):
            layers = []
            for s in [1 if i == 0 else 2] + [1] * (nb[i] - 1):
                layers.append(block(cin, base[i], s)); cin = base[i] * block.expansion
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))
            self.stages.append(getattr(self, f"layer{i + 1}"))
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        if self.imagenet:
            x = F.max_pool2d(x, 3, 2, 1)
        taps = []
        for s in self.stages:
            x = s(x); taps.append(x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1)), taps


# MARK: WRN (peer WRN/WideBlock, RepDistiller models/wrn.py names)

class WideBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin); self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout); self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.equal = cin == cout and stride == 1
        if not self.equal:
            self.convShortcut = nn.Conv2d(cin, cout, 1, stride, 0, bias=False)

    def forward(self, x):
        o = F.relu(self.bn1(x))
        y = self.conv2(F.relu(self.bn2(self.conv1(o))))
        return y + (x if self.equal else self.convShortcut(o))


class NetworkBlock(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layer = nn.Sequential(*layers)

    def forward(self, x):
        return self.layer(x)


class WRN(nn.Module):
    def __init__(self, depth, k, classes, divisor=1):
        super().__init__()
        n, w = (depth - 4) // 6, [v // divisor for v in [16, 16 * k, 32 * k, 64 * k]]
        self.conv1 = nn.Conv2d(3, w[0], 3, 1, 1, bias=False)
        cin = w[0]
        for i in range(3):
            blocks = []
            for j in range(n):
                blocks.append(WideBlock(cin, w[i + 1], (1 if i == 0 else 2) if j == 0 else 1)); cin = w[i + 1]
            setattr(self, f"block{i + 1}", NetworkBlock(blocks))
        self.bn1 = nn.BatchNorm2d(cin); self.fc = nn.Linear(cin, classes)
        self.stages = [self.block1, self.block2, self.block3]

    def forward(self, x):
        x = self.conv1(x); taps = []
        for g in self.stages:
            x = g(x); taps.append(x)
        return self.fc(F.adaptive_avg_pool2d(F.relu(self.bn1(x)), 1).flatten(1)), taps


# MARK: MobileNetV2, CIFAR (peer MobileNetV2/MBBlock, kuangliu names)

CFG = [(1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


class MBBlock(nn.Module):
    def __init__(self, cin, cout, expansion, stride):
        super().__init__()
        planes = expansion * cin; self.stride = stride
        self.conv1, self.bn1 = conv_bn(cin, planes, 1)
        self.conv2, self.bn2 = conv_bn(planes, planes, 3, stride, groups=planes)
        self.conv3, self.bn3 = conv_bn(planes, cout, 1)
        self.shortcut = nn.Sequential()
        if stride == 1 and cin != cout:
            self.shortcut = nn.Sequential(*conv_bn(cin, cout, 1))

    def forward(self, x):
        o = F.relu(self.bn1(self.conv1(x))); o = F.relu(self.bn2(self.conv2(o))); o = self.bn3(self.conv3(o))
        return o + self.shortcut(x) if self.stride == 1 else o


class MobileNetV2Cifar(nn.Module):
    def __init__(self, classes, width=1.0, last=1280, floor=8):
        super().__init__()
        c = lambda v: max(floor, int(v * width))
        self.conv1, self.bn1 = conv_bn(3, c(32), 3)
        layers, cin, self.tap_after = [], c(32), []
        for e, cout, n, s in CFG:
            for st in [s] + [1] * (n - 1):
                layers.append(MBBlock(cin, c(cout), e, st)); cin = c(cout)
            self.tap_after.append(len(layers) - 1)
        self.tap_after = {self.tap_after[i] for i in (1, 2, 4, 6)}
        self.layers = nn.Sequential(*layers)
        self.conv2, self.bn2 = conv_bn(cin, last, 1)
        self.linear = nn.Linear(last, classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x))); taps = []
        for i, b in enumerate(self.layers):
            x = b(x)
            if i in self.tap_after:
                taps.append(x)
        x = F.relu(self.bn2(self.conv2(x)))
        return self.linear(F.adaptive_avg_pool2d(x, 1).flatten(1)), taps


# MARK: MobileNetV2, ImageNet (torchvision layout and names; counts only)

def make_divisible(v, d=8):
    n = max(d, int(v + d / 2) // d * d)
    return n + d if n < 0.9 * v else n


class ConvBNAct(nn.Sequential):
    def __init__(self, cin, cout, k, stride=1, groups=1):
        super().__init__(*conv_bn(cin, cout, k, stride, groups), nn.ReLU6())


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        layers = [] if t == 1 else [ConvBNAct(cin, hidden, 1)]
        layers += [ConvBNAct(hidden, hidden, 3, stride, hidden), *conv_bn(hidden, cout, 1)]
        self.conv = nn.Sequential(*layers)
        self.res = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.conv(x) if self.res else self.conv(x)


class MobileNetV2ImageNet(nn.Module):
    def __init__(self, classes, width=1.0):
        super().__init__()
        cin, last = make_divisible(32 * width), make_divisible(1280 * max(1.0, width))
        feats = [ConvBNAct(3, cin, 3, 2)]
        for t, c, n, s in CFG[:1] + [(6, 24, 2, 2)] + CFG[2:]:  # ImageNet: group 2 at stride 2
            for i in range(n):
                feats.append(InvertedResidual(cin, make_divisible(c * width), s if i == 0 else 1, t))
                cin = make_divisible(c * width)
        feats.append(ConvBNAct(cin, last, 1))
        self.features = nn.Sequential(*feats)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(last, classes))


# MARK: MobileNetV1 (mdistiller models/imagenet/mobilenetv1.py names; kuangliu CIFAR stem)

V1 = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
      (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]


class MobileNetV1(nn.Module):
    def __init__(self, classes, width=1.0, imagenet=False):
        super().__init__()
        c = lambda v: max(1, int(v * width))
        mods, cin = [ConvBNRelu(3, c(32), 3, 2 if imagenet else 1)], c(32)
        for cout, s in V1:
            mods.append(nn.Sequential(*conv_bn(cin, cin, 3, s, cin), nn.ReLU(), *conv_bn(cin, c(cout), 1), nn.ReLU()))
            cin = c(cout)
        self.model = nn.Sequential(*mods)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        taps = []
        for i, m in enumerate(self.model):
            x = m(x)
            if i in (3, 5, 11, 13):
                taps.append(x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1)), taps


class ConvBNRelu(nn.Sequential):
    def __init__(self, cin, cout, k, stride):
        super().__init__(*conv_bn(cin, cout, k, stride), nn.ReLU())


# MARK: the zoo's names

def build(name, classes, input=32):
    """The torch twin of `ModelZoo.make(name, classes:, input:)` for the names fixtures and counts use."""
    parts = name.replace("+", "-").split("-")
    head, mods = parts[0], parts[1:]
    if head == "wrn":
        d, k, mods = int(mods[0]), int(mods[1]), mods[2:]
    width, divisor, stem, option, last, floor = 1.0, 1, None, "A", 1280, 8
    for m in mods:
        if m == "b": option = "B"
        elif m == "half": width = 0.5
        elif m in ("imagenet", "cifar"): stem = m
        elif m.startswith("last"): last = int(m[4:])
        elif m.startswith("min"): floor = int(m[3:])
        elif m.startswith("w"): divisor = int(m[1:]); width = 1.0 / divisor
        else: raise SystemExit(f"unknown modifier {m}")
    imagenet = stem == "imagenet" or (stem is None and input > 64)
    if head == "wrn":
        return WRN(d, k, classes, divisor)
    if head == "mobilenetv2":
        return MobileNetV2ImageNet(classes, width) if imagenet else MobileNetV2Cifar(classes, width, last, floor)
    if head == "mobilenetv1":
        return MobileNetV1(classes, width, imagenet)
    depth = int(head[6:])
    if depth in (18, 34, 50):
        block, nb = {18: (Basic, [2, 2, 2, 2]), 34: (Basic, [3, 4, 6, 3]), 50: (Bottleneck, [3, 4, 6, 3])}[depth]
        return ResNet(block, nb, classes, width, imagenet)
    return CifarResNet(depth, classes, [16 // divisor, 32 // divisor, 64 // divisor], option)


# MARK: fixtures

CASES = [
    # name, arch, classes, input, batch, training[, tolerance scale (default 1: rtol 1e-3, atol 1e-4)]
    ("resnet8_w8_optionA", "resnet8-w8", 10, 8, 2, True),
    ("resnet8_w8_optionB", "resnet8-w8-b", 10, 8, 2, True),
    ("resnet8_w8_eval", "resnet8-w8", 10, 8, 2, False),
    ("wrn10_2_w16", "wrn-10-2-w16", 10, 8, 2, True),
    ("resnet18_w64_cifar", "resnet18-w64", 10, 16, 2, True),
    ("resnet18_w64_imagenet_stem", "resnet18-w64-imagenet", 10, 20, 2, True),
    # Deep 1–2-channel nets are chaotic in train mode: no size or batch tried keeps them within a
    # quarter of the 1e-3 / 1e-4 tolerance under the 1e-6 perturbation probe (2026-12-02: resnet50-w64
    # at 8²×4, 12²×2, 16²×2 reached 35, 4.7, 6.1; resnet50-w32 8²×2 438; mobilenetv1-w64 16²×4,
    # 32²×2 reached 17,203 and 69; mobilenetv1-w32 16²×2 13.9). These three keep their sizes with a
    # measured tolerance scale (last field): the probe's worst over 8 perturbations was 1.87
    # (resnet50_w64_train), 0.46 (mobilenetv2_w32_min2_last8) and 1.11 (mobilenetv1_w64_cifar) of the
    # base tolerance, and the Swift engine's over 20 (`make test-robust` seeds 1–20) 3.93, < 1, 1.74.
    ("resnet50_w64_train", "resnet50-w64", 5, 8, 2, True, 16),
    ("resnet50_w64_eval", "resnet50-w64", 5, 12, 2, False),
    ("mobilenetv2_w32_min2_last8", "mobilenetv2-w32-min2-last8", 5, 8, 2, True, 2),
    ("mobilenetv2_w32_eval", "mobilenetv2-w32-min2-last8", 5, 12, 2, False),
    ("mobilenetv1_w64_cifar", "mobilenetv1-w64", 5, 16, 2, True, 8),
]


def randomise(model, g):
    """Float32-representable weights with non-trivial BN affine and running statistics."""
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, nn.Conv2d):
                fan_out = mod.out_channels * mod.kernel_size[0] * mod.kernel_size[1]
                mod.weight.copy_(randn(list(mod.weight.shape), g, (2.0 / fan_out) ** 0.5))
            elif isinstance(mod, nn.BatchNorm2d):
                c = mod.num_features
                mod.weight.copy_(rand([c], g, 0.5, 1.5)); mod.bias.copy_(rand([c], g, -0.2, 0.2))
                mod.running_mean.copy_(rand([c], g, -0.2, 0.2)); mod.running_var.copy_(rand([c], g, 0.5, 1.5))
            elif isinstance(mod, nn.Linear):
                b = 1 / mod.in_features ** 0.5
                mod.weight.copy_(rand(list(mod.weight.shape), g, -b, b)); mod.bias.copy_(rand([mod.out_features], g, -b, b))


def fixture(name, arch, classes, size, batch, training, tolerance_scale=1):
    seed = seed_for(name)
    g = generator_for(seed)
    torch.manual_seed(seed)
    model = build(arch, classes, size).double()
    randomise(model, g)
    state = {k: v.detach().clone() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    x = randn([batch, 3, size, size], g, requires_grad=True)
    labels = torch.randint(0, classes, [batch], generator=g)
    model.train(training)
    logits, taps = model(x)
    loss = F.cross_entropy(logits, labels)
    tap_names = [f"tap.stage{i + 1}" for i in range(len(taps))]
    upstream = {k: randn(list(t.shape), g, 0.05) for k, t in zip(tap_names, taps)}
    total = loss + sum((t * upstream[k]).sum() for k, t in zip(tap_names, taps))
    params = dict(model.named_parameters())
    gs = torch.autograd.grad(total, [x] + list(params.values()))
    expected = {"logits": logits, "loss": loss}
    expected.update({k: t for k, t in zip(tap_names, taps)})
    expected["grad.x"] = gs[0]
    expected.update({"grad." + k: v for k, v in zip(params.keys(), gs[1:])})
    if training:
        after = model.state_dict()
        expected.update({"updated." + k: after[k] for k in state if "running_" in k})
    inputs = {"x": x, "labels": labels}
    inputs.update(state)
    tolerance = {"rtol": 1e-3 * tolerance_scale, "atol": 1e-4 * tolerance_scale}
    check_conditioning(name, arch, classes, size, training, state, x, labels, upstream, expected, tolerance)
    size_bytes = write_fixture(
        f"models/{name}.json", name, "model",
        {"arch": arch, "classes": classes, "input": size, "training": training},
        inputs, expected, upstream=upstream, tolerance=tolerance, seed=seed,
        generator=__file__, integer_inputs=("labels",))
    n_params = sum(p.numel() for p in params.values())
    print(f"{name}: {n_params} parameters, {size_bytes} bytes")


def check_conditioning(name, arch, classes, size, training, state, x, labels, upstream, expected, tolerance,
                       limit=0.25, perturbations=8, relative=1e-6):
    """Refuses an ill-posed fixture: it must not depend on how a float32 engine rounds.

    A tiny model can sit near a ReLU kink or a BN channel with almost no variance, where any
    float32 implementation drifts from the float64 truth; such a fixture would test luck. Two
    probes, each within `limit` of the tolerance: torch in float32, and `perturbations` float64
    runs with every convolution / linear output and input gradient multiplied by (1 + ε·u),
    u ∈ [−½, ½), ε = `relative` (ten times the rounding difference between OpenBLAS kernels;
    the Swift side's `make test-robust` applies the same perturbation to our engine).
    """
    def gradients(dtype, hooks_seed=None):
        m = build(arch, classes, size).to(dtype)
        m.load_state_dict({k: v.to(dtype) for k, v in state.items()}, strict=False)
        m.train(training)
        handles = []
        if hooks_seed is not None:
            gen = torch.Generator().manual_seed(hooks_seed)

            def scale(t):
                return t * (1 + relative * (torch.rand(t.shape, generator=gen, dtype=t.dtype) - 0.5))

            for mod in m.modules():
                if isinstance(mod, (nn.Conv2d, nn.Linear)):
                    handles.append(mod.register_forward_hook(lambda _m, _i, out: scale(out)))
                    handles.append(mod.register_full_backward_hook(
                        lambda _m, gin, _gout: tuple(None if g is None else scale(g) for g in gin)))
        xx = x.detach().to(dtype).requires_grad_(True)
        logits, taps = m(xx)
        total = F.cross_entropy(logits, labels) + sum(
            (t * upstream[f"tap.stage{i + 1}"].to(dtype)).sum() for i, t in enumerate(taps))
        names = ["x"] + [k for k, _ in m.named_parameters()]
        gs = torch.autograd.grad(total, [xx] + [p for _, p in m.named_parameters()])
        for h in handles:
            h.remove()
        return max(((g.double() - expected["grad." + k]).abs()
                    / (tolerance["atol"] + tolerance["rtol"] * expected["grad." + k].abs())).max().item()
                   for k, g in zip(names, gs))

    worst32 = gradients(torch.float32)
    worst_perturbed = max(gradients(torch.float64, seed) for seed in range(1, perturbations + 1))
    print(f"{name}: float32 reaches {worst32:.3f}, perturbed float64 {worst_perturbed:.3f} of the tolerance")
    if max(worst32, worst_perturbed) > limit:
        raise SystemExit(f"{name}: ill-conditioned (float32 {worst32:.2f}, perturbed {worst_perturbed:.2f} of the "
                         "tolerance); change its size, batch or name")


COUNT_NAMES = [("resnet20", 32), ("resnet32", 32), ("resnet56", 32), ("resnet110", 32), ("resnet20-b", 32),
               ("resnet32-b", 32), ("resnet56-b", 32), ("resnet110-b", 32), ("resnet18", 224), ("resnet34", 224),
               ("resnet50", 224), ("resnet18", 32), ("resnet50", 32), ("resnet50-w4", 32),
               ("wrn-16-1", 32), ("wrn-16-2", 32), ("wrn-16-4", 32), ("wrn-28-4", 32), ("wrn-40-1", 32),
               ("wrn-40-2", 32), ("mobilenetv2", 224), ("mobilenetv2", 32), ("mobilenetv2-half", 32),
               ("mobilenetv1", 224), ("mobilenetv1", 32)]


def counts():
    for name, size in COUNT_NAMES:
        row = [sum(p.numel() for p in build(name, k, size).parameters()) for k in (10, 100, 1000)]
        print(f"{name:18s} input {size:3d}: " + " ".join(f"{v:>11,}" for v in row))


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    if "--counts" in sys.argv:
        counts()
    else:
        only = [a for a in sys.argv[1:] if not a.startswith("--")]
        for case in CASES:
            if not only or case[0] in only:
                fixture(*case)
