// Numerical gradient checker: central differences of L = Σ y ⊙ r (random r) in Double,
// compared with an analytic backward. Returns an inspectable result and/or fails the test.

import XCTest
import TensorCore

/// One element where numeric and analytic gradients disagree.
public struct GradMismatch: CustomStringConvertible, Sendable {
    /// Name of the input (as passed in `names`).
    public var input: String
    /// Flat (row-major) index of the element within that input.
    public var index: Int
    public var numeric: Double
    public var analytic: Double
    public var description: String {
        "\(input)[\(index)]: numeric \(numeric) vs analytic \(analytic) (diff \(abs(numeric - analytic)))"
    }
}

/// Outcome of a gradient check: how many elements were compared or skipped, and every mismatch.
public struct GradCheckResult: CustomStringConvertible, Sendable {
    /// Elements compared.
    public var checked = 0
    /// Elements left out by the kink policy (`skip`).
    public var skipped = 0
    /// Largest |numeric − analytic| / (atol + rtol·|numeric|); ≤ 1 means every element passed.
    public var worstRatio = 0.0
    public var mismatches: [GradMismatch] = []
    /// Problems that are not per-element (wrong gradient shape, missing gradient).
    public var errors: [String] = []
    public var passed: Bool { mismatches.isEmpty && errors.isEmpty && checked > 0 }
    public var description: String {
        var s = "gradient check: \(checked) checked, \(skipped) skipped, worst ratio \(worstRatio)"
        if checked == 0 { s += "; nothing was checked" }
        for e in errors { s += "; \(e)" }
        for m in mismatches.prefix(5) { s += "; \(m)" }
        if mismatches.count > 5 { s += "; … \(mismatches.count - 5) more mismatches" }
        return s
    }
}

/// Compares `analytic` with central differences of `L = Σ forward(inputs) ⊙ r`, where `r` is a
/// seeded N(0, 1) upstream of the output's shape (never all ones: for train-mode batch norm the
/// true input gradient of Σ y is exactly zero, so a backward returning zeros would pass).
///
/// numeric[i] = (L(x + e_i·ε) − L(x − e_i·ε)) / (x₊ − x₋), L in Double, the denominator the
/// perturbation actually represented in Float. Element i passes when
/// |numeric − analytic| ≤ atol + rtol·|numeric|.
///
/// Choosing ε for a Float32 forward: rounding of y (~6e-8 relative) divided by 2ε must stay well
/// under atol, while the central-difference truncation error (ε²/6·L‴) must too. ε = 1e-2 suits
/// unit-scale inputs: piecewise-linear ops (conv, linear, pools, ReLU away from kinks) have no
/// truncation error at all; smooth ops (softmax, BN) with O(1) curvature stay near 1e-5.
/// Use ε ≈ 1e-3 with a looser atol only when curvature is large (tiny BN variance, T ≪ 1).
///
/// Kink policy: non-differentiable points are the caller's to avoid, either by building inputs
/// away from them (`GradCheck.awayFromKinks`, `GradCheck.distinctValues` for max-pool ties) or
/// by `skip`, which is asked for each (input index, flat index) and counts skipped elements.
///
/// - Parameters:
///   - forward: maps all inputs to one output tensor (a scalar loss as shape [1]).
///   - inputs: the point of evaluation; every one is perturbed unless `analytic` returns nil for it.
///   - names: one name per input, for messages.
///   - analytic: (inputs, upstream r) → d L / d input for each input (nil: not differentiated).
///   - maxElements: inputs with more elements are checked on a seeded random subset of this size.
public func gradientCheck(of forward: ([Tensor]) -> Tensor, inputs: [Tensor], names: [String],
                          analytic: ([Tensor], Tensor) -> [Tensor?], seed: UInt64 = 1,
                          eps: Float = 1e-2, rtol: Double = 1e-2, atol: Double = 1e-3,
                          maxElements: Int = 200,
                          skip: ((_ input: Int, _ index: Int) -> Bool)? = nil) -> GradCheckResult {
    precondition(names.count == inputs.count, "gradientCheck: \(names.count) names for \(inputs.count) inputs")
    var rng = SeededRNG(seed: seed)
    let y0 = forward(inputs)
    let upstream = Tensor.randn(y0.shape, rng: &rng)
    let grads = analytic(inputs, upstream)
    var result = GradCheckResult()
    guard grads.count == inputs.count else {
        result.errors.append("analytic returned \(grads.count) gradients for \(inputs.count) inputs")
        return result
    }
    for (k, input) in inputs.enumerated() {
        guard let g = grads[k] else { continue }
        guard g.shape == input.shape else {
            result.errors.append("gradient of \(names[k]) has shape \(g.shape), input has \(input.shape)")
            continue
        }
        var indices = Array(0..<input.count)
        if input.count > maxElements {
            indices = Array(rng.permutation(input.count).prefix(maxElements)).sorted()
        }
        for i in indices {
            if let skip, skip(k, i) { result.skipped += 1; continue }
            var plus = inputs, minus = inputs
            plus[k].data[i] = input.data[i] + eps
            minus[k].data[i] = input.data[i] - eps
            let step = Double(plus[k].data[i]) - Double(minus[k].data[i])
            let numeric = (forward(plus).dot(upstream) - forward(minus).dot(upstream)) / step
            let a = Double(g.data[i])
            let ratio = abs(numeric - a) / (atol + rtol * abs(numeric))
            result.checked += 1
            if !(ratio <= 1) {
                result.mismatches.append(GradMismatch(input: names[k], index: i, numeric: numeric, analytic: a))
            }
            if !(ratio <= result.worstRatio) { result.worstRatio = ratio.isNaN ? .infinity : ratio }
        }
    }
    return result
}

/// `gradientCheck` that also fails the calling test (at the caller's line) when the check fails.
@discardableResult
public func checkGradient(of forward: ([Tensor]) -> Tensor, inputs: [Tensor], names: [String],
                          analytic: ([Tensor], Tensor) -> [Tensor?], seed: UInt64 = 1,
                          eps: Float = 1e-2, rtol: Double = 1e-2, atol: Double = 1e-3,
                          maxElements: Int = 200,
                          skip: ((_ input: Int, _ index: Int) -> Bool)? = nil,
                          _ message: @autoclosure () -> String = "",
                          file: StaticString = #filePath, line: UInt = #line) -> GradCheckResult {
    let result = gradientCheck(of: forward, inputs: inputs, names: names, analytic: analytic, seed: seed,
                               eps: eps, rtol: rtol, atol: atol, maxElements: maxElements, skip: skip)
    if !result.passed { XCTFail("\(result) \(message())", file: file, line: line) }
    return result
}

/// Input builders that keep gradient checks away from non-differentiable points.
public enum GradCheck {
    /// Moves every value closer than `margin` to a kink (e.g. [0] for ReLU, [0, 6] for ReLU6)
    /// out to kink ± margin, keeping its side. Use margin > eps.
    public static func awayFromKinks(_ t: Tensor, kinks: [Float], margin: Float) -> Tensor {
        t.map { v in
            var v = v
            for k in kinks where abs(v - k) < margin { v = v < k ? k - margin : k + margin }
            return v
        }
    }

    /// A random permutation of the values start, start + gap, … (shape's element count of them):
    /// no ties and no two values within `gap`, so max pooling's choice is stable under ±eps when gap > 2·eps.
    public static func distinctValues(_ shape: [Int], gap: Float, start: Float? = nil,
                                      rng: inout SeededRNG) -> Tensor {
        let n = shape.reduce(1, *)
        let s = start ?? -gap * Float(n) / 2
        return Tensor(shape: shape, data: rng.permutation(n).map { s + gap * Float($0) })
    }

    /// A `skip` predicate: skips elements of input `input` lying within `margin` of a kink.
    public static func skipNear(_ kinks: [Float], of x: Tensor, input: Int = 0,
                                margin: Float) -> (Int, Int) -> Bool {
        { k, i in k == input && kinks.contains { abs(x.data[i] - $0) < margin } }
    }
}
