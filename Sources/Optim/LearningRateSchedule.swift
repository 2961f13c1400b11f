// Learning-rate schedules evaluated per iteration: step, cosine, one-cycle, with linear warm-up.

#if canImport(Glibc)
import Glibc
#endif

/// The shape of the learning rate over training.
public enum ScheduleKind: String, Codable, CaseIterable, Sendable {
    /// lr₀ · γ^(number of milestones ≤ epoch) — AT repo: γ 0.2 at 60/120/160 (PAPERS.md §5).
    case step
    /// lr₀ · ½(1 + cos(π·t/T)) — kuangliu/pytorch-cifar (CosineAnnealingLR).
    case cosine
    /// Linear ramp from lr₀/div to lr₀ over `peakFraction` of training, then cosine down to
    /// lr₀/finalDiv — Smith & Topin 2018 "super-convergence" (PyTorch OneCycleLR, anneal cos).
    case onecycle
    /// Constant lr₀.
    case constant
}

/// A learning-rate schedule over `totalSteps` iterations.
public struct LearningRateSchedule: Equatable, Sendable {
    public var kind: ScheduleKind
    public var baseLR: Float
    public var totalSteps: Int
    public var stepsPerEpoch: Int
    /// Linear warm-up from 0 over this many iterations (step / cosine / constant only).
    public var warmupSteps: Int
    /// Epochs at which `step` multiplies by `gamma`.
    public var milestones: [Int]
    public var gamma: Float
    /// One-cycle: fraction of training spent rising, initial divisor, final divisor.
    public var peakFraction: Float
    public var initialDivisor: Float
    public var finalDivisor: Float

    public init(kind: ScheduleKind, baseLR: Float, totalSteps: Int, stepsPerEpoch: Int, warmupSteps: Int = 0,
                milestones: [Int] = [], gamma: Float = 0.1, peakFraction: Float = 0.25,
                initialDivisor: Float = 25, finalDivisor: Float = 1e4) {
        self.kind = kind; self.baseLR = baseLR; self.totalSteps = max(totalSteps, 1)
        self.stepsPerEpoch = max(stepsPerEpoch, 1); self.warmupSteps = warmupSteps
        self.milestones = milestones; self.gamma = gamma; self.peakFraction = peakFraction
        self.initialDivisor = initialDivisor; self.finalDivisor = finalDivisor
    }

    /// Learning rate for iteration `step` (0-based).
    public func lr(at step: Int) -> Float {
        let t = min(max(step, 0), totalSteps)
        switch kind {
        case .onecycle:
            let peak = max(1, Int((Float(totalSteps) * peakFraction).rounded()))
            let start = baseLR / initialDivisor, end = baseLR / finalDivisor
            if t < peak {
                return start + (baseLR - start) * Float(t) / Float(peak)
            }
            let frac = Float(t - peak) / Float(max(totalSteps - peak, 1))
            return end + (baseLR - end) * 0.5 * (1 + cosf(Float.pi * frac))
        case .step, .cosine, .constant:
            var lr: Float
            switch kind {
            case .step:
                let epoch = t / stepsPerEpoch
                lr = baseLR * powf(gamma, Float(milestones.filter { $0 <= epoch }.count))
            case .cosine:
                lr = baseLR * 0.5 * (1 + cosf(Float.pi * Float(t) / Float(totalSteps)))
            default:
                lr = baseLR
            }
            if t < warmupSteps { lr *= Float(t + 1) / Float(warmupSteps) }
            return lr
        }
    }
}
