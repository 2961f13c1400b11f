#!/usr/bin/env python3
"""PyTorch CPU peer benchmark: training and inference throughput of the
architectures this project trains, on the same machine, for side-by-side
ratios (ours / PyTorch). Prints one JSON object per line.

Provenance: copied from the team's shared/bench/pytorch_peer.py; adapted for
`atkd bench` (which runs it, see BENCHMARKS.md): `--pair T:S` (repeatable)
chooses the pairs, `none` as the model list times pairs only, and each record
adds `peak_rss_mb` (VmHWM, reset per model via /proc/self/clear_refs). Model
definitions, step definitions and the timing rule are unchanged; `resnet50-w4-awconv`
(AWConv, AWBottleneck) merged from the shared copy on 2026-12-03; `--bf16` runs forward passes
and losses under `torch.autocast("cpu", dtype=torch.bfloat16)` (issue 17's bf16 comparison).

Setup (CPU build from this machine's local wheel folder; plain
`pip install torch` would pull ~3 GB of CUDA wheels):
    python3 -m venv .venv-peer && .venv-peer/bin/pip install torch==2.13.0
Run:
    .venv-peer/bin/python pytorch_peer.py [MODEL,...|all] [--threads 2]
        [--batch 128] [--input 32] [--seconds 20] [--nchw] [--pairs] [--pair T:S] [--bf16]

Architectures (match them exactly in the project before comparing):
  resnet20/56     He et al. CIFAR ResNet, option-A (zero-pad) shortcuts
  wrn-D-K         pre-activation WideResNet as in the AT reference code
  resnet18        3x3 stem, no max pool (CIFAR), BasicBlock, option-B
  resnet50[-w4]   CIFAR stem, Bottleneck, option-B; -w4 = width 1/4
  resnet50-w4-awconv  the same with every Bottleneck 3x3 conv an
                  AW-convolution as the project defines it (see AWConv):
                  adaptive avg-pool to kxk -> 1x1 conv (M = max(4, C/16))
                  -> ReLU -> 1x1 conv to O+C logits (zero init) ->
                  A[n,o,c,t] = 2*sigmoid(a[n,o,t] + b[n,c,t]); the sample's
                  kernel A_n * K runs as one grouped conv (groups = N)
  mobilenetv2[-half]  CIFAR variant (stride-1 stem, stage 2 stride 1,
                  1x1 conv shortcut when channels change at stride 1);
                  -half = every width x0.5 (int), last conv 1280 kept
A train step is forward + cross-entropy + backward + SGD (momentum 0.9,
Nesterov, wd 5e-4); channels_last unless --nchw. --pairs also times a
KD+AT student step (teacher in eval/no_grad, T=4, beta=1000).
"""
import argparse, json, sys, time
import torch, torch.nn as nn, torch.nn.functional as F


class BlockA(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False); self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False); self.b2 = nn.BatchNorm2d(cout)
        self.pad, self.stride = cout - cin, stride

    def forward(self, x):
        o = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        sc = x
        if self.stride != 1 or self.pad:
            sc = F.pad(x[:, :, ::self.stride, ::self.stride],
                       (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        return F.relu(o + sc)


class ResNetCifar(nn.Module):
    def __init__(self, depth, classes):
        super().__init__()
        n = (depth - 2) // 6
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False); self.bn = nn.BatchNorm2d(16)
        self.groups, cin = nn.ModuleList(), 16
        for i, w in enumerate([16, 32, 64]):
            blocks = []
            for j in range(n):
                blocks.append(BlockA(cin, w, 2 if (j == 0 and i > 0) else 1)); cin = w
            self.groups.append(nn.Sequential(*blocks))
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x))); taps = []
        for g in self.groups:
            x = g(x); taps.append(x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1)), taps


class WideBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.b1 = nn.BatchNorm2d(cin); self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout); self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.sc = None if (cin == cout and stride == 1) else nn.Conv2d(cin, cout, 1, stride, 0, bias=False)

    def forward(self, x):
        o = F.relu(self.b1(x))
        y = self.c2(F.relu(self.b2(self.c1(o))))
        return y + (x if self.sc is None else self.sc(o))


class WRN(nn.Module):
    def __init__(self, depth, k, classes):
        super().__init__()
        n, w = (depth - 4) // 6, [16, 16 * k, 32 * k, 64 * k]
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.groups, cin = nn.ModuleList(), 16
        for i in range(3):
            blocks = []
            for j in range(n):
                blocks.append(WideBlock(cin, w[i + 1], (1 if i == 0 else 2) if j == 0 else 1)); cin = w[i + 1]
            self.groups.append(nn.Sequential(*blocks))
        self.bn = nn.BatchNorm2d(cin); self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.conv(x); taps = []
        for g in self.groups:
            x = g(x); taps.append(x)
        return self.fc(F.adaptive_avg_pool2d(F.relu(self.bn(x)), 1).flatten(1)), taps


class Basic(nn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False); self.b1 = nn.BatchNorm2d(planes)
        self.c2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False); self.b2 = nn.BatchNorm2d(planes)
        self.sc = nn.Sequential()
        if stride != 1 or cin != planes:
            self.sc = nn.Sequential(nn.Conv2d(cin, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        return F.relu(self.b2(self.c2(F.relu(self.b1(self.c1(x))))) + self.sc(x))


class AWConv(nn.Module):
    """Kernel-shaped attention per sample: y_n = conv(x_n, A_n * K)."""

    def __init__(self, cin, cout, k, stride, pad):
        super().__init__()
        m = max(4, cin // 16)
        self.cin, self.cout, self.k, self.stride, self.pad = cin, cout, k, stride, pad
        self.weight = nn.Parameter(torch.empty(cout, cin, k, k))
        nn.init.kaiming_normal_(self.weight, mode="fan_out", nonlinearity="relu")
        self.pw1 = nn.Conv2d(cin, m, 1); self.pw2 = nn.Conv2d(m, cout + cin, 1)
        nn.init.zeros_(self.pw2.weight); nn.init.zeros_(self.pw2.bias)

    def forward(self, x):
        n, c, h, w = x.shape
        z = self.pw2(F.relu(self.pw1(F.adaptive_avg_pool2d(x, self.k))))
        a = 2 * torch.sigmoid(z[:, :self.cout].unsqueeze(2) + z[:, self.cout:].unsqueeze(1))
        kern = (a * self.weight.unsqueeze(0)).reshape(n * self.cout, c, self.k, self.k)
        y = F.conv2d(x.reshape(1, n * c, h, w), kern, None, self.stride, self.pad, groups=n)
        return y.reshape(n, self.cout, y.shape[2], y.shape[3])


class Bottleneck(nn.Module):
    expansion = 4
    aw = False

    def __init__(self, cin, planes, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, planes, 1, bias=False); self.b1 = nn.BatchNorm2d(planes)
        self.c2 = (AWConv(planes, planes, 3, stride, 1) if self.aw
                   else nn.Conv2d(planes, planes, 3, stride, 1, bias=False)); self.b2 = nn.BatchNorm2d(planes)
        self.c3 = nn.Conv2d(planes, 4 * planes, 1, bias=False); self.b3 = nn.BatchNorm2d(4 * planes)
        self.sc = nn.Sequential()
        if stride != 1 or cin != 4 * planes:
            self.sc = nn.Sequential(nn.Conv2d(cin, 4 * planes, 1, stride, bias=False), nn.BatchNorm2d(4 * planes))

    def forward(self, x):
        o = F.relu(self.b1(self.c1(x))); o = F.relu(self.b2(self.c2(o))); o = self.b3(self.c3(o))
        return F.relu(o + self.sc(x))


class AWBottleneck(Bottleneck):
    aw = True


class ResNet(nn.Module):
    def __init__(self, block, nb, classes, width=1.0):
        super().__init__()
        base = [int(64 * width), int(128 * width), int(256 * width), int(512 * width)]
        self.cin = base[0]
        self.conv = nn.Conv2d(3, base[0], 3, 1, 1, bias=False); self.bn = nn.BatchNorm2d(base[0])
        self.stages = nn.ModuleList([self._make(block, base[i], nb[i], 1 if i == 0 else 2) for i in range(4)])
        self.fc = nn.Linear(base[3] * block.expansion, classes)

    def _make(self, block, planes, n, stride):
        layers = []
        for s in [stride] + [1] * (n - 1):
            layers.append(block(self.cin, planes, s)); self.cin = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x))); taps = []
        for s in self.stages:
            x = s(x); taps.append(x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1)), taps


class MBBlock(nn.Module):
    def __init__(self, cin, cout, expansion, stride):
        super().__init__()
        planes = expansion * cin; self.stride = stride
        self.c1 = nn.Conv2d(cin, planes, 1, bias=False); self.b1 = nn.BatchNorm2d(planes)
        self.c2 = nn.Conv2d(planes, planes, 3, stride, 1, groups=planes, bias=False); self.b2 = nn.BatchNorm2d(planes)
        self.c3 = nn.Conv2d(planes, cout, 1, bias=False); self.b3 = nn.BatchNorm2d(cout)
        self.sc = nn.Sequential()
        if stride == 1 and cin != cout:
            self.sc = nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        o = F.relu(self.b1(self.c1(x))); o = F.relu(self.b2(self.c2(o))); o = self.b3(self.c3(o))
        return o + self.sc(x) if self.stride == 1 else o


class MobileNetV2(nn.Module):
    cfg = [(1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
    taps_after = {1, 2, 4, 6}  # cfg groups ending at 32x32, 16x16, 8x8, 4x4 on 32x32 input

    def __init__(self, classes, width=1.0):
        super().__init__()
        c = lambda v: max(8, int(v * width))
        self.conv = nn.Conv2d(3, c(32), 3, 1, 1, bias=False); self.bn = nn.BatchNorm2d(c(32))
        self.groups, cin = nn.ModuleList(), c(32)
        for e, cout, n, s in self.cfg:
            blocks = []
            for st in [s] + [1] * (n - 1):
                blocks.append(MBBlock(cin, c(cout), e, st)); cin = c(cout)
            self.groups.append(nn.Sequential(*blocks))
        self.conv2 = nn.Conv2d(cin, 1280, 1, bias=False); self.bn2 = nn.BatchNorm2d(1280)
        self.fc = nn.Linear(1280, classes)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x))); taps = []
        for i, g in enumerate(self.groups):
            x = g(x)
            if i in self.taps_after:
                taps.append(x)
        x = F.relu(self.bn2(self.conv2(x)))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1)), taps


def build(name, classes=10):
    if name.startswith("resnet") and name[6:].isdigit() and int(name[6:]) in (20, 32, 44, 56, 110):
        return ResNetCifar(int(name[6:]), classes)
    if name.startswith("wrn-"):
        _, d, k = name.split("-"); return WRN(int(d), int(k), classes)
    if name == "resnet18": return ResNet(Basic, [2, 2, 2, 2], classes)
    if name == "resnet50": return ResNet(Bottleneck, [3, 4, 6, 3], classes)
    if name == "resnet50-w4": return ResNet(Bottleneck, [3, 4, 6, 3], classes, 0.25)
    if name == "resnet50-w4-awconv": return ResNet(AWBottleneck, [3, 4, 6, 3], classes, 0.25)
    if name == "mobilenetv2": return MobileNetV2(classes)
    if name == "mobilenetv2-half": return MobileNetV2(classes, 0.5)
    raise SystemExit(f"unknown model {name}")


ALL = ["resnet20", "resnet56", "wrn-16-1", "wrn-16-2", "wrn-40-1", "wrn-40-2", "resnet18",
       "resnet50-w4", "resnet50-w4-awconv", "mobilenetv2-half", "mobilenetv2", "resnet50"]
PAIRS = [("wrn-16-2", "wrn-16-1"), ("wrn-40-2", "wrn-16-2"), ("resnet50-w4", "mobilenetv2-half"),
         ("resnet50-w4-awconv", "mobilenetv2-half")]


def macs_of(model, size):
    total = [0]
    def hook(m, i, o):
        if isinstance(m, nn.Conv2d):
            total[0] += o.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            total[0] += o.numel() * m.in_features
        elif isinstance(m, AWConv):
            total[0] += o.numel() * m.cin * m.k * m.k
    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear, AWConv))]
    model.eval()
    with torch.no_grad(): model(torch.zeros(1, 3, size, size))
    for h in hs: h.remove()
    return total[0]


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f: f.write("5")
    except OSError:
        pass


def peak_rss_mb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"): return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_time(fn, seconds):
    for _ in range(2): fn()
    ts, t0 = [], time.perf_counter()
    while len(ts) < 3 or (time.perf_counter() - t0 < seconds and len(ts) < 50):
        a = time.perf_counter(); fn(); ts.append(time.perf_counter() - a)
    ts.sort(); return ts[len(ts) // 2], len(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("models", nargs="?", default="all")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--input", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--nchw", action="store_true")
    ap.add_argument("--pairs", action="store_true")
    ap.add_argument("--pair", action="append", default=[], help="TEACHER:STUDENT (repeatable; implies --pairs)")
    ap.add_argument("--bf16", action="store_true",
                    help="forward passes and losses under torch.autocast('cpu', dtype=torch.bfloat16)")
    a = ap.parse_args()
    import contextlib
    def cast():
        return torch.autocast("cpu", dtype=torch.bfloat16) if a.bf16 else contextlib.nullcontext()
    precision = "bf16" if a.bf16 else "fp32"
    torch.set_num_threads(a.threads); torch.manual_seed(0)
    fmt = torch.contiguous_format if a.nchw else torch.channels_last
    x = torch.randn(a.batch, 3, a.input, a.input).contiguous(memory_format=fmt)
    y = torch.randint(0, 10, (a.batch,))
    names = ALL if a.models == "all" else [] if a.models == "none" else a.models.split(",")
    for name in names:
        reset_peak_rss()
        m = build(name).to(memory_format=fmt)
        params = sum(p.numel() for p in m.parameters()); macs = macs_of(m, a.input)
        opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True)
        m.train()
        def step():
            opt.zero_grad(set_to_none=True)
            with cast(): loss = F.cross_entropy(m(x)[0], y)
            loss.backward(); opt.step()
        t_train, n_train = median_time(step, a.seconds)
        m.eval()
        with torch.inference_mode(), cast():
            t_inf, _ = median_time(lambda: m(x), a.seconds / 2)
        print(json.dumps(dict(kind="model", model=name, params=params, macs=macs, batch=a.batch,
                              threads=a.threads, torch=torch.__version__, precision=precision,
                              train_img_s=a.batch / t_train, infer_img_s=a.batch / t_inf,
                              peak_rss_mb=peak_rss_mb(), train_steps_timed=n_train)), flush=True)
    pairs = [tuple(p.split(":", 1)) for p in a.pair] or PAIRS
    if a.pairs or a.pair:
        def at(f): return F.normalize(f.pow(2).mean(1).flatten(1))
        for tn, sn in pairs:
            reset_peak_rss()
            t, s = build(tn).to(memory_format=fmt).eval(), build(sn).to(memory_format=fmt).train()
            opt = torch.optim.SGD(s.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True)
            def kdat():
                with torch.no_grad(), cast(): tl, tt = t(x)
                opt.zero_grad(set_to_none=True)
                with cast(): sl, st = s(x)
                sl, tl = sl.float(), tl.float()
                st, tt = [f.float() for f in st], [f.float() for f in tt]
                kd = F.kl_div(F.log_softmax(sl / 4, 1), F.softmax(tl / 4, 1), reduction="batchmean") * 16
                loss = 0.9 * kd + 0.1 * F.cross_entropy(sl, y)
                for fs, ft in zip(st, tt):
                    if fs.shape[2] != ft.shape[2]:
                        side = min(fs.shape[2], ft.shape[2])
                        fs, ft = F.adaptive_avg_pool2d(fs, side), F.adaptive_avg_pool2d(ft, side)
                    loss = loss + 1000 * (at(fs) - at(ft)).pow(2).mean()
                loss.backward(); opt.step()
            tk, _ = median_time(kdat, a.seconds)
            print(json.dumps(dict(kind="pair", teacher=tn, student=sn, batch=a.batch, threads=a.threads, precision=precision,
                                  atkd_step_img_s=a.batch / tk, peak_rss_mb=peak_rss_mb())), flush=True)


if __name__ == "__main__":
    main()
