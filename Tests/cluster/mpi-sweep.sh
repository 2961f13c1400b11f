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
result=$(Tests/cluster/compare-units.py "$SEQ/cifar-smoke" "$OUT/cifar-smoke" --units 4 --shards 0/2,1/2) \
  || { echo "mpi-sweep: $result" >&2; exit 1; }
echo "mpi-sweep: $result"
