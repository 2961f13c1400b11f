#!/usr/bin/env bash
# A real one-node Slurm cluster (Debian's Slurm 22.05) on localhost, for testing generated sbatch jobs.
#
#   Tests/cluster/slurm-local.sh up          install slurmd slurmctld slurm-client munge if missing, write a
#                                            config under .build/slurm-local/, start munged, slurmctld and
#                                            slurmd as root and wait until the node is idle
#   Tests/cluster/slurm-local.sh run FILE    run a submit script (it calls sbatch) against that cluster, wait
#                                            until its jobs have left the queue (SLURM_LOCAL_TIMEOUT, 600 s),
#                                            print their final states; non-zero unless every job COMPLETED
#   Tests/cluster/slurm-local.sh down        cancel every job, stop the daemons, leave no process behind
#   Tests/cluster/slurm-local.sh env         print `export SLURM_CONF=…` for using the cluster by hand
#
# Needs root (the daemons run as root: SlurmUser=SlurmdUser=root) and no systemd: the daemons are started
# directly, with pid files, logs, state and spool in the scratch folder. munged gets its own key and socket
# there (AuthInfo=socket=…), so a system munge, if any, is neither used nor disturbed. No cgroup plugins
# (proctrack/linuxproc, task/none), no slurmdbd: the final job states come from the controller (polled with
# `scontrol show job`, finished jobs stay there MinJobAge=300 s) and from the job-completion log
# (jobcomp/filetxt), which records every job that ends, array tasks included.
# Ports: SLURM_LOCAL_PORT (slurmctld, default 6817) and SLURM_LOCAL_PORT+1 (slurmd).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$ROOT/.build/slurm-local
CONF=$D/etc/slurm.conf
JOBCOMP=$D/log/jobcomp.log
SOCK=$D/munge/munge.socket.2
PORT=${SLURM_LOCAL_PORT:-6817}
TIMEOUT=${SLURM_LOCAL_TIMEOUT:-600}
UP_TIMEOUT=${SLURM_LOCAL_UP_TIMEOUT:-90}
PKGS="slurmd slurmctld slurm-client munge"
# Every process this harness starts carries this in its environment (the daemons, hence slurmstepd, and the
# jobs submitted by `run`), so `down` can find leftovers precisely.
TAG="ATKD_SLURM_LOCAL=$D"
export SLURM_CONF=$CONF

say() { echo "slurm-local: $*"; }
die() { echo "slurm-local: $*" >&2; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (the daemons run as root)"; }

install_missing() {
  local missing="" p
  for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  say "installing$missing"
  # Keep the packages' init scripts from starting system daemons (they would outlive `down`).
  local policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"
  fi
  local rc=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing; } \
    > "$D/log/apt.log" 2>&1 || rc=$?
  [ -n "$policy" ] && rm -f "$policy"
  [ "$rc" = 0 ] || { tail -20 "$D/log/apt.log" >&2; die "apt-get install failed"; }
}

# A process is alive unless gone or a zombie (PID 1 of a container may be slow to reap).
alive() { local st; st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) && [ -n "$st" ] && [ "$st" != Z ]; }

# pid from a pid file if that process is alive and is the named daemon (guards against a reused pid).
live_pid() {
  local file=$1 name=$2 pid
  [ -s "$file" ] || return 1
  pid=$(tr -dc 0-9 < "$file")
  [ -n "$pid" ] && alive "$pid" || return 1
  case "$(cat "/proc/$pid/comm" 2>/dev/null)" in "$name"*) echo "$pid" ;; *) return 1 ;; esac
}

stop_pid() {  # name pidfile: TERM, wait up to 20 s, then KILL
  local name=$1 file=$2 pid i
  pid=$(live_pid "$file" "$name") || { rm -f "$file"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 40); do alive "$pid" || break; sleep 0.5; done
  if alive "$pid"; then say "$name ($pid) ignored TERM, killing"; kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; fi
  rm -f "$file"
  say "stopped $name ($pid)"
}

# Processes that carry the tag, except this script and its ancestors (a shell may have it exported).
tagged_pids() {
  local keep=" " p=$BASHPID pid
  while [ -n "$p" ] && [ "$p" -gt 1 ] 2>/dev/null; do
    keep="$keep$p "; p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
  done
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    case "$keep" in *" $pid "*) continue ;; esac
    { tr '\0' '\n' < "/proc/$pid/environ"; } 2>/dev/null | grep -qxF "$TAG" && echo "$pid"
  done
  return 0
}

ctld_up() { live_pid "$D/run/slurmctld.pid" slurmctld > /dev/null && timeout 10 scontrol ping 2>/dev/null | grep -q UP; }

write_config() {
  local host cpus
  host=$(hostname -s)
  cpus=$(nproc)
  case "$D" in *[[:space:]]*) die "the scratch folder $D contains white space, which slurm.conf cannot take" ;; esac
  cat > "$CONF" <<EOF
# Written by Tests/cluster/slurm-local.sh — a one-node test cluster; regenerated by every \`up\`.
ClusterName=atkd
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/run/slurmctld.pid
SlurmdPidFile=$D/run/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# A job whose dependency can never be satisfied (afterok on a failed job) is cancelled, not left pending.
DependencyParameters=kill_invalid_depend
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$JOBCOMP
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
# The node is what this file says, whatever the (virtual) hardware reports.
SlurmdParameters=config_overrides
MinJobAge=300
KillWait=5
InactiveLimit=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

logs() { local f; for f in "$D"/log/munged.log "$D"/log/slurmctld.log "$D"/log/slurmd.log; do
  [ -s "$f" ] && { echo "--- tail $f" >&2; tail -15 "$f" >&2; }; done; return 0; }

cmd_up() {
  need_root
  if ctld_up && live_pid "$D/run/slurmd.pid" slurmd > /dev/null; then say "already up ($CONF)"; return 0; fi
  # Leftovers of an earlier session (a crash, a `down` that was never run): stop them, then start clean.
  [ -d "$D" ] && cmd_down --quiet
  rm -rf "$D/etc" "$D/state" "$D/spool" "$D/run" "$D/munge" "$D/log" "$D/runs"
  mkdir -p "$D/etc" "$D/state" "$D/spool" "$D/run" "$D/log"
  install -d -m 0700 "$D/munge"
  install_missing
  for p in munged slurmctld slurmd sbatch squeue scontrol; do command -v "$p" > /dev/null || die "$p not found"; done
  write_config
  local t0=$SECONDS
  # munged: a key of our own (mungekey, or 1 KiB of random bytes on older munge), socket in the scratch folder.
  if command -v mungekey > /dev/null; then mungekey --create --keyfile="$D/munge/munge.key"
  else dd if=/dev/urandom of="$D/munge/munge.key" bs=1024 count=1 status=none; fi
  chmod 0400 "$D/munge/munge.key"
  env "$TAG" munged --force --socket="$SOCK" --key-file="$D/munge/munge.key" --pid-file="$D/run/munged.pid" \
    --log-file="$D/log/munged.log" --seed-file="$D/munge/munged.seed" || { logs; die "munged did not start"; }
  munge -n -S "$SOCK" | unmunge -S "$SOCK" > /dev/null || { logs; die "munge credential round trip failed"; }
  env "$TAG" slurmctld -f "$CONF" || { logs; die "slurmctld did not start"; }
  local i
  for i in $(seq 1 "$UP_TIMEOUT"); do ctld_up && break; sleep 1; done
  ctld_up || { logs; die "slurmctld not answering after ${UP_TIMEOUT} s"; }
  env "$TAG" slurmd -f "$CONF" || { logs; die "slurmd did not start"; }
  local state=""
  for i in $(seq 1 "$UP_TIMEOUT"); do
    state=$(sinfo -h -N -o %t 2>/dev/null | head -1 || true)
    [ "$state" = idle ] && break
    sleep 1
  done
  if [ "$state" != idle ]; then
    scontrol show node >&2 || true; logs; die "node not idle after ${UP_TIMEOUT} s (state: ${state:-none})"
  fi
  say "up in $((SECONDS - t0)) s: node $(hostname -s), $(nproc) CPUs, partition debug (SLURM_CONF=$CONF)"
}

# One `scontrol show job -o` record → "key state exitcode name jobid", key = A_t for array tasks.
snapshot() {
  timeout 30 scontrol show job -o 2>/dev/null | awk -v after="$1" '
    /^JobId=/ { id = ""; arr = ""; task = ""; st = ""; ec = ""; nm = ""
      for (i = 1; i <= NF; i++) { split($i, kv, "=")
        if (kv[1] == "JobId") id = kv[2]; else if (kv[1] == "ArrayJobId") arr = kv[2]
        else if (kv[1] == "ArrayTaskId") task = kv[2]; else if (kv[1] == "JobState") st = kv[2]
        else if (kv[1] == "ExitCode") ec = kv[2]; else if (kv[1] == "JobName") nm = kv[2] }
      if (id + 0 <= after + 0) next
      key = (arr != "" && task != "") ? arr "_" task : id
      print key, (st == "" ? "-" : st), (ec == "" ? "-" : ec), (nm == "" ? "-" : nm), id }' || true
}

max_jobid() {
  { timeout 30 scontrol show job -o 2>/dev/null | grep -o '^JobId=[0-9]*' | cut -d= -f2 || true
    [ -s "$JOBCOMP" ] && grep -o '^JobId=[0-9]*' "$JOBCOMP" | cut -d= -f2 || true
    echo 0; } | sort -n | tail -1
}

cmd_run() {
  need_root
  local file=${1:-}
  [ -n "$file" ] && [ -f "$file" ] || die "usage: $0 run FILE.sh (a submit script that calls sbatch)"
  ctld_up || die "the cluster is not up (run: $0 up)"
  [ -z "$(squeue -h -o %i 2>/dev/null)" ] || die "jobs are still queued from an earlier run: $(squeue -h -o '%i %T' | tr '\n' ' ')"
  local after comp_off t0=$SECONDS rc=0
  after=$(max_jobid)
  comp_off=$( [ -f "$JOBCOMP" ] && stat -c %s "$JOBCOMP" || echo 0)
  mkdir -p "$D/runs"
  local out="$D/runs/submit-$(date +%Y%m%d-%H%M%S).out"
  say "running $file (jobs after id $after)"
  set +e; env "$TAG" bash "$file" 2>&1 | tee "$out"; rc=${PIPESTATUS[0]}; set -e
  [ "$rc" = 0 ] || die "submit script $file failed (exit $rc)"
  declare -A last=() exitc=() names=()
  local key st ec nm id done_=0
  local deadline=$((SECONDS + TIMEOUT))
  while :; do
    while read -r key st ec nm id; do
      [ -n "$key" ] || continue; last[$key]=$st; exitc[$key]=$ec; names[$key]=$nm
    done < <(snapshot "$after")
    if [ -z "$(timeout 30 squeue -h -o %i 2>/dev/null || echo busy)" ]; then done_=1; break; fi
    [ "$SECONDS" -lt "$deadline" ] || break
    ctld_up || { logs; die "slurmctld stopped answering while jobs were queued"; }
    sleep 2
  done
  # The controller's final word on the jobs it still holds (MinJobAge), then the completion log's.
  local final; final=$(snapshot "$after")
  while read -r key st ec nm id; do
    [ -n "$key" ] || continue; last[$key]=$st; exitc[$key]=$ec; names[$key]=$nm
  done <<< "$final"
  if [ -f "$JOBCOMP" ]; then
    while read -r key st ec nm; do
      [ -n "$key" ] || continue; last[$key]=$st; exitc[$key]=$ec; names[$key]=$nm
    done < <(tail -c +"$((comp_off + 1))" "$JOBCOMP" | awk -v after="$after" '
      /^JobId=/ { id = ""; arr = ""; task = ""; st = ""; ec = ""; nm = ""
        for (i = 1; i <= NF; i++) { split($i, kv, "=")
          if (kv[1] == "JobId") id = kv[2]; else if (kv[1] == "ArrayJobId") arr = kv[2]
          else if (kv[1] == "ArrayTaskId") task = kv[2]; else if (kv[1] == "JobState") st = kv[2]
          else if (kv[1] == "ExitCode") ec = kv[2]; else if (kv[1] == "Name") nm = kv[2] }
        if (id + 0 <= after + 0) next
        print ((arr != "" && arr != "4294967294" && task != "" && task != "4294967294") ? arr "_" task : id), (st == "" ? "-" : st), (ec == "" ? "-" : ec), (nm == "" ? "-" : nm) }')
  fi
  # A pending array's record (A_[0-3]) is split into task records as they start: once it is gone from the
  # controller, its tasks stand for it.
  for key in "${!last[@]}"; do
    case "$key" in *_*[-,\[]*) grep -q "^$key " <<< "$final" || unset "last[$key]" ;; esac
  done
  # The completion log names a never-started (cancelled) array by its bare id: its A_… records stand for it.
  for key in "${!last[@]}"; do
    case "$key" in *_*) ;; *) printf '%s\n' "${!last[@]}" | grep -q "^${key}_" && unset "last[$key]" ;; esac
  done
  local elapsed=$((SECONDS - t0)) bad=0
  [ "${#last[@]}" -gt 0 ] || die "no job was submitted by $file"
  if sacct -n -X -o JobID > /dev/null 2>&1; then
    sacct -X -j "$(printf '%s\n' "${!last[@]}" | cut -d_ -f1 | sort -un | paste -sd,)" \
      -o JobID%14,JobName%24,State%12,ExitCode,Elapsed || true
  else
    printf '%-14s %-28s %-12s %s\n' JobID JobName State ExitCode
    for key in $(printf '%s\n' "${!last[@]}" | sort -t_ -k1,1n -k2,2n); do
      printf '%-14s %-28s %-12s %s\n' "$key" "${names[$key]}" "${last[$key]}" "${exitc[$key]}"
    done
  fi
  for key in "${!last[@]}"; do [ "${last[$key]}" = COMPLETED ] || bad=$((bad + 1)); done
  if [ "$done_" != 1 ]; then
    echo "slurm-local: timeout after ${TIMEOUT} s (SLURM_LOCAL_TIMEOUT); cancelling this run's jobs" >&2
    local ids; ids=$(squeue -h -o %i 2>/dev/null | awk -F_ -v a="$after" '$1 + 0 > a + 0 {print $1}' | sort -u)
    [ -z "$ids" ] || scancel $ids || true
    exit 124
  fi
  [ "$bad" = 0 ] || die "$bad of ${#last[@]} jobs did not complete (${elapsed} s; logs: $D/log)"
  say "all ${#last[@]} jobs COMPLETED in ${elapsed} s"
}

cmd_down() {
  local quiet=${1:-}
  need_root
  if ctld_up; then
    local ids i
    ids=$(squeue -h -o %i 2>/dev/null | cut -d_ -f1 | sort -u)
    if [ -n "$ids" ]; then
      say "cancelling jobs: $(echo $ids)"; scancel $ids || true
      for i in $(seq 1 30); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 1; done
    fi
  fi
  stop_pid slurmd "$D/run/slurmd.pid"
  stop_pid slurmctld "$D/run/slurmctld.pid"
  stop_pid munged "$D/run/munged.pid"
  local left; left=$(tagged_pids)
  if [ -n "$left" ]; then
    say "stopping leftover processes: $(ps -o pid=,args= -p "$(echo $left | tr ' ' ,)" | tr '\n' ';')"
    kill -TERM $left 2>/dev/null || true; sleep 2
    left=$(tagged_pids); [ -z "$left" ] || kill -KILL $left 2>/dev/null || true; sleep 0.5
  fi
  left=$(tagged_pids)
  [ -z "$left" ] || die "processes still running: $left"
  [ "$quiet" = --quiet ] || say "down: no slurm-local process left"
}

case "${1:-}" in
  up) cmd_up ;;
  run) shift; cmd_run "$@" ;;
  down) cmd_down ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) die "usage: $0 up | run FILE.sh | down | env" ;;
esac
