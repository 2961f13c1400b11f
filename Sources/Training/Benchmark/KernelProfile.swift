// Accumulates kernel time and FLOPs per (phase, op, shape) while a TimingEngine runs.

import Foundation

/// One row of a profile: every call of one op on one shape within one phase.
public struct KernelProfileEntry: Sendable, Equatable {
    /// Step phase the calls ran in (`student forward`, `teacher forward`, `backward`, …).
    public var phase: String
    /// Kernel name as in `Kernels` (`conv2d`, `conv2dBackward`, `batchNormTrain`, …).
    public var op: String
    /// Layer-identifying shape, e.g. `3x3 s1 16→32 32x32→32x32` for a convolution.
    public var shape: String
    public var calls: Int
    public var seconds: Double
    /// Floating-point operations (multiply and add counted separately) of matrix ops; 0 for
    /// memory-bound ops, whose GFLOP/s is not meaningful.
    public var flops: Double

    /// GFLOP/s of these calls (0 when `flops` or `seconds` is 0).
    public var gflops: Double { seconds > 0 ? flops / seconds / 1e9 : 0 }
}

/// A thread-safe accumulator of kernel timings, grouped by the current `phase`.
///
/// Rows keep first-seen order, so a model's layers appear in forward order.
public final class KernelProfile: @unchecked Sendable {
    private let lock = NSLock()
    private var rows: [KernelProfileEntry] = []
    private var index: [String: Int] = [:]
    private var currentPhase = "step"

    public init() {}

    /// The phase new calls are recorded under.
    public var phase: String {
        get { lock.withLock { currentPhase } }
        set { lock.withLock { currentPhase = newValue } }
    }

    /// Adds one call of `op` on `shape` that took `seconds` and did `flops` FLOPs.
    public func record(op: String, shape: String, seconds: Double, flops: Double) {
        lock.withLock {
            let key = "\(currentPhase)|\(op)|\(shape)"
            if let i = index[key] {
                rows[i].calls += 1; rows[i].seconds += seconds; rows[i].flops += flops
            } else {
                index[key] = rows.count
                rows.append(KernelProfileEntry(phase: currentPhase, op: op, shape: shape, calls: 1,
                                               seconds: seconds, flops: flops))
            }
        }
    }

    /// Every row, in first-seen order.
    public var entries: [KernelProfileEntry] { lock.withLock { rows } }

    /// Total kernel seconds recorded.
    public var totalSeconds: Double { entries.reduce(0) { $0 + $1.seconds } }

    /// Forgets every row (the phase is kept).
    public func reset() { lock.withLock { rows.removeAll(); index.removeAll() } }

    /// Rows summed over shapes: one per (phase, op), in first-seen order.
    public func byOp() -> [KernelProfileEntry] { grouped { "\($0.phase)|\($0.op)" } shape: { _ in "" } }

    /// Rows summed over ops and shapes: one per phase, in first-seen order.
    public func byPhase() -> [KernelProfileEntry] { grouped { $0.phase } shape: { _ in "" } op: { _ in "" } }

    private func grouped(_ key: (KernelProfileEntry) -> String, shape: (KernelProfileEntry) -> String,
                         op: ((KernelProfileEntry) -> String)? = nil) -> [KernelProfileEntry] {
        var out: [KernelProfileEntry] = []
        var at: [String: Int] = [:]
        for r in entries {
            let k = key(r)
            if let i = at[k] {
                out[i].calls += r.calls; out[i].seconds += r.seconds; out[i].flops += r.flops
            } else {
                at[k] = out.count
                out.append(KernelProfileEntry(phase: r.phase, op: op?(r) ?? r.op, shape: shape(r),
                                              calls: r.calls, seconds: r.seconds, flops: r.flops))
            }
        }
        return out
    }
}
