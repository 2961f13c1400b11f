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
