// Batch norm and the residual add with the ReLU / ReLU6 after them fused into the same
// passes over memory: the activation costs no pass of its own, forward or backward.
// N batch, C channels, HW = H·W.

import TensorCore

extension FusedActivation {
    /// The activation on eight lanes, exactly as `FastEngine.relu` / `relu6` compute it.
    @inline(__always)
    func apply(_ v: SIMD8<Float>) -> SIMD8<Float> {
        switch self {
        case .relu: return v.replacing(with: 0, where: v .<= 0)
        case .relu6: return v.replacing(with: 0, where: v .<= 0).replacing(with: 6, where: v .>= 6)
        }
    }

    @inline(__always)
    func apply(_ v: Float) -> Float {
        switch self {
        case .relu: return v <= 0 ? 0 : v
        case .relu6: return v <= 0 ? 0 : (v >= 6 ? 6 : v)
        }
    }

    /// g where the output y is on the slope, else 0 (as `reluBackward` / `relu6Backward` of y).
    @inline(__always)
    func gate(_ y: SIMD8<Float>, _ g: SIMD8<Float>) -> SIMD8<Float> {
        switch self {
        case .relu: return SIMD8(repeating: 0).replacing(with: g, where: y .> 0)
        case .relu6: return SIMD8(repeating: 0).replacing(with: g, where: (y .> 0) .& (y .< 6))
        }
    }

    @inline(__always)
    func gate(_ y: Float, _ g: Float) -> Float {
        switch self {
        case .relu: return y > 0 ? g : 0
        case .relu6: return y > 0 && y < 6 ? g : 0
        }
    }
}

extension FastEngine {
    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float,
                               activation: FusedActivation) -> BatchNormForward {
        batchNormTrain(x, gamma: gamma, beta: beta, eps: eps, fused: activation)
    }

    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float, residual: Tensor,
                               activation: FusedActivation?) -> BatchNormForward {
        batchNormTrain(x, gamma: gamma, beta: beta, eps: eps, fused: activation, residual: residual)
    }

    /// dy gated by y where both passes read it (u = y·1 + 0 = y: the same gate as `activationBackward`),
    /// so g is never written: a residual block's last batch norm, three streams fewer.
    public func batchNormTrainBackward(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float], dy: Tensor,
                                       gatedByOutput y: Tensor, activation: FusedActivation) -> AffineGradients {
        precondition(y.shape == x.shape, "batchNorm backward: output \(y.shape) vs input \(x.shape)")
        let identity = [(scale: Float, shift: Float)](repeating: (1, 0), count: gamma.count)
        return batchNormTrainBackward(x, gamma: gamma, mean: mean, invStd: invStd, dy: dy, gate: (identity, activation),
                                      gateInput: y)
    }

    /// a[i] += act.gate(y[i], dy[i]) in one pass (the same bits as `activationBackward` then `accumulate`).
    public func accumulate(_ a: inout Tensor, _ dy: Tensor, gatedByOutput y: Tensor, activation: FusedActivation) {
        precondition(a.shape == dy.shape && y.shape == dy.shape, "accumulate: shapes \(a.shape), \(dy.shape), \(y.shape)")
        let count = a.count
        let parts = partsFor(work: 3 * count, units: count, threads: threads, minWork: 1 << 17)
        a.data.withUnsafeMutableBufferPointer { ab in
            dy.data.withUnsafeBufferPointer { db in
                y.data.withUnsafeBufferPointer { yb in
                    guard let ap = ab.baseAddress, let dp = db.baseAddress, let yp = yb.baseAddress else { return }
                    @inline(__always) func run(_ act: FusedActivation) {
                        parallelParts(parts) { part in
                            let r = partRange(part, of: parts, count: count)
                            let ra = UnsafeMutableRawPointer(ap), rd = UnsafeRawPointer(dp), ry = UnsafeRawPointer(yp)
                            var i = r.lowerBound
                            while i &+ 8 <= r.upperBound {
                                let v = ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
                                let g = act.gate(ry.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self),
                                                 rd.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self))
                                ra.storeBytes(of: v + g, toByteOffset: i &* 4, as: SIMD8<Float>.self)
                                i &+= 8
                            }
                            while i < r.upperBound { ap[i] += act.gate(yp[i], dp[i]); i &+= 1 }
                        }
                    }
                    switch activation {
                    case .relu: run(.relu)
                    case .relu6: run(.relu6)
                    }
                }
            }
        }
    }

    /// The gate is judged from the activation's input u = x·scale + shift, recomputed from x with the
    /// forward's own scale and shift (scale = γ·invStd, shift = β − μ·scale, the same floats):
    /// exactly where y is on the slope, without reading y (a stream less in each pass).
    public func batchNormTrainBackward(_ x: Tensor, y: Tensor, gamma: Tensor, beta: Tensor, mean: [Float],
                                       invStd: [Float], activation: FusedActivation, dy: Tensor) -> AffineGradients {
        precondition(y.shape == x.shape, "batchNorm backward: output \(y.shape) vs input \(x.shape)")
        precondition(beta.count == gamma.count && mean.count == gamma.count && invStd.count == gamma.count,
                     "batchNorm backward: β \(beta.count), μ \(mean.count), invStd \(invStd.count) for \(gamma.count) channels")
        let affine = (0..<gamma.count).map { ch -> (scale: Float, shift: Float) in
            let scale = gamma.data[ch] * invStd[ch]
            return (scale, beta.data[ch] - mean[ch] * scale)
        }
        return batchNormTrainBackward(x, gamma: gamma, mean: mean, invStd: invStd, dy: dy, gate: (affine, activation))
    }

    public func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                              runningVar: Tensor, eps: Float, activation: FusedActivation) -> Tensor {
        batchNormEval(x, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar, eps: eps,
                      fused: activation)
    }

    /// y = act(a + b) in one pass.
    public func add(_ a: Tensor, _ b: Tensor, activation: FusedActivation) -> Tensor {
        switch activation {
        case .relu:
            return binary(a, b, "add+relu", { u, v in FusedActivation.relu.apply(u + v) },
                          { u, v in FusedActivation.relu.apply(u + v) })
        case .relu6:
            return binary(a, b, "add+relu6", { u, v in FusedActivation.relu6.apply(u + v) },
                          { u, v in FusedActivation.relu6.apply(u + v) })
        }
    }
}

/// Runs `body` with the activation's 8-lane and scalar functions (the identity for nil): a loop
/// written once in `body` is compiled once per activation, the choice made outside the loop.
@inline(__always)
func withActivation<R>(_ activation: FusedActivation?,
                       _ body: ((SIMD8<Float>) -> SIMD8<Float>, (Float) -> Float) -> R) -> R {
    switch activation {
    case nil: return body({ $0 }, { $0 })
    case .relu?: return body({ FusedActivation.relu.apply($0) }, { FusedActivation.relu.apply($0) })
    case .relu6?: return body({ FusedActivation.relu6.apply($0) }, { FusedActivation.relu6.apply($0) })
    }
}

/// out[j] = act(x[j]·scale + shift) over `count` floats (`act`, `actS` from `withActivation`).
@inline(__always)
func affine(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int,
            scale: Float, shift: Float, _ act: (SIMD8<Float>) -> SIMD8<Float>, _ actS: (Float) -> Float) {
    let rx = UnsafeRawPointer(x), ro = UnsafeMutableRawPointer(out)
    let vs = SIMD8<Float>(repeating: scale), vt = SIMD8<Float>(repeating: shift)
    var j = 0
    while j &+ 8 <= count {
        let v = act(rx.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self) * vs + vt)
        ro.storeBytes(of: v, toByteOffset: j &* 4, as: SIMD8<Float>.self)
        j &+= 8
    }
    while j < count { out[j] = actS(x[j] * scale + shift); j &+= 1 }
}

/// out[j] = gate(v[j]·scale + shift, u[j])·a + v[j]·b + c: `axpby` of the gradient u gated by the
/// activation's input, recomputed from v = x as the forward's `affine` computed it (the same
/// floats, so the same gate as judging from the output y: ReLU y > 0 ⟺ u > 0, ReLU6 0 < y < 6 ⟺
/// 0 < u < 6, NaN blocked both ways).
@inline(__always)
func axpby(_ u: UnsafePointer<Float>, gatedBy affine: (scale: Float, shift: Float), _ act: FusedActivation, _ a: Float,
           _ v: UnsafePointer<Float>, _ b: Float, _ c: Float, _ out: UnsafeMutablePointer<Float>, _ count: Int,
           gateInput w: UnsafePointer<Float>) {
    let ru = UnsafeRawPointer(u), rv = UnsafeRawPointer(v), rw = UnsafeRawPointer(w), ro = UnsafeMutableRawPointer(out)
    let va = SIMD8<Float>(repeating: a), vb = SIMD8<Float>(repeating: b), vc = SIMD8<Float>(repeating: c)
    let vs = SIMD8<Float>(repeating: affine.scale), vt = SIMD8<Float>(repeating: affine.shift)
    let scale = affine.scale, shift = affine.shift
    @inline(__always) func run(_ act: FusedActivation) {
        var j = 0
        while j &+ 8 <= count {
            let x = rv.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
            let g = rw.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
            var r = vc
            r.addProduct(act.gate(g * vs + vt, ru.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)), va)
            r.addProduct(x, vb)
            ro.storeBytes(of: r, toByteOffset: j &* 4, as: SIMD8<Float>.self)
            j &+= 8
        }
        while j < count { out[j] = c + act.gate(w[j] * scale + shift, u[j]) * a + v[j] * b; j &+= 1 }
    }
    switch act {
    case .relu: run(.relu)
    case .relu6: run(.relu6)
    }
}

/// out[j] = act(a[j] + b[j]) over `count` floats: `add(_:_:activation:)`'s (or, for nil, `add`'s)
/// elementwise op (the same bits in a vector lane or a scalar), for one chunk of a fused
/// convolution's output.
@inline(__always)
func addActivated(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                  _ count: Int, _ activation: FusedActivation?) {
    withActivation(activation) { act, actS in
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), ro = UnsafeMutableRawPointer(out)
        var j = 0
        while j &+ 8 <= count {
            let v = act(ra.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
                        + rb.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self))
            ro.storeBytes(of: v, toByteOffset: j &* 4, as: SIMD8<Float>.self)
            j &+= 8
        }
        while j < count { out[j] = actS(a[j] + b[j]); j &+= 1 }
    }
}
