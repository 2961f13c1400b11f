#!/usr/bin/env bash
# experiments/campaign.sh on what a fresh clone has: summaries and teacher checkpoints committed,
# models not. Checks that a teacher counts as trained from its spec's checkpoint (else from its
# run's final.json and model), that `restore` with no saved unit exits 0, and that `save` drops
# state folders with no unit left. Scratch folders only; the project's runs/ is never touched.
set -euo pipefail
cd "$(dirname "$0")/../.."
campaign=experiments/campaign.sh
scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
fail() { echo "campaign fresh-clone test: $*" >&2; exit 1; }
export RUNS="$scratch/runs" STATE="$scratch/state"

# A spec with a checkpoint: done exactly when the checkpoint file exists.
cat > "$scratch/with.json" <<JSON
{"name": "with-checkpoint", "teacher": {"model": "wrn-16-2", "checkpoint": "$scratch/teacher.atkd"}}
JSON
"$campaign" teacher-done "$scratch/with.json" && fail "a missing checkpoint counted as a trained teacher"
mkdir -p "$RUNS/with-checkpoint/teacher"; touch "$RUNS/with-checkpoint/teacher/final.json"
"$campaign" teacher-done "$scratch/with.json" && fail "a restored final.json without the checkpoint counted as trained"
touch "$scratch/teacher.atkd"
"$campaign" teacher-done "$scratch/with.json" || fail "the committed checkpoint did not count as a trained teacher"

# A spec without one (a teacher trained on its own): done when its run has final.json and the model.
cat > "$scratch/without.json" <<JSON
{"name": "no-checkpoint", "teacher": {"model": "wrn-16-2"}}
JSON
mkdir -p "$RUNS/no-checkpoint/teacher"; touch "$RUNS/no-checkpoint/teacher/final.json"
"$campaign" teacher-done "$scratch/without.json" && fail "final.json alone counted as a trained teacher"
touch "$RUNS/no-checkpoint/teacher/model.atkd"
"$campaign" teacher-done "$scratch/without.json" || fail "final.json and the model did not count as a trained teacher"

# restore with a state folder holding only an experiment's spec.json (no unit): exit 0, nothing restored.
mkdir -p "$STATE/evidence-x"; echo '{}' > "$STATE/evidence-x/spec.json"
out=$("$campaign" restore) || fail "restore with no saved unit failed: $out"
[ ! -e "$RUNS/evidence-x" ] || fail "restore made a run folder for an experiment with no saved unit"

# save, over a run folder with none of the campaign's experiments: the unit-less state folder goes,
# and reports/ (where save copies finished summaries) is not touched.
listing() { find reports -type f -exec stat -c "%n %s %Y" {} + | LC_ALL=C sort | md5sum; }
before=$(listing)
RUNS="$scratch/empty-runs" "$campaign" save > /dev/null
[ ! -e "$STATE/evidence-x" ] || fail "save kept a state folder with no unit"
[ "$(listing)" = "$before" ] || fail "save changed reports/ from a scratch run folder"
# Stream items become the atkd commands they name: `arms:LIST:seed:K:SPEC` is seed K's arms LIST of
# SPEC in one process (after its teacher exists), `seed:K:SPEC` all of seed K's arms.
cat > "$scratch/fake-atkd" <<'SH'
#!/usr/bin/env bash
echo "$*" >> "$(dirname "$0")/calls"
SH
chmod +x "$scratch/fake-atkd"
ATKD="$scratch/fake-atkd" "$campaign" stream "arms:ce,kd,at:seed:3:$scratch/with.json" "seed:2:$scratch/with.json" > /dev/null
expected="run $scratch/with.json --seeds 3 --arms ce,kd,at --runs $RUNS --quiet --threads 1
run $scratch/with.json --seeds 2 --runs $RUNS --quiet --threads 1"
[ "$(cat "$scratch/calls")" = "$expected" ] || fail "stream items ran as: $(cat "$scratch/calls")"

# The TAIL items go to whichever stream claims them first: two streams side by side run each once.
rm -f "$scratch/calls"
ATKD="$scratch/fake-atkd" "$campaign" tail > /dev/null & first=$!
ATKD="$scratch/fake-atkd" "$campaign" tail > /dev/null
wait "$first"
[ "$(wc -l < "$scratch/calls")" -eq 3 ] || fail "two streams ran the three TAIL items as: $(cat "$scratch/calls")"
[ "$(sort -u "$scratch/calls" | wc -l)" -eq 3 ] || fail "a TAIL item ran twice: $(cat "$scratch/calls")"
ATKD="$scratch/fake-atkd" "$campaign" tail > /dev/null
[ "$(wc -l < "$scratch/calls")" -eq 3 ] || fail "a claimed TAIL item ran again"
echo "campaign fresh-clone test: passed"
