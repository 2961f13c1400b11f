#!/usr/bin/env python3
"""Data-parallel step time on N nodes, on paper: compute from our measured single-node training
throughput, communication from a ring allreduce of the gradients (issue 20, item 6).

  bytes per node per step = 2 (N-1)/N * P * 4 B            (ring allreduce of P fp32 gradients)
  t_comm = bytes / bandwidth + 2 (N-1) * alpha             (alpha: per-message latency)
  weak scaling   (128 images per node):        t_comp = 128 / r
  strong scaling (global batch 128 split by N): t_comp = 128 / (N r)   (optimistic: r held at small batches)
  efficiency = t_comp / (t_comp + t_comm)                  (no overlap of backward and allreduce)

r: training images/s of one 2-core node, measured (BENCHMARKS.md, fourth session's table). For
distillation the teacher is frozen: only the student's gradients travel.
Usage: bench/allreduce_model.py  (prints Markdown)
"""
MODELS = [  # name, parameters that travel, measured train img/s on one node (2 cores), source
    ("wrn-16-2", 691_674, 381.9, "BENCHMARKS.md fourth session"),
    ("mobilenetv2-half", 712_562, 221.8, "BENCHMARKS.md fourth session"),
    ("resnet50-w4", 1_484_186, 141.1, "BENCHMARKS.md fourth session"),
    ("r50-w4-awconv -> mobilenetv2-half (atkd)", 712_562, 140.0, "issue 17's table, atkd step at batch 128"),
]
LINKS = [("10 Gbit/s TCP", 10e9 / 8, 30e-6), ("100 Gbit/s RDMA", 100e9 / 8, 3e-6)]
NODES = [2, 4, 8, 16, 32, 64]


def efficiency(params, rate, n, bandwidth, alpha, weak):
    t_comp = 128 / rate if weak else 128 / (n * rate)
    t_comm = 2 * (n - 1) / n * params * 4 / bandwidth + 2 * (n - 1) * alpha
    return t_comp, t_comm, t_comp / (t_comp + t_comm)


def main():
    for weak in (True, False):
        print(f"\n**{'Weak' if weak else 'Strong'} scaling** ({'128 images per node' if weak else 'global batch 128 split over N nodes'}): "
              "efficiency % (step time ms), per link\n")
        print("| model | link | " + " | ".join(f"N={n}" for n in NODES) + " | below 80 % from |")
        print("|---|---|" + "---:|" * len(NODES) + "---|")
        for name, p, r, _ in MODELS:
            for link, bw, alpha in LINKS:
                cells, first = [], None
                for n in NODES:
                    tc, ta, e = efficiency(p, r, n, bw, alpha, weak)
                    cells.append(f"{100 * e:.1f} ({1000 * (tc + ta):.0f})")
                    if e < 0.8 and first is None:
                        first = n
                print(f"| {name} | {link} | " + " | ".join(cells) + f" | {'N=' + str(first) if first else 'never (N ≤ 64)'} |")
    print("\nMeasured rates: " + "; ".join(f"{n} {r:.1f} img/s ({s})" for n, _, r, s in MODELS))


if __name__ == "__main__":
    main()
