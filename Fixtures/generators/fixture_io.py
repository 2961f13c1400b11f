"""Writes golden fixtures in format v1 (Fixtures/README.md); shared by every generator.

Generators import this module, build float32-representable inputs with
`rand`, compute outputs (in float64 for accuracy), and call `write_fixture`.
Values are stored as the exact decimal of a float32 (Python `repr` of the
float32 widened to a double), so Swift reads back the very same Float.
"""

import json
import pathlib
import zlib

import torch

FORMAT_VERSION = 1
PACKAGE_ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES_DIR = PACKAGE_ROOT / "Fixtures"
MAX_BYTES = 100 * 1024  # house rule: each fixture < 100 KB
DEFAULT_TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}


def library_version():
    """'torch X.Y.Z' without the local build tag (e.g. '+cpu')."""
    return "torch " + torch.__version__.split("+")[0]


def seed_for(name):
    """A stable per-fixture seed, so regenerating one fixture leaves the others unchanged."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def generator_for(seed):
    g = torch.Generator().manual_seed(seed)
    return g


def rand(shape, g, low=-1.0, high=1.0, requires_grad=False):
    """Uniform values in [low, high), rounded to float32, held as float64."""
    t = (torch.rand(shape, generator=g, dtype=torch.float64) * (high - low) + low)
    t = t.to(torch.float32).to(torch.float64)
    return t.requires_grad_(requires_grad)


def randn(shape, g, scale=1.0, requires_grad=False):
    """Normal values times `scale`, rounded to float32, held as float64."""
    t = (torch.randn(shape, generator=g, dtype=torch.float64) * scale)
    t = t.to(torch.float32).to(torch.float64)
    return t.requires_grad_(requires_grad)


def _number(v):
    """The exact decimal of float32(v) (repr of a double round-trips)."""
    f = float(torch.tensor(v, dtype=torch.float64).to(torch.float32).item())
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError("non-finite value in fixture")
    return f


def tensor(t, integer=False):
    """A v1 tensor object {"shape", "data"}; `integer` keeps whole numbers as ints (labels)."""
    t = t.detach()
    shape = list(t.shape)
    flat = t.reshape(-1).tolist()
    data = [int(v) for v in flat] if integer else [_number(v) for v in flat]
    return {"shape": shape, "data": data}


def write_fixture(relpath, name, op, params, inputs, expected, upstream=None,
                  tolerance=None, seed=0, generator=None, integer_inputs=(), extra=None):
    """Writes Fixtures/<relpath> and returns its size in bytes.

    inputs / upstream / expected map names to torch tensors (gradients are
    named 'grad.<input>'); `integer_inputs` names inputs written as ints.
    `generator` is the calling script's __file__; it is recorded relative to
    the package root, never as an absolute path.
    """
    gen_path = pathlib.Path(generator).resolve().relative_to(PACKAGE_ROOT).as_posix() \
        if generator else "Fixtures/generators/fixture_io.py"
    doc = {
        "format": FORMAT_VERSION,
        "name": name,
        "op": op,
        "params": params,
        "inputs": {k: tensor(v, integer=k in integer_inputs) for k, v in inputs.items()},
    }
    if upstream:
        doc["upstream"] = {k: tensor(v) for k, v in upstream.items()}
    doc["expected"] = {k: tensor(v) for k, v in expected.items()}
    doc["tolerance"] = dict(tolerance or DEFAULT_TOLERANCE)
    doc["provenance"] = {"generator": gen_path, "library": library_version(), "seed": seed}
    if extra:
        doc.update(extra)
    text = json.dumps(doc, separators=(",", ":")) + "\n"
    if len(text) > MAX_BYTES:
        raise ValueError(f"{name}: fixture is {len(text)} bytes, over the {MAX_BYTES}-byte limit")
    path = FIXTURES_DIR / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return len(text)


def grads(inputs, outputs_and_upstream=None, loss=None):
    """Gradients 'grad.<name>' of `loss`, or of Σ output ⊙ upstream over the given pairs.

    Only inputs with requires_grad get a gradient.
    """
    if loss is None:
        loss = sum((y * r).sum() for y, r in outputs_and_upstream)
    names = [k for k, v in inputs.items() if v.requires_grad]
    gs = torch.autograd.grad(loss, [inputs[k] for k in names])
    return {"grad." + k: g for k, g in zip(names, gs)}
