// Batch normalisation, train and eval, forward and backward: channels in L2-sized blocks
// walked image by image, vectorised plane loops, Double across planes.
// N batch, C channels, HW = H·W; m = N·HW values per channel.

import TensorCore

extension FastEngine {
    /// μ = Σx/m, σ² = Σ(x − μ)²/m (biased), y = γ·(x − μ)·invStd + β with invStd = 1/√(σ² + eps).
    /// NOTE: two passes (mean, then centred squares) rather than E[x²] − E[x]², which
    /// cancels catastrophically when |μ| ≫ σ; a channel of a CIFAR batch fits in L2.
    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float) -> BatchNormForward {
        batchNormTrain(x, gamma: gamma, beta: beta, eps: eps, fused: nil)
    }

    /// `batchNormTrain`, then (`residual` added and) `fused` (if any) applied in the same output
    /// pass: per plane the same `affine`, then the same elementwise act(u + v) as `add`.
    func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float,
                        fused: FusedActivation?, residual: Tensor? = nil) -> BatchNormForward {
        let (n, c, hw) = bnDims(x, gamma)
        precondition(residual.map { $0.shape == x.shape } ?? true,
                     "batchNorm: residual \(residual?.shape ?? []) vs input \(x.shape)")
        let m = Double(n * hw)
        var mean = [Float](repeating: 0, count: c), variance = mean, invStd = mean
        let parts = partsFor(work: x.count, units: c, threads: threads)
        let y = makeArray(x.count) { yp in
            x.data.withUnsafeBufferPointer { xb in
            gamma.data.withUnsafeBufferPointer { gb in
            beta.data.withUnsafeBufferPointer { bb in
            mean.withUnsafeMutableBufferPointer { mb in
            variance.withUnsafeMutableBufferPointer { vb in
            invStd.withUnsafeMutableBufferPointer { ib in
            (residual?.data ?? []).withUnsafeBufferPointer { rb in
                let xp = xb.baseAddress!
                // NOTE: an empty array's buffer may have a base address: test for the residual itself.
                let rp = residual == nil ? nil : rb.baseAddress
                parallelParts(parts) { part in
                    // Channels in blocks whose planes fit in ~1 MB (L2), every pass image by image
                    // over the block (contiguous), each channel's sums in their own order (same bits).
                    let block = max(2, channelBlock(n: n, hw: hw, arrays: 2))
                    var states = [ChannelReductionState](repeating: ChannelReductionState(), count: min(block, c))
                    var affineOf = [(scale: Float, shift: Float)](repeating: (0, 0), count: min(block, c))
                    let rx = UnsafeRawPointer(xp)
                    forEachChannelBlock(partRange(part, of: parts, count: c), block, &states) { c0, c1, states in
                        // NOTE: the loaders as closure literals at each call: stored in a `let`, they
                        // were called indirectly per 8 floats (not inlined), the pass twice as slow.
                        forEachPlane(n: n, c: c, hw: hw, c0, c1, &states) { s, at in
                            s.add(plane: at, hw: hw, { at in
                                (rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self), .zero)
                            }, { at in (rx.load(fromByteOffset: at &* 4, as: Float.self), 0) })
                        } pair: { s, t, at, at1 in
                            ChannelReductionState.addPair(&s, &t, planes: (at, at1), hw: hw, { at in
                                (rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self), .zero)
                            }, { at in (rx.load(fromByteOffset: at &* 4, as: Float.self), 0) }, { at in
                                (rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self), .zero)
                            }, { at in (rx.load(fromByteOffset: at &* 4, as: Float.self), 0) })
                        }
                        for ch in c0..<c1 {
                            mb[ch] = Float(states[ch &- c0].result().0 / m)
                            states[ch &- c0] = ChannelReductionState()
                        }
                        @inline(__always) func squares(_ ch: Int) -> ((Int) -> (SIMD8<Float>, SIMD8<Float>), (Int) -> (Float, Float)) {
                            let mu = mb[ch], vm = SIMD8<Float>(repeating: mu)
                            return ({ at in
                                let d = rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self) - vm
                                return (d * d, .zero)
                            }, { at in let d = rx.load(fromByteOffset: at &* 4, as: Float.self) - mu; return (d * d, 0) })
                        }
                        forEachPlane(n: n, c: c, hw: hw, c0, c1, &states) { s, at in
                            let (v, sv) = squares(at / hw % c)
                            s.add(plane: at, hw: hw, v, sv)
                        } pair: { s, t, at, at1 in
                            let (v, sv) = squares(at / hw % c), (v1, sv1) = squares(at1 / hw % c)
                            ChannelReductionState.addPair(&s, &t, planes: (at, at1), hw: hw, v, sv, v1, sv1)
                        }
                        for ch in c0..<c1 {
                            let mu = mb[ch], v = states[ch &- c0].result().0 / m
                            let inv = Float(1 / (v + Double(eps)).squareRoot())
                            vb[ch] = Float(v); ib[ch] = inv
                            let scale = gb[ch] * inv
                            affineOf[ch &- c0] = (scale, bb[ch] - mu * scale)
                        }
                        withActivation(rp == nil ? fused : nil) { act, actS in
                            for img in 0..<n {
                                for ch in c0..<c1 {
                                    let off = (img &* c &+ ch) &* hw, (scale, shift) = affineOf[ch &- c0]
                                    affine(xp + off, yp + off, hw, scale: scale, shift: shift, act, actS)
                                    if let rp { addActivated(UnsafePointer(yp + off), rp + off, yp + off, hw, fused) }
                                }
                            }
                        }
                    }
                }
            }
            }
            }
            }
            }
            }
            }
        }
        return BatchNormForward(y: Tensor(shape: x.shape, data: y), mean: mean, variance: variance, invStd: invStd)
    }

    /// x̂ = (x − μ)·invStd; dβ = Σdy, dγ = Σ dy·x̂,
    /// dx = γ·invStd·(dy − dβ/m − x̂·dγ/m).
    public func batchNormTrainBackward(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float],
                                       dy: Tensor) -> AffineGradients {
        batchNormTrainBackward(x, gamma: gamma, mean: mean, invStd: invStd, dy: dy, gate: nil)
    }

    /// `batchNormTrainBackward` of dy gated by an activation whose input is x·scale + shift per
    /// channel (the fused op's backward): the gate is applied where dy is read, in both passes.
    func batchNormTrainBackward(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float], dy: Tensor,
                                gate: (affine: [(scale: Float, shift: Float)], activation: FusedActivation)?)
        -> AffineGradients {
        let (n, c, hw) = bnDims(x, gamma)
        precondition(dy.shape == x.shape && mean.count == c && invStd.count == c, "batchNorm backward shapes")
        let m = Float(n * hw)
        var dgamma = [Float](repeating: 0, count: c), dbeta = dgamma
        let parts = partsFor(work: x.count, units: c, threads: threads)
        let dx = makeArray(x.count) { dxp in
            x.data.withUnsafeBufferPointer { xb in
            dy.data.withUnsafeBufferPointer { db in
            gamma.data.withUnsafeBufferPointer { gb in
            dgamma.withUnsafeMutableBufferPointer { dgb in
            dbeta.withUnsafeMutableBufferPointer { dbb in
                let xp = xb.baseAddress!, dyp = db.baseAddress!
                let act = gate?.activation, affine = gate?.affine ?? []
                parallelParts(parts) { part in
                    // Channels in blocks whose dy and x fit in ~1 MB (L2): both passes go image
                    // by image over the block's planes, contiguous, instead of one channel's planes
                    // c·HW apart. Each channel's sums keep their order (the same bits).
                    // NOTE: no minimum of 2 (the forward's, for the lockstep pairs): a pair of
                    // 128 × 32 × 32 channels is 2 MB of dy and x, which the output pass then re-read
                    // from memory; one channel (1 MB) stays in L2 — C = 72 32×32 layers of
                    // mobilenetv2-half 60.1, 56.7 → 43.9, 45.6 ms a step (the forward: no change).
                    let block = channelBlock(n: n, hw: hw, arrays: 2)
                    var states = [ChannelReductionState](repeating: ChannelReductionState(), count: min(block, c))
                    var coefficients = [(k: Float, a: Float, b: Float)](repeating: (0, 0, 0), count: min(block, c))
                    forEachChannelBlock(partRange(part, of: parts, count: c), block, &states) { c0, c1, states in
                        @inline(__always) func gated(_ ch: Int) -> (scale: Float, shift: Float, act: FusedActivation)? {
                            act.map { (affine[ch].scale, affine[ch].shift, $0) }
                        }
                        forEachPlane(n: n, c: c, hw: hw, c0, c1, &states) { s, at in
                            let ch = at / hw % c
                            addSumAndDotCentered(&s, dyp, gatedBy: gated(ch), xp, offset: at, hw: hw, mean: mean[ch])
                        } pair: { s, t, at, at1 in
                            let ch = at / hw % c, ch1 = at1 / hw % c
                            addSumAndDotCentered(&s, &t, dyp, gatedBy: (gated(ch), gated(ch1)), xp, offsets: (at, at1),
                                                 hw: hw, means: (mean[ch], mean[ch1]))
                        }
                        for ch in c0..<c1 {
                            let (sdy, sdyxc) = states[ch &- c0].result()
                            let mu = mean[ch], inv = invStd[ch]
                            let dB = Float(sdy), dG = Float(sdyxc) * inv
                            dbb[ch] = dB; dgb[ch] = dG
                            // dx = k·dy + a·x + b0 with k = γ·inv, a = −k·inv·dγ/m, b0 = −k·dβ/m − a·μ.
                            let kf = gb[ch] * inv, a = -kf * inv * dG / m, b0 = -kf * dB / m - a * mu
                            coefficients[ch &- c0] = (kf, a, b0)
                        }
                        for img in 0..<n {
                            for ch in c0..<c1 {
                                let off = (img &* c &+ ch) &* hw, (kf, a, b0) = coefficients[ch &- c0]
                                if let act {
                                    axpby(dyp + off, gatedBy: affine[ch], act, kf, xp + off, a, b0, dxp + off, hw)
                                } else {
                                    axpby(dyp + off, kf, xp + off, a, b0, dxp + off, hw)
                                }
                            }
                        }
                    }
                }
            }
            }
            }
            }
            }
        }
        return AffineGradients(x: Tensor(shape: x.shape, data: dx), weight: Tensor(shape: [c], data: dgamma),
                               bias: Tensor(shape: [c], data: dbeta))
    }

    /// y = γ·(x − running_mean)/√(running_var + eps) + β, as one fused scale and shift.
    public func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                              runningVar: Tensor, eps: Float) -> Tensor {
        batchNormEval(x, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar, eps: eps,
                      fused: nil)
    }

    /// `batchNormEval`, then `fused` (if any) applied in the same pass.
    func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                       runningVar: Tensor, eps: Float, fused: FusedActivation?) -> Tensor {
        let (n, c, hw) = bnDims(x, gamma)
        let (scale, shift) = Self.evalScaleShift(gamma: gamma, beta: beta, runningMean: runningMean,
                                                 runningVar: runningVar, eps: eps)
        let parts = partsFor(work: x.count, units: n * c, threads: threads)
        let y = makeArray(x.count) { yp in
            x.data.withUnsafeBufferPointer { xb in
            scale.withUnsafeBufferPointer { sb in
            shift.withUnsafeBufferPointer { tb in
                let xp = xb.baseAddress!, sp = sb.baseAddress!, tp = tb.baseAddress!
                parallelParts(parts) { part in
                    let planes = partRange(part, of: parts, count: n * c)
                    withActivation(fused) { act, actS in
                        var ch = planes.lowerBound % max(c, 1)
                        for plane in planes {
                            affine(xp + plane &* hw, yp + plane &* hw, hw, scale: sp[ch], shift: tp[ch], act, actS)
                            ch &+= 1
                            if ch == c { ch = 0 }
                        }
                    }
                }
            }
            }
            }
        }
        return Tensor(shape: x.shape, data: y)
    }

    /// Eval-mode batch norm as y = x·scale + shift: scale = γ/√(running_var + eps),
    /// shift = β − running_mean·scale (what `batchNormEval` and `conv2dBatchNormEval` apply).
    static func evalScaleShift(gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor,
                               eps: Float) -> (scale: [Float], shift: [Float]) {
        let c = gamma.count
        var scale = [Float](repeating: 0, count: c), shift = scale
        for ch in 0..<c {
            let inv = 1 / (runningVar.data[ch] + eps).squareRoot()
            scale[ch] = gamma.data[ch] * inv
            shift[ch] = beta.data[ch] - runningMean.data[ch] * scale[ch]
        }
        return (scale, shift)
    }

    /// dx = dy·γ·inv, dγ = Σ dy·(x − running_mean)·inv, dβ = Σ dy, inv = 1/√(running_var + eps).
    public func batchNormEvalBackward(_ x: Tensor, gamma: Tensor, runningMean: Tensor, runningVar: Tensor,
                                      eps: Float, dy: Tensor) -> AffineGradients {
        let (n, c, hw) = bnDims(x, gamma)
        precondition(dy.shape == x.shape, "batchNorm backward shapes")
        var dgamma = [Float](repeating: 0, count: c), dbeta = dgamma
        let parts = partsFor(work: x.count, units: c, threads: threads)
        let dx = makeArray(x.count) { dxp in
            x.data.withUnsafeBufferPointer { xb in
            dy.data.withUnsafeBufferPointer { db in
            dgamma.withUnsafeMutableBufferPointer { dgb in
            dbeta.withUnsafeMutableBufferPointer { dbb in
                let xp = xb.baseAddress!, dyp = db.baseAddress!
                parallelParts(parts) { part in
                    for ch in partRange(part, of: parts, count: c) {
                        let mu = runningMean.data[ch]
                        let inv = 1 / (runningVar.data[ch] + eps).squareRoot(), kf = gamma.data[ch] * inv
                        var sdy = 0.0, sdyxc = 0.0
                        for img in 0..<n {
                            let off = (img &* c &+ ch) &* hw
                            let (s, sc) = vsumAndDotCentered(dyp + off, xp + off, hw, mean: mu)
                            sdy += Double(s); sdyxc += Double(sc)
                            affine(dyp + off, dxp + off, hw, scale: kf, shift: 0)
                        }
                        dbb[ch] = Float(sdy); dgb[ch] = Float(sdyxc) * inv
                    }
                }
            }
            }
            }
            }
        }
        return AffineGradients(x: Tensor(shape: x.shape, data: dx), weight: Tensor(shape: [c], data: dgamma),
                               bias: Tensor(shape: [c], data: dbeta))
    }

    /// (N, C, H·W) of a batch-norm input, accepting [N,C] and [N,C,H,W].
    func bnDims(_ x: Tensor, _ gamma: Tensor) -> (Int, Int, Int) {
        precondition(x.rank >= 2, "batch norm needs [N,C,…], got \(x.shape)")
        let n = x.shape[0], c = x.shape[1]
        precondition(gamma.count == c, "gamma has \(gamma.count) values for \(c) channels")
        return (n, c, n * c == 0 ? 0 : x.count / (n * c))
    }
}

/// out[j] = x[j]·scale + shift.
@inline(__always)
func affine(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int,
            scale: Float, shift: Float) {
    let rx = UnsafeRawPointer(x), ro = UnsafeMutableRawPointer(out)
    let vs = SIMD8<Float>(repeating: scale), vt = SIMD8<Float>(repeating: shift)
    var j = 0
    while j &+ 8 <= count {
        let v = rx.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self) * vs + vt
        ro.storeBytes(of: v, toByteOffset: j &* 4, as: SIMD8<Float>.self)
        j &+= 8
    }
    while j < count { out[j] = x[j] * scale + shift; j &+= 1 }
}

/// out[j] = u[j]·a + v[j]·b + c.
@inline(__always)
func axpby(_ u: UnsafePointer<Float>, _ a: Float, _ v: UnsafePointer<Float>, _ b: Float, _ c: Float,
           _ out: UnsafeMutablePointer<Float>, _ count: Int) {
    let ru = UnsafeRawPointer(u), rv = UnsafeRawPointer(v), ro = UnsafeMutableRawPointer(out)
    let va = SIMD8<Float>(repeating: a), vb = SIMD8<Float>(repeating: b), vc = SIMD8<Float>(repeating: c)
    var j = 0
    while j &+ 8 <= count {
        var r = vc
        r.addProduct(ru.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self), va)
        r.addProduct(rv.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self), vb)
        ro.storeBytes(of: r, toByteOffset: j &* 4, as: SIMD8<Float>.self)
        j &+= 8
    }
    while j < count { out[j] = c + u[j] * a + v[j] * b; j &+= 1 }
}

/// Channels per block for passes over `arrays` tensors [N, C, HW] such that a block's planes
/// (N·HW floats a channel and array) fit in ~1 MB of L2.
@inline(__always)
func channelBlock(n: Int, hw: Int, arrays: Int) -> Int {
    max(1, (1 << 20) / max(1, n &* hw &* 4 &* arrays))
}

/// Runs `body(c0, c1)` for consecutive blocks of at most `block` channels covering `range`,
/// with `states[0 ..< c1 − c0]` reset for the block's channels and handed to `body`.
@inline(__always)
func forEachChannelBlock(_ range: Range<Int>, _ block: Int, _ states: inout [ChannelReductionState],
                         _ body: (Int, Int, inout [ChannelReductionState]) -> Void) {
    var c0 = range.lowerBound
    while c0 < range.upperBound {
        let c1 = min(c0 &+ block, range.upperBound)
        for i in 0..<(c1 &- c0) { states[i] = ChannelReductionState() }
        body(c0, c1, &states)
        c0 = c1
    }
}

/// Feeds the planes of channels c0 ..< c1 to their states (`states[ch − c0]`), image by image
/// (contiguous), two channels at a time through `pair` (`ChannelReductionState.addPair`), an odd
/// last channel through `single`; the closures get the planes' offsets. Each channel's planes
/// arrive in image order, as with one channel at a time.
@inline(__always)
func forEachPlane(n: Int, c: Int, hw: Int, _ c0: Int, _ c1: Int, _ states: inout [ChannelReductionState],
                  single: (inout ChannelReductionState, Int) -> Void,
                  pair: (inout ChannelReductionState, inout ChannelReductionState, Int, Int) -> Void) {
    states.withUnsafeMutableBufferPointer { sb in
        for img in 0..<n {
            var ch = c0
            while ch &+ 1 < c1 {
                let at = (img &* c &+ ch) &* hw
                pair(&sb[ch &- c0], &sb[ch &+ 1 &- c0], at, at &+ hw)
                ch &+= 2
            }
            if ch < c1 { single(&sb[ch &- c0], (img &* c &+ ch) &* hw) }
        }
    }
}

/// (Σ vector(at) lanes, Σ scalar(at)) over one channel's planes, fed one plane at a time
/// (`at` = plane offset + j), interleaved with other channels' planes image by image: 8-lane
/// Float accumulators across planes, flushed into Doubles every ≥ 4096 values, with no
/// horizontal sum per plane. The channel's sums take the same steps in the same order however
/// its planes are interleaved (the same bits at every block size and thread count).
/// NOTE: summing plane by plane (one horizontal sum and Double conversion per plane) cost more
/// than the data on 4 × 4 and 8 × 8 maps (16 or 64 floats a plane: MobileNetV2's late layers).
struct ChannelReductionState {
    var total0 = 0.0, total1 = 0.0
    var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), b0 = SIMD8<Float>(), b1 = SIMD8<Float>()
    var t0: Float = 0, t1: Float = 0
    var pending = 0

    @inline(__always)
    mutating func flush() {
        total0 += Double(((a0 + b0).sum() + t0)); total1 += Double(((a1 + b1).sum() + t1))
        a0 = .zero; a1 = .zero; b0 = .zero; b1 = .zero; t0 = 0; t1 = 0; pending = 0
    }

    /// Adds the plane of `hw` values at `base` (`at` = base + j).
    @inline(__always)
    mutating func add(plane base: Int, hw: Int, _ vector: (Int) -> (SIMD8<Float>, SIMD8<Float>),
                      _ scalar: (Int) -> (Float, Float)) {
        let vec = hw & ~7
        var j = 0
        while j &+ 16 <= vec {
            let u = vector(base &+ j), w = vector(base &+ j &+ 8)
            a0 += u.0; a1 += u.1; b0 += w.0; b1 += w.1
            j &+= 16
        }
        if j < vec { let u = vector(base &+ j); a0 += u.0; a1 += u.1; j &+= 8 }
        while j < hw { let u = scalar(base &+ j); t0 += u.0; t1 += u.1; j &+= 1 }
        pending &+= hw
        if pending >= 4096 { flush() }
    }

    /// `add` of two planes (at `planes.0` and `planes.1`) into two channels' states in lockstep:
    /// each state takes exactly the steps `add` gives it (the same bits), but the two channels'
    /// chains of dependent additions run side by side (the single-plane loop waits on its adds'
    /// latency, not on memory).
    @inline(__always)
    static func addPair(_ s: inout Self, _ t: inout Self, planes: (Int, Int), hw: Int,
                        _ vector0: (Int) -> (SIMD8<Float>, SIMD8<Float>), _ scalar0: (Int) -> (Float, Float),
                        _ vector1: (Int) -> (SIMD8<Float>, SIMD8<Float>), _ scalar1: (Int) -> (Float, Float)) {
        let (p, q) = planes, vec = hw & ~7
        var j = 0
        while j &+ 16 <= vec {
            let u = vector0(p &+ j), w = vector0(p &+ j &+ 8)
            let u1 = vector1(q &+ j), w1 = vector1(q &+ j &+ 8)
            s.a0 += u.0; s.a1 += u.1; s.b0 += w.0; s.b1 += w.1
            t.a0 += u1.0; t.a1 += u1.1; t.b0 += w1.0; t.b1 += w1.1
            j &+= 16
        }
        if j < vec {
            let u = vector0(p &+ j), u1 = vector1(q &+ j)
            s.a0 += u.0; s.a1 += u.1; t.a0 += u1.0; t.a1 += u1.1
            j &+= 8
        }
        while j < hw {
            let u = scalar0(p &+ j), u1 = scalar1(q &+ j)
            s.t0 += u.0; s.t1 += u.1; t.t0 += u1.0; t.t1 += u1.1
            j &+= 1
        }
        s.pending &+= hw; t.pending &+= hw
        if s.pending >= 4096 { s.flush() }
        if t.pending >= 4096 { t.flush() }
    }

    @inline(__always)
    mutating func result() -> (Double, Double) {
        flush()
        return (total0, total1)
    }
}

/// Adds one plane (at `offset`) of g = dy, or dy gated by an activation whose input is
/// x·scale + shift, to a channel's (Σ g, Σ g·(x − m)): the per-plane step of the backward's reduction.
@inline(__always)
func addSumAndDotCentered(_ state: inout ChannelReductionState, _ dy: UnsafePointer<Float>,
                          gatedBy gate: (scale: Float, shift: Float, act: FusedActivation)?,
                          _ x: UnsafePointer<Float>, offset: Int, hw: Int, mean m: Float) {
    let rx = UnsafeRawPointer(x), vm = SIMD8<Float>(repeating: m)
    withGradientLoaders(dy, x, gatedBy: gate) { g, gs in
        state.add(plane: offset, hw: hw, { at in
            let v = g(at)
            return (v, v * (rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self) - vm))
        }, { at in let v = gs(at); return (v, v * (x[at] - m)) })
    }
}

/// `addSumAndDotCentered` for two channels' planes in lockstep (`ChannelReductionState.addPair`):
/// each state takes exactly the steps the single call gives it. Both gates are nil or both use
/// the same activation (one batch norm's channels).
/// NOTE: the loaders are closure literals at the `addPair` call, one switch outside: loaders from
/// nested helper closures were not inlined (`call loadUnaligned` per 8 floats, sums spilled).
@inline(__always)
func addSumAndDotCentered(_ s: inout ChannelReductionState, _ t: inout ChannelReductionState,
                          _ dy: UnsafePointer<Float>,
                          gatedBy gates: ((scale: Float, shift: Float, act: FusedActivation)?,
                                          (scale: Float, shift: Float, act: FusedActivation)?),
                          _ x: UnsafePointer<Float>, offsets: (Int, Int), hw: Int, means: (Float, Float)) {
    let rx = UnsafeRawPointer(x), rd = UnsafeRawPointer(dy), (m0, m1) = means
    let vm0 = SIMD8<Float>(repeating: m0), vm1 = SIMD8<Float>(repeating: m1)
    guard let g0 = gates.0, let g1 = gates.1 else {
        ChannelReductionState.addPair(&s, &t, planes: offsets, hw: hw, { at in
            let v = rd.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self)
            return (v, v * (rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self) - vm0))
        }, { at in let v = dy[at]; return (v, v * (x[at] - m0)) }, { at in
            let v = rd.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self)
            return (v, v * (rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self) - vm1))
        }, { at in let v = dy[at]; return (v, v * (x[at] - m1)) })
        return
    }
    let (s0, t0, s1, t1) = (g0.scale, g0.shift, g1.scale, g1.shift)
    let vs0 = SIMD8<Float>(repeating: s0), vt0 = SIMD8<Float>(repeating: t0)
    let vs1 = SIMD8<Float>(repeating: s1), vt1 = SIMD8<Float>(repeating: t1)
    @inline(__always) func run(_ act: FusedActivation) {
        ChannelReductionState.addPair(&s, &t, planes: offsets, hw: hw, { at in
            let xv = rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self)
            let v = act.gate(xv * vs0 + vt0, rd.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self))
            return (v, v * (xv - vm0))
        }, { at in let v = act.gate(x[at] * s0 + t0, dy[at]); return (v, v * (x[at] - m0)) }, { at in
            let xv = rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self)
            let v = act.gate(xv * vs1 + vt1, rd.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self))
            return (v, v * (xv - vm1))
        }, { at in let v = act.gate(x[at] * s1 + t1, dy[at]); return (v, v * (x[at] - m1)) })
    }
    switch g0.act {
    case .relu: run(.relu)
    case .relu6: run(.relu6)
    }
}

/// Calls `body` with loaders of g = dy, or of dy gated by the activation of u = x·scale + shift
/// (computed as the forward's `affine` computes it): 8 lanes at `at`, and one value at `at`.
@inline(__always)
private func withGradientLoaders(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                 gatedBy gate: (scale: Float, shift: Float, act: FusedActivation)?,
                                 _ body: ((Int) -> SIMD8<Float>, (Int) -> Float) -> Void) {
    let rd = UnsafeRawPointer(dy)
    guard let gate else {
        body({ at in rd.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self) }, { at in dy[at] })
        return
    }
    let rx = UnsafeRawPointer(x), scale = gate.scale, shift = gate.shift
    let vs = SIMD8<Float>(repeating: scale), vt = SIMD8<Float>(repeating: shift)
    switch gate.act {
    case .relu:
        body({ at in FusedActivation.relu.gate(rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self) * vs + vt,
                                               rd.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self)) },
             { at in FusedActivation.relu.gate(x[at] * scale + shift, dy[at]) })
    case .relu6:
        body({ at in FusedActivation.relu6.gate(rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self) * vs + vt,
                                                rd.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self)) },
             { at in FusedActivation.relu6.gate(x[at] * scale + shift, dy[at]) })
    }
}
