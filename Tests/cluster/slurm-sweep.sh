#!/usr/bin/env bash
# The Slurm job array on a real one-node Slurm (slurm-local.sh): `atkd slurm` of the smoke spec
# (a teacher job, then an array of one shard per unit after it), submitted and compared unit by
# unit with the sequential `make smoke` run (.build/smoke-runs). Opt-in: `make test-slurm`.
set -euo pipefail
cd "$(dirname "$0")/../.."
ATKD=${ATKD:-.build/release/atkd}
SEQ=${SEQ:-.build/smoke-runs}
OUT=.build/slurm-runs
[ -d "$SEQ/cifar-smoke" ] || "$ATKD" run experiments/cifar-smoke.json --seeds 1 --runs "$SEQ" --fresh --quiet
rm -rf "$OUT"
trap 'Tests/cluster/slurm-local.sh down > /dev/null 2>&1 || true' EXIT
Tests/cluster/slurm-local.sh up
"$ATKD" slurm experiments/cifar-smoke.json --runs "$OUT" --out "$OUT/slurm"
start=$(date +%s)
Tests/cluster/slurm-local.sh run "$OUT/slurm/submit.sh"
echo "slurm-sweep: teacher job and 4-task array finished in $(( $(date +%s) - start )) s"
result=$(Tests/cluster/compare-units.py "$SEQ/cifar-smoke" "$OUT/cifar-smoke" --units 4 --shards 0/4,1/4,2/4,3/4) \
  || { echo "slurm-sweep: $result" >&2; exit 1; }
echo "slurm-sweep: $result"

# One data-parallel MPI job: `atkd slurm --ranks 2 --data-parallel --sync-bn` of a small spec (global batch 20,
# 10 images per rank), its teacher and two arms each trained over both ranks inside the Slurm allocation.
DP=.build/slurm-dp-runs
rm -rf "$DP"; mkdir -p "$DP"
cat > "$DP/dp.json" <<JSON
{"name": "slurm-dp", "arms": ["ce", "kd"], "dataset": {"train_per_class": 4, "test_per_class": 2},
 "teacher": {"model": "resnet20", "train": {"epochs": 1, "batch_size": 20, "lr": 0.05}},
 "student": {"model": "wrn-16-1", "train": {"epochs": 1, "batch_size": 20, "lr": 0.05}}}
JSON
"$ATKD" slurm "$DP/dp.json" --ranks 2 --data-parallel --sync-bn --cpus-per-task 1 --runs "$DP" --out "$DP/slurm"
grep -q -- "--data-parallel --sync-bn" "$DP/slurm/units.sbatch" || { echo "slurm-sweep: no data-parallel mpirun line" >&2; exit 1; }
start=$(date +%s)
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1 \
  Tests/cluster/slurm-local.sh run "$DP/slurm/submit.sh"
for unit in teacher ce-seed1 kd-seed1; do
  python3 - "$DP/slurm-dp/$unit/final.json" <<'PY' || { echo "slurm-sweep: data-parallel unit $unit" >&2; cat "$DP"/slurm/*.out >&2; exit 1; }
import json, sys
s = json.load(open(sys.argv[1]))
assert s["labels"].get("data_parallel") == "2 processes, synchronised batch norm", s["labels"]
PY
done
echo "slurm-sweep: data-parallel MPI job (2 ranks, sync-bn; teacher + 2 arms) finished in $(( $(date +%s) - start )) s"
