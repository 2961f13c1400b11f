#!/usr/bin/env bash
# Data-parallel training on one machine (issue 20, item 6): 2 MPI ranks × 1 thread against
# 1 process × 2 threads, same model, data and global batch, alternated for ROUNDS rounds.
# Prints training img/s (final.json's train_img_per_s: training steps only, no evaluation) and,
# for the ranks, the time in MPI_Allreduce per step (gradients + step totals).
#
#   bench/data_parallel.sh [MODEL ...]      (default: resnet20 wrn-16-2; ROUNDS=2, IMAGES_PER_CLASS=256)
# Pause other work first: every number here is a share of the same 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
ATKD=${ATKD:-.build/release/atkd}
ROUNDS=${ROUNDS:-2}
PER_CLASS=${IMAGES_PER_CLASS:-256}
MODELS=("${@:-resnet20 wrn-16-2}")
read -r -a MODELS <<< "${MODELS[*]}"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cat > "$OUT/spec.json" <<JSON
{"name": "dp-bench", "dataset": {"train_per_class": $PER_CLASS, "test_per_class": 1},
 "teacher": {"model": "resnet20", "train": {"epochs": 1, "batch_size": 128, "lr": 0.05}}}
JSON
field() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["train_images_per_second"] if sys.argv[2]=="ips" else s["labels"].get("allreduce_ms_per_step","-"))' "$1" "$2"; }
echo "| model | round | 1 process × 2 threads img/s | 2 ranks × 1 thread img/s | ratio | allreduce ms/step | sync-bn img/s |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for model in "${MODELS[@]}"; do
  for round in $(seq 1 "$ROUNDS"); do
    common=(train --spec "$OUT/spec.json" --model "$model" --quiet --runs "$OUT/runs" --fresh)
    "$ATKD" "${common[@]}" --name "one-$model-$round" --threads 2 > /dev/null
    OMPI_MCA_mpi_yield_when_idle=1 mpirun --allow-run-as-root --oversubscribe -np 2 --bind-to core \
      "$ATKD" "${common[@]}" --name "dp-$model-$round" --threads 1 --data-parallel > /dev/null
    OMPI_MCA_mpi_yield_when_idle=1 mpirun --allow-run-as-root --oversubscribe -np 2 --bind-to core \
      "$ATKD" "${common[@]}" --name "sync-$model-$round" --threads 1 --data-parallel --sync-bn > /dev/null
    one=$(field "$OUT/runs/one-$model-$round/teacher/final.json" ips)
    dp=$(field "$OUT/runs/dp-$model-$round/teacher/final.json" ips)
    ms=$(field "$OUT/runs/dp-$model-$round/teacher/final.json" ms)
    sync=$(field "$OUT/runs/sync-$model-$round/teacher/final.json" ips)
    printf '| %s | %d | %.0f | %.0f | %.2f | %s | %.0f |\n' "$model" "$round" "$one" "$dp" \
      "$(python3 -c "print($dp / $one)")" "$ms" "$sync"
  done
done
