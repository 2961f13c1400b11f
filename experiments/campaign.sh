#!/usr/bin/env bash
# The evidence campaign (issue 16), niced and resumable, in the background.
#
#   experiments/campaign.sh start     start or continue it in the background (log: runs/campaign.log)
#   experiments/campaign.sh status    atkd status over its specs: done, running, remaining, measured cost
#   experiments/campaign.sh stop      stop it: every unit checkpoints (Ctrl-C to its atkd) and exits
#   experiments/campaign.sh save      finished units' summaries → reports/runs/<experiment>/<unit>/;
#                                     unfinished units' resumable state → experiments/campaign-state/
#   experiments/campaign.sh restore   on a fresh clone: finished summaries and saved states back under runs/,
#                                     so `start` skips the finished units and continues the unfinished ones
#   experiments/campaign.sh teacher-done SPEC   exit 0 when SPEC's teacher is trained (what the streams wait for)
#   experiments/campaign.sh stream ITEM...      run stream items (below) in order, in the foreground
#   experiments/campaign.sh tail                the TAIL items no stream has claimed, in the foreground
#
# ATKD (default .build/release/atkd) is the binary it runs; RUNS (default runs) the run folder; STATE
# (default experiments/campaign-state) the committed unfinished states.
set -euo pipefail
cd "$(dirname "$0")/.."
ATKD=${ATKD:-.build/release/atkd}
RUNS=${RUNS:-runs}
# (a), AT Table 1's WRN pair, runs first and alone at its spec's 2 threads (its units started so, and
# a unit resumes only with the threads it started with: the run fingerprint). Then two streams side
# by side, each at 1 thread, because two 1-thread processes train more images than one 2-thread one
# on this 2-core machine (measured 2026-12-03, experiments/README.md: 1.28× on the WRN pair's atkd
# step, 1.08× on (b)'s):
#   stream 1: the control teacher without the AW-convolution on (b)'s recipe (Zhu et al.'s claim),
#             then (b), the proposal's pair: the AW-conv teacher, then (b)'s seeds 1 and 3, then the
#             methods' seed-3 crdkd (below), then (c), the ImageNet subset with the resolution-fair
#             AT weight, and its β = 1000 arm;
#   stream 2: (a)'s AT+KD seed 1 again in bf16 precision (issue 17: bf16 against fp32 on a real run),
#             the methods of issue 22 on (a)'s pair (an add-on spec: its units land in (a)'s folder)
#             one seed at a time until (b)'s teacher exists, then (b)'s seed 2 (and seed 3's atkd,
#             below), then the methods' seeds 1–2;
#   either stream when its list is done (TAIL): the methods' seed 3 but crdkd, then (a)'s CE student on twice
#             its schedule (30 epochs, seed 1: how far the 15-epoch budget leaves CE from its plateau),
#             then (a)'s WRN-16-2 teacher alone on a 60-epoch one-cycle schedule (≈ the issue's 4 hours
#             here): where a longer schedule takes it, against the 40-epoch teacher's 89.06 %.
#             (b)'s students go one seed a process (fourteenth session; before, shards of arm × seed):
#             in one process a seed's kd runs the AW-conv teacher and its at and atkd read the cached
#             teacher outputs, so the teacher runs once a seed — ≈ 5.7 one-thread hours a seed
#             instead of ≈ 6.8 (experiments/README.md). (b) — the proposal's question — runs on both
#             streams as soon as its teacher exists and finishes before (c). Seed 3 is split
#             (eighteenth session): stream 1 runs its ce, kd and at, stream 2 its atkd beside them as
#             soon as seed 2 is done, reading the teacher outputs kd has written to disk (a second
#             process on a seed's store only reads it) — (b) ends ≈ 1.1 h sooner for ≈ 0.25 h of teacher
#             passes done twice (experiments/README.md).
FIRST=experiments/evidence-wrn16.json
R50=experiments/evidence-cifar-r50.json
LONG_WRN=experiments/evidence-wrn16-teacher-60ep.json
LONG_CE=experiments/evidence-wrn16-ce-30ep.json
METHODS=experiments/evidence-wrn16-methods.json
STREAM1=(control "teacher:$R50" "seed:1:$R50" "arms:ce,kd,at:seed:3:$R50"
         "arms:crdkd:seed:3:$METHODS"
         experiments/evidence-imagenette.json experiments/evidence-imagenette-beta1000.json)
STREAM2=(experiments/evidence-wrn16-bf16.json "until-teacher:$R50:$METHODS" "seed:2:$R50" "arms:atkd:seed:3:$R50"
         "seed:1:$METHODS" "seed:2:$METHODS")
# Then either stream takes the next item here as soon as its own list is done (eighteenth session):
# the methods' last seed, the 30-epoch CE student and the 60-epoch teacher go to whichever stream is free first, so neither
# stream idles while the other still has hours of work (a claim is a folder made atomically under
# $RUNS/.claims, cleared at every start).
# The methods' seed 3 is split (twenty-first session): its crdkd runs on stream 1 before (c), beside
# its crd on the stream that takes this TAIL item, so that the methods' last two units (≈ 1.3 and
# ≈ 1 one-thread hours) end together instead of one after the other; their states (≈ 47 MB, CRD's
# memory bank) are over the 25 MB a commit takes, so a fresh machine would restart them.
TAIL=("arms:dkd,rkd,sp,pkt,fitnet,crd:seed:3:$METHODS" "$LONG_CE" "trained:wrn-16-2:$LONG_WRN")
# evidence-wrn16-bf16-amx.json (the bf16 unit again with its products on AMX tiles, twenty-third
# session) ran on its own (`atkd run`, 2 threads), not in a stream; it is here for save and status.
SPECS=("$FIRST" "$R50" experiments/evidence-wrn16-bf16.json experiments/evidence-wrn16-bf16-amx.json experiments/evidence-wrn16-methods.json
       experiments/evidence-imagenette.json experiments/evidence-imagenette-beta1000.json "$LONG_CE")
CONTROL_TEACHER=(--spec "$R50" --model resnet50-w4
                 --out teachers/cifar10-full-resnet50-w4.atkd --name evidence-cifar-r50-control)
# Models trained on their own (`atkd train`), as NAME=SPEC: the status, save and restore cover them.
TRAINED=("evidence-cifar-r50-control=$R50" "evidence-wrn16-teacher-60ep=$LONG_WRN")
STATE=${STATE:-experiments/campaign-state}
SMALL=(spec.json final.json metrics.tsv steps.tsv events.jsonl fingerprint.json)

spec_name() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$1"; }

spec_seeds() { python3 -c 'import json,sys; print(*json.load(open(sys.argv[1])).get("seeds", [1]))' "$1"; }

spec_checkpoint() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["teacher"].get("checkpoint", ""))' "$1"; }

# The teacher of SPEC is trained: its checkpoint (written atomically when training ends; on a fresh
# clone the committed one, while runs/ holds only the restored summaries), or, for a spec without
# one, its run's final.json and model.
teacher_done() {
  local ck; ck=$(spec_checkpoint "$1")
  { [ -n "$ck" ] && [ -f "$ck" ]; } ||
    { [ -f "$RUNS/$(spec_name "$1")/teacher/final.json" ] && [ -f "$RUNS/$(spec_name "$1")/teacher/model.atkd" ]; }
}

# Waits (polling a minute at a time) until the experiment of SPEC has its trained teacher.
wait_for_teacher() { until teacher_done "$1"; do sleep 60; done; }

# Items: a spec (all its units), `teacher:SPEC` (only its teacher), `seed:K:SPEC` (seed K's units of
# SPEC, in one process, after its teacher exists), `arms:LIST:seed:K:SPEC` (the same for the arms
# LIST only) or `control` (the control teacher). A spec that fails (its
# error is in the log) does not stop the stream's later items; `stop` ends the loops before it
# interrupts their units, so an interrupted unit never lets the next one start.
run_stream() {
  local item spec part arms
  for item in "$@"; do
    case "$item" in
      control)
        [ -f teachers/cifar10-full-resnet50-w4.atkd ] ||
          nice -n 19 "$ATKD" train "${CONTROL_TEACHER[@]}" --runs "$RUNS" --quiet --threads 1 ||
          echo "campaign: the control teacher failed (exit $?); going on" ;;
      trained:*)
        # trained:MODEL:SPEC — MODEL alone on SPEC's teacher recipe, in runs/<SPEC's name>/teacher.
        part=${item#trained:}; spec=${part#*:}; part=${part%%:*}
        teacher_done "$spec" ||
          nice -n 19 "$ATKD" train --spec "$spec" --model "$part" --name "$(spec_name "$spec")" --runs "$RUNS" --quiet --threads 1 ||
          echo "campaign: atkd train $part on $spec failed (exit $?); going on" ;;
      teacher:*)
        spec=${item#teacher:}
        nice -n 19 "$ATKD" run "$spec" --teacher-only --runs "$RUNS" --quiet --threads 1 ||
          echo "campaign: $spec --teacher-only failed (exit $?); going on" ;;
      until-teacher:*)
        # until-teacher:WAIT:FILL — FILL's seeds one process each, until WAIT's teacher exists.
        part=${item#until-teacher:}; spec=${part#*:}; part=${part%%:*}
        for seed in $(spec_seeds "$spec"); do
          teacher_done "$part" && break
          nice -n 19 "$ATKD" run "$spec" --seeds "$seed" --runs "$RUNS" --quiet --threads 1 ||
            echo "campaign: $spec --seeds $seed failed (exit $?); going on"
        done ;;
      arms:*)
        # arms:LIST:seed:K:SPEC — seed K's arms LIST (comma-separated) of SPEC in one process, after its teacher exists.
        part=${item#arms:}; arms=${part%%:seed:*}; part=${part#*:seed:}; spec=${part#*:}; part=${part%%:*}
        wait_for_teacher "$spec"
        nice -n 19 "$ATKD" run "$spec" --seeds "$part" --arms "$arms" --runs "$RUNS" --quiet --threads 1 ||
          echo "campaign: $spec --seeds $part --arms $arms failed (exit $?); going on" ;;
      seed:*)
        part=${item#seed:}; spec=${part#*:}; part=${part%%:*}
        wait_for_teacher "$spec"
        nice -n 19 "$ATKD" run "$spec" --seeds "$part" --runs "$RUNS" --quiet --threads 1 ||
          echo "campaign: $spec --seeds $part failed (exit $?); going on" ;;
      *)
        nice -n 19 "$ATKD" run "$item" --runs "$RUNS" --quiet --threads 1 ||
          echo "campaign: $item failed (exit $?); going on" ;;
    esac
  done
}

# Claims ITEM for this stream: exit 0 for the first caller only (mkdir is atomic).
claim() {
  mkdir -p "$RUNS/.claims"
  mkdir "$RUNS/.claims/$(printf '%s' "$1" | md5sum | cut -c1-16)" 2> /dev/null
}

# The TAIL items this stream claims, in order.
run_tail() {
  local item
  for item in "${TAIL[@]}"; do
    if claim "$item"; then run_stream "$item"; fi
  done
}

run_all() {
  rm -rf "$RUNS/.claims"
  nice -n 19 "$ATKD" run "$FIRST" --runs "$RUNS" --quiet
  { run_stream "${STREAM1[@]}"; run_tail; } & local one=$!
  { run_stream "${STREAM2[@]}"; run_tail; } & local two=$!
  wait "$one" "$two"
}

case "${1:-}" in
  start)
    mkdir -p "$RUNS"
    ATKD="$ATKD" RUNS="$RUNS" nohup "$0" run >> "$RUNS/campaign.log" 2>&1 &
    echo "campaign: started (pid $!), log $RUNS/campaign.log" ;;
  run)
    run_all ;;
  stream)
    # stream ITEM...: those items in order, in the foreground (items as in STREAM1/STREAM2 above).
    shift; run_stream "$@" ;;
  tail)
    # The TAIL items not claimed yet by another stream, in the foreground.
    run_tail ;;
  stop)
    # The loops first (so none starts a next unit), then Ctrl-C to their atkd children: each
    # checkpoints and exits.
    loops=$(pgrep -f "campaign.sh run" || true)
    kids=""; for p in $loops; do kids="$kids $(pgrep -P "$p" || true)"; done
    for p in $loops; do for c in $(pgrep -P "$p" || true); do kids="$kids $(pgrep -P "$c" || true)"; done; done
    [ -n "$loops" ] && kill $loops 2>/dev/null || true
    # (by the program's path: atkd re-executes itself to pin OpenBLAS's core type, so its name is "exe")
    atkds=$(for p in $kids; do ps -o pid=,args= -p "$p" 2>/dev/null | awk '$2 ~ /atkd$/ {print $1}'; done | sort -u)
    [ -n "$atkds" ] && kill -INT $atkds 2>/dev/null || true
    for _ in $(seq 120); do
      alive=$(for p in $atkds; do kill -0 "$p" 2>/dev/null && echo "$p" || true; done)
      [ -z "$alive" ] && break; sleep 1
    done
    echo "campaign: stopped (loops:${loops:+ }$(echo $loops); atkd:${atkds:+ }$(echo $atkds))" ;;
  status)
    trained=(); for t in "${TRAINED[@]}"; do trained+=(--trained "$t"); done
    "$ATKD" status "${SPECS[@]}" --runs "$RUNS" "${trained[@]}" ;;
  save)
    names=()
    for spec in "${SPECS[@]}"; do
      name=$(spec_name "$spec")
      [[ " ${names[*]} " == *" $name "* ]] || names+=("$name")  # add-on specs share their experiment
    done
    for t in "${TRAINED[@]}"; do names+=("${t%%=*}"); done
    for name in "${names[@]}"; do
      [ -d "$RUNS/$name" ] || continue
      for unit in "$RUNS/$name"/*/; do
        unit=$(basename "$unit")
        if [ -f "$RUNS/$name/$unit/final.json" ]; then
          mkdir -p "reports/runs/$name/$unit"
          [ -f "$RUNS/$name/spec.json" ] && cp "$RUNS/$name/spec.json" "reports/runs/$name/"
          for f in "${SMALL[@]}"; do [ -f "$RUNS/$name/$unit/$f" ] && cp "$RUNS/$name/$unit/$f" "reports/runs/$name/$unit/"; done
          rm -rf "${STATE:?}/$name/$unit"
          echo "saved summary: reports/runs/$name/$unit"
        elif [ -f "$RUNS/$name/$unit/state.atkd" ]; then
          # A resumable state is committed only up to 25 MB (CRD's, with its 50,000-row memory bank,
          # is ≈ 47 MB): a fresh machine restarts such a unit; this machine resumes it from $RUNS.
          if [ "$(stat -c %s "$RUNS/$name/$unit/state.atkd")" -gt $((25 * 1024 * 1024)) ]; then
            rm -rf "${STATE:?}/$name/$unit"
            echo "not saved: $RUNS/$name/$unit ($(du -h "$RUNS/$name/$unit/state.atkd" | cut -f1), over the 25 MB limit)"
            continue
          fi
          mkdir -p "$STATE/$name/$unit"
          for f in state.atkd metrics.tsv steps.tsv events.jsonl spec.json fingerprint.json; do
            [ -f "$RUNS/$name/$unit/$f" ] && cp "$RUNS/$name/$unit/$f" "$STATE/$name/$unit/"
          done
          [ -f "$RUNS/$name/spec.json" ] && cp "$RUNS/$name/spec.json" "$STATE/$name/"
          echo "saved resumable state: $STATE/$name/$unit ($(du -h "$STATE/$name/$unit/state.atkd" | cut -f1))"
        fi
      done
    done
    # An experiment whose saved units have all finished keeps no state folder (its spec.json alone).
    if [ -d "$STATE" ]; then
      for dir in "$STATE"/*/; do compgen -G "$dir*/" > /dev/null || rm -rf "$dir"; done
    fi ;;
  restore)
    # Finished units first (their summaries, so `start` skips them), then unfinished units' states.
    for spec in "${SPECS[@]}" "${TRAINED[@]}"; do
      case "$spec" in *=*) name=${spec%%=*} ;; *) name=$(spec_name "$spec") ;; esac
      [ -d "reports/runs/$name" ] || continue
      for dir in "reports/runs/$name"/*/; do
        rel=$name/$(basename "$dir")
        [ -f "$dir/final.json" ] || continue
        if [ -f "$RUNS/$rel/final.json" ]; then echo "kept: $RUNS/$rel (already there)"; continue; fi
        mkdir -p "$RUNS/$rel"; cp "$dir"* "$RUNS/$rel/"
        [ -f "reports/runs/$name/spec.json" ] && [ ! -f "$RUNS/$name/spec.json" ] && cp "reports/runs/$name/spec.json" "$RUNS/$name/"
        echo "restored finished: $RUNS/$rel"
      done
    done
    [ -d "$STATE" ] || { echo "campaign: no unfinished state saved in $STATE"; exit 0; }
    shopt -s nullglob   # no saved unit: no iteration (not the literal pattern)
    for dir in "$STATE"/*/*/; do
      rel=${dir#"$STATE"/}; rel=${rel%/}
      if [ -f "$RUNS/$rel/state.atkd" ] || [ -f "$RUNS/$rel/final.json" ]; then
        echo "kept: $RUNS/$rel (already there)"; continue
      fi
      mkdir -p "$RUNS/$rel"; cp "$dir"* "$RUNS/$rel/"
      exp=${rel%%/*}; [ -f "$STATE/$exp/spec.json" ] && [ ! -f "$RUNS/$exp/spec.json" ] && cp "$STATE/$exp/spec.json" "$RUNS/$exp/"
      echo "restored: $RUNS/$rel"
    done ;;
  teacher-done)
    [ -n "${2:-}" ] || { echo "usage: $0 teacher-done SPEC" >&2; exit 64; }
    teacher_done "$2" ;;
  *) sed -n '2,14p' "$0"; exit 64 ;;
esac
