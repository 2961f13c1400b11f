#!/usr/bin/env python3
"""Compare every unit (arm-seedK) of an experiment folder with the sequential run's, bit for bit:
final metrics, best epoch, counts, and every metrics.tsv column except wall-clock ones.

  Tests/cluster/compare-units.py SEQUENTIAL/EXPERIMENT OTHER/EXPERIMENT [--shards 0/2,1/2] [--units 4]
Exits 1 naming each difference.
"""
import argparse, json, os, sys

CLOCK = {"epoch_seconds", "train_img_per_s"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sequential"); ap.add_argument("other")
    ap.add_argument("--units", type=int, default=4, help="units the sequential folder must hold")
    ap.add_argument("--shards", default="", help="shard labels the other folder's units must carry, comma-separated")
    a = ap.parse_args()
    units = sorted(u for u in os.listdir(a.sequential)
                   if os.path.isfile(f"{a.sequential}/{u}/final.json") and u != "teacher")
    bad = [] if len(units) == a.units else [f"expected {a.units} sequential units, found {units}"]
    for u in units:
        if not os.path.isfile(f"{a.other}/{u}/final.json"):
            bad.append(f"{u}: no final.json in {a.other}"); continue
        x, y = (json.load(open(f"{d}/{u}/final.json")) for d in (a.sequential, a.other))
        for k in ("final", "best_top1", "best_epoch", "params", "macs", "epochs", "model"):
            if x[k] != y[k]: bad.append(f"{u}: {k} differs: {x[k]!r} vs {y[k]!r}")
        tx, ty = (open(f"{d}/{u}/metrics.tsv").read().splitlines() for d in (a.sequential, a.other))
        head = tx[0].split("\t")
        if len(tx) != len(ty): bad.append(f"{u}: metrics.tsv has {len(tx)} vs {len(ty)} lines")
        for rx, ry in zip(tx[1:], ty[1:]):
            for name, p, q in zip(head, rx.split("\t"), ry.split("\t")):
                if name not in CLOCK and p != q: bad.append(f"{u}: metrics.tsv {name}: {p} vs {q}")
    if a.shards:
        seen = sorted({json.load(open(f"{a.other}/{u}/final.json"))["labels"].get("shard") for u in units
                       if os.path.isfile(f"{a.other}/{u}/final.json")}, key=str)
        if seen != sorted(a.shards.split(",")): bad.append(f"units carry shards {seen}, expected {a.shards}")
    print("; ".join(bad) if bad else f"{len(units)} units bit-identical to the sequential run ({', '.join(units)})")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
