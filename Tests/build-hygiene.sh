#!/usr/bin/env bash
# Build hygiene, checked on every `make test`: .gitignore ignores nothing that is tracked, the
# release build (with tests) prints no compiler warning from our sources, and building again under
# a terminal (a pseudo-tty, as an interactive user has) instead of a pipe recompiles nothing.
#   Tests/build-hygiene.sh [swift]        (SWIFT and CONFIG as in the Makefile)
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${1:-${SWIFT:-swift}}
CONFIG=${CONFIG:-release}
mkdir -p .build
log=.build/build-hygiene.log

if command -v git > /dev/null && git rev-parse --git-dir > /dev/null 2>&1; then
  tracked_but_ignored=$(git ls-files -ci --exclude-standard)
  if [ -n "$tracked_but_ignored" ]; then
    echo "build-hygiene: .gitignore ignores tracked files:" >&2; echo "$tracked_but_ignored" >&2; exit 1
  fi
fi

"$SWIFT" build -c "$CONFIG" --build-tests 2>&1 | tee "$log"
# NOTE: an incremental build only shows warnings of what it recompiled; CI's fresh clone compiles all.
if grep -E "^(/|\./)?[^ ]*(Sources|Tests)/[^ ]*:[0-9]+:[0-9]+: warning:" "$log"; then
  echo "build-hygiene: the compiler warned (above); fix the warning" >&2
  exit 1
fi

if command -v script > /dev/null; then
  script -qec "$SWIFT build -c $CONFIG --build-tests" /dev/null > "$log.tty" 2>&1
  if grep -aE "Compiling [A-Za-z]+ [A-Za-z+]+\.swift" "$log.tty" | grep -av "Compiling plugin"; then
    echo "build-hygiene: building from a terminal after a pipe recompiled the modules above" >&2
    exit 1
  fi
  echo "build-hygiene: no compiler warnings; a terminal build after a pipe build compiled nothing"
else
  echo "build-hygiene: no compiler warnings (script(1) absent: terminal rebuild check skipped)"
fi
