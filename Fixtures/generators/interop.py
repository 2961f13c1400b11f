"""Golden files for weights travelling between PyTorch and atkd (safetensors, issue 21).

Run from the package root:  .venv-torch/bin/python Fixtures/generators/interop.py [--check-exports]
(needs `pip install safetensors numpy` beside torch).

For each case, a tiny instance of one zoo family with randomised float32-representable weights
and BN statistics (models.randomise) is written by PyTorch as a state_dict in
Fixtures/interop/<name>.safetensors (safetensors.torch.save_file, `num_batches_tracked` included),
with Fixtures/interop/<name>.io.safetensors holding a batch `x` (F32) and the eval-mode `logits`
computed in float64 (F64), and the tolerance and provenance in its metadata. The Swift test loads
the state_dict into our model and compares logits; it also exports the loaded model and reads it
back. `--check-exports` loads Fixtures/interop/<name>.atkd.safetensors — written by
`atkd convert <name>.safetensors x.atkd && atkd convert x.atkd <name>.atkd.safetensors` — into the
PyTorch model with strict=True and checks the same logits: atkd's export read by PyTorch.
"""

import pathlib
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import models as M  # noqa: E402
from fixture_io import generator_for, library_version, randn, seed_for  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "interop"
TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}

CASES = [
    # name, arch (zoo name), classes, input, batch — one per family: CIFAR ResNet (RepDistiller
    # names), WRN (attention-transfer / RepDistiller names), CIFAR MobileNetV2 (kuangliu names),
    # ResNet-50 with torchvision's names (ImageNet stem).
    ("resnet8_w8", "resnet8-w8", 10, 8, 2),
    ("wrn10_2_w16", "wrn-10-2-w16", 10, 8, 2),
    ("mobilenetv2_w32_min2_last8", "mobilenetv2-w32-min2-last8", 5, 8, 2),
    ("resnet50_w64_imagenet", "resnet50-w64-imagenet", 5, 32, 2),
    # mdistiller's MobileNetV1 names. (torchvision's ImageNet MobileNetV2 is not here: models.py
    # builds it for parameter counts only, without a forward.)
    ("mobilenetv1_w32", "mobilenetv1-w32", 5, 8, 2),
]


def build(name, arch, classes, size, batch):
    seed = seed_for("interop-" + name)
    g = generator_for(seed)
    model = M.build(arch, classes, size).double()
    M.randomise(model, g)
    model.eval()
    x = randn([batch, 3, size, size], g)
    return model, x, seed


def write(name, arch, classes, size, batch):
    model, x, seed = build(name, arch, classes, size, batch)
    with torch.no_grad():
        logits, _ = model(x)
    meta = {"architecture": arch, "classes": str(classes), "generator": "Fixtures/generators/interop.py",
            "library": library_version(), "seed": str(seed)}
    state = {k: (v.float() if v.is_floating_point() else v).contiguous() for k, v in model.state_dict().items()}
    save_file(state, OUT / f"{name}.safetensors", metadata=meta)
    io = {"x": x.float().contiguous(), "logits": logits.contiguous()}
    save_file(io, OUT / f"{name}.io.safetensors", metadata=dict(meta, input=str(size),
              rtol=str(TOLERANCE["rtol"]), atol=str(TOLERANCE["atol"])))
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, {len(state)} state_dict keys")


def check_export(name, arch, classes, size, batch):
    path = OUT / f"{name}.atkd.safetensors"
    if not path.exists():
        print(f"{name}: no {path.name} (write it with atkd convert, see the docstring)")
        return False
    model, x, _ = build(name, arch, classes, size, batch)
    state = {k: v.double() if v.is_floating_point() else v for k, v in load_file(path).items()}
    model.load_state_dict(state, strict=True)
    with torch.no_grad():
        logits, _ = model(x)
    expected = load_file(OUT / f"{name}.io.safetensors")["logits"]
    err = ((logits - expected).abs() / (TOLERANCE["atol"] + TOLERANCE["rtol"] * expected.abs())).max().item()
    with safe_open(path, "pt") as f:
        meta = f.metadata()
    ok = err <= 1
    print(f"{name}: atkd export loads strictly into PyTorch; logits within {err:.4f} of the tolerance; "
          f"metadata architecture={meta.get('architecture')}: {'ok' if ok else 'FAIL'}")
    return ok


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    OUT.mkdir(exist_ok=True)
    if "--check-exports" in sys.argv:
        results = [check_export(*case) for case in CASES]
        sys.exit(0 if all(results) else 1)
    only = [a for a in sys.argv[1:] if not a.startswith("--")]
    for case in CASES:
        if not only or case[0] in only:
            write(*case)
