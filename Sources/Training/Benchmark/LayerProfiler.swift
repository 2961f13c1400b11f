// Where a training step's time goes: the trainer's step run through a TimingEngine,
// per phase, per op kind and per layer, with GFLOP/s against the machine's fp32 peak.

import Foundation
import TensorCore
import NN

/// A per-step profile: kernel rows averaged over the profiled steps, and the step's wall time.
public struct LayerProfile: Sendable {
    /// `resnet20 (ce step)` or `resnet50-w4 → mobilenetv2-half (atkd step)` (the pair's objective).
    public var title: String
    /// Rows per step (calls, seconds and FLOPs divided by the number of steps).
    public var entries: [KernelProfileEntry]
    /// Mean wall seconds of one step (kernels plus everything between them).
    public var stepSeconds: Double
    /// The fp32 peak GFLOP/s that `% peak` refers to.
    public var peakGflops: Double

    public var kernelSeconds: Double { entries.reduce(0) { $0 + $1.seconds } }
}

/// Profiles the trainer's step of a model (`ce`) or a pair (`atkd`, or any registry objective).
public enum LayerProfiler {
    /// Runs `warmup` steps, then `steps` profiled ones; phases come from `PhaseMarkedModel`.
    /// `objective` is the pair's (a registry name, `DistillSpec` defaults); a model alone steps `ce`.
    public static func profile(student: String, teacher: String?, objective: String = "atkd", config: BenchConfig,
                               engine: any Kernels, steps: Int = 2, warmup: Int = 1,
                               peakGflops: Double) throws -> LayerProfile {
        let objective = teacher == nil ? "ce" : objective
        let profile = KernelProfile()
        let timing = TimingEngine(inner: engine, profile: profile)
        let s = PhaseMarkedModel(try ThroughputBenchmark.makeModel(student, config), profile: profile,
                                 forwardPhase: teacher == nil ? "forward" : "student forward", afterForward: "loss",
                                 backwardPhase: "backward", afterBackward: "sgd")
        let t = try teacher.map {
            PhaseMarkedModel(try ThroughputBenchmark.makeModel($0, config), profile: profile,
                             forwardPhase: "teacher forward", afterForward: "loss")
        }
        let batch = StepHarness.randomBatch(n: config.batch, input: config.input, classes: config.classes)
        let harness = try StepHarness(model: s, teacher: t, objective: objective,
                                      batch: batch, engine: timing)
        let title = teacher.map { "\($0) → \(student) (\(objective) step)" } ?? "\(student) (ce step)"
        return try measure(title, profile, steps: steps, warmup: warmup, peakGflops: peakGflops) { try harness.step() }
    }
}

extension LayerProfiler {
    /// Profiles `model`'s eval-mode forward (what the bench's inference row times): `warmup`
    /// forwards, then `steps` profiled ones, all under the phase `inference`.
    public static func profileInference(model name: String, config: BenchConfig, engine: any Kernels,
                                        steps: Int = 2, warmup: Int = 1, peakGflops: Double) throws -> LayerProfile {
        let profile = KernelProfile()
        let ctx = ForwardContext(engine: TimingEngine(inner: engine, profile: profile), training: false)
        let model = try ThroughputBenchmark.makeModel(name, config)
        let x = StepHarness.randomBatch(n: config.batch, input: config.input, classes: config.classes).x
        profile.phase = "inference"
        return try measure("\(name) (eval forward)", profile, steps: steps, warmup: warmup, peakGflops: peakGflops) {
            _ = model.forward(x, ctx)
        }
    }

    /// `warmup` untimed calls of `step`, then `steps` profiled ones: rows and wall time per step.
    private static func measure(_ title: String, _ profile: KernelProfile, steps: Int, warmup: Int, peakGflops: Double,
                                _ step: () throws -> Void) throws -> LayerProfile {
        for _ in 0..<warmup { try step() }
        profile.reset()
        let t0 = MedianTimer.now()
        for _ in 0..<steps { try step() }
        let wall = (MedianTimer.now() - t0) / Double(steps)
        let n = Double(steps)
        let rows = profile.entries.map { e -> KernelProfileEntry in
            var r = e; r.calls = e.calls / steps; r.seconds = e.seconds / n; r.flops = e.flops / n; return r
        }
        return LayerProfile(title: title, entries: rows, stepSeconds: wall, peakGflops: peakGflops)
    }
}

extension LayerProfile {
    /// Phase, op-kind and top-`top` layer tables.
    public func text(top: Int = 30) -> String {
        let p = KernelProfile()
        for e in entries {
            p.phase = e.phase
            p.record(op: e.op, shape: e.shape, seconds: e.seconds, flops: e.flops)
        }
        let ops = p.byOp(), phases = p.byPhase()
        var out = [String(format: "profile: %@ — per step: wall %.3f s, in kernels %.3f s (%.0f%%), outside kernels %.3f s",
                          title, stepSeconds, kernelSeconds, 100 * kernelSeconds / max(stepSeconds, 1e-12),
                          max(0, stepSeconds - kernelSeconds))]
        out.append("\n" + header("phase"))
        out += phases.map { row($0.phase, $0) }
        out.append("\n" + header("phase / op"))
        out += ops.sorted { $0.seconds > $1.seconds }.map { row("\($0.phase) / \($0.op)", $0) }
        out.append("\n" + header("top layers: phase / op / shape (calls)"))
        out += entries.sorted { $0.seconds > $1.seconds }.prefix(top).map {
            row("\($0.phase) / \($0.op) \($0.shape) (\($0.calls))", $0)
        }
        return out.joined(separator: "\n")
    }

    /// One JSON object per row (`kind` = `layer`).
    public func jsonLines() -> [String] {
        entries.map { e in
            BenchReport.serialize(["kind": "layer", "profile": title, "phase": e.phase, "op": e.op, "shape": e.shape,
                                   "calls": e.calls, "ms": e.seconds * 1000, "gflops": e.gflops,
                                   "percent_of_peak": 100 * e.gflops / peakGflops,
                                   "share": e.seconds / max(stepSeconds, 1e-12)])
        }
    }

    private func header(_ label: String) -> String {
        BenchReport.pad(label, 64) + BenchReport.lpad("ms", 10) + BenchReport.lpad("share", 8)
            + BenchReport.lpad("GFLOP", 9) + BenchReport.lpad("GFLOP/s", 9) + BenchReport.lpad("% peak", 8)
    }

    private func row(_ label: String, _ e: KernelProfileEntry) -> String {
        let hasFlops = e.flops > 0
        return BenchReport.pad(label, 64) + BenchReport.lpad(String(format: "%.1f", e.seconds * 1000), 10)
            + BenchReport.lpad(String(format: "%.1f%%", 100 * e.seconds / max(stepSeconds, 1e-12)), 8)
            + BenchReport.lpad(hasFlops ? String(format: "%.2f", e.flops / 1e9) : "—", 9)
            + BenchReport.lpad(hasFlops ? String(format: "%.1f", e.gflops) : "—", 9)
            + BenchReport.lpad(hasFlops ? String(format: "%.0f%%", 100 * e.gflops / peakGflops) : "—", 8)
    }
}
