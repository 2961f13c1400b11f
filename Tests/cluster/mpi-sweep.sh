#!/usr/bin/env bash
# An MPI sweep gives every unit the sequential run's numbers: `mpirun -np 2 atkd run` of the smoke
# spec against the sequential `make smoke` run (.build/smoke-runs), unit by unit — final metrics,
# best epoch, and every metrics.tsv column except wall-clock ones. Run by `make test` after smoke.
set -euo pipefail
cd "$(dirname "$0")/../.."
ATKD=${ATKD:-.build/release/atkd}
SEQ=${SEQ:-.build/smoke-runs}
OUT=.build/mpi-runs
command -v mpirun > /dev/null || { echo "mpi-sweep: mpirun missing (make setup installs openmpi-bin)" >&2; exit 1; }
[ -d "$SEQ/cifar-smoke" ] || "$ATKD" run experiments/cifar-smoke.json --seeds 1 --runs "$SEQ" --fresh --quiet
rm -rf "$OUT"
start=$(date +%s)
# NOTE: waiting ranks yield the CPU (Open MPI busy-polls by default), so rank 0 trains the teacher at full speed.
OMPI_MCA_mpi_yield_when_idle=1 mpirun --allow-run-as-root --oversubscribe -np 2 \
  "$ATKD" run experiments/cifar-smoke.json --seeds 1 --runs "$OUT" --fresh --quiet > "$OUT.log" 2>&1 \
  || { cat "$OUT.log"; echo "mpi-sweep: mpirun failed" >&2; exit 1; }
echo "mpi-sweep: 2 ranks finished in $(( $(date +%s) - start )) s"
python3 - "$SEQ/cifar-smoke" "$OUT/cifar-smoke" <<'PY'
import json, sys, os
seq, mpi = sys.argv[1], sys.argv[2]
clock = {"epoch_seconds", "train_img_per_s"}
units = sorted(u for u in os.listdir(seq) if os.path.isfile(f"{seq}/{u}/final.json") and u != "teacher")
assert len(units) == 4, f"expected 4 sequential units, found {units}"
bad = []
for u in units:
    a, b = (json.load(open(f"{d}/{u}/final.json")) for d in (seq, mpi))
    for k in ("final", "best_top1", "best_epoch", "params", "macs", "epochs", "model"):
        if a[k] != b[k]: bad.append(f"{u}: {k} differs: {a[k]!r} vs {b[k]!r}")
    ta, tb = (open(f"{d}/{u}/metrics.tsv").read().splitlines() for d in (seq, mpi))
    head = ta[0].split("\t")
    if len(ta) != len(tb): bad.append(f"{u}: metrics.tsv has {len(ta)} vs {len(tb)} lines")
    for ra, rb in zip(ta[1:], tb[1:]):
        for name, x, y in zip(head, ra.split("\t"), rb.split("\t")):
            if name not in clock and x != y: bad.append(f"{u}: metrics.tsv {name}: {x} vs {y}")
shards = sorted({json.load(open(f"{mpi}/{u}/final.json"))["labels"].get("shard") for u in units}, key=str)
if shards != ["0/2", "1/2"]: bad.append(f"units were not spread over both ranks: shards {shards}")
print("mpi-sweep: " + ("; ".join(bad) if bad else f"{len(units)} units bit-identical to the sequential run ({', '.join(units)})"))
sys.exit(1 if bad else 0)
PY
