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
        if BatchNormChannelLanes.applies(c: c, hw: hw) {
            return batchNormTrainLanes(x, gamma: gamma, beta: beta, eps: eps, fused: fused, residual: residual)
        }
        let m = Double(n * hw)
        var mean = [Float](repeating: 0, count: c), variance = mean, invStd = mean
        let parts = partsFor(work: x.count, units: c, threads: threads)
        let ahead = PlanePrefetch(imageStride: c * hw, hw: hw, count: x.count)
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
                            ahead(xp, at, planes: 1)
                            s.add(plane: at, hw: hw, { at in
                                (rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self), .zero)
                            }, { at in (rx.load(fromByteOffset: at &* 4, as: Float.self), 0) })
                        } pair: { s, t, at, at1 in
                            ahead(xp, at, planes: 2)
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
                                    ahead.write(yp, off)
                                    if let rp { ahead(rp, off, planes: 1) }
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
    /// `gateInput` (x's shape), when given, is the gate's input in place of x: u = gateInput·scale + shift.
    func batchNormTrainBackward(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float], dy: Tensor,
                                gate: (affine: [(scale: Float, shift: Float)], activation: FusedActivation)?,
                                gateInput: Tensor? = nil) -> AffineGradients {
        let (n, c, hw) = bnDims(x, gamma)
        precondition(dy.shape == x.shape && mean.count == c && invStd.count == c, "batchNorm backward shapes")
        precondition(gateInput == nil || gateInput!.shape == x.shape, "batchNorm backward: gate input shape")
        if BatchNormChannelLanes.applies(c: c, hw: hw) {
            return batchNormTrainBackwardLanes(x, gamma: gamma, mean: mean, invStd: invStd, dy: dy, gate: gate,
                                               gateInput: gateInput)
        }
        let m = Float(n * hw)
        var dgamma = [Float](repeating: 0, count: c), dbeta = dgamma
        let parts = partsFor(work: x.count, units: c, threads: threads)
        let ahead = PlanePrefetch(imageStride: c * hw, hw: hw, count: x.count)
        let dx = makeArray(x.count) { dxp in
            x.data.withUnsafeBufferPointer { xb in
            dy.data.withUnsafeBufferPointer { db in
            (gateInput ?? x).data.withUnsafeBufferPointer { ub in
            gamma.data.withUnsafeBufferPointer { gb in
            dgamma.withUnsafeMutableBufferPointer { dgb in
            dbeta.withUnsafeMutableBufferPointer { dbb in
                let xp = xb.baseAddress!, dyp = db.baseAddress!, up = ub.baseAddress!
                let act = gate?.activation, affine = gate?.affine ?? []
                parallelParts(parts) { part in
                    // Channels in blocks whose dy and x fit in ~1 MB (L2): both passes go image
                    // by image over the block's planes, contiguous, instead of one channel's planes
                    // c·HW apart. Each channel's sums keep their order (the same bits).
                    // NOTE: no minimum of 2 (the forward's, for the lockstep pairs): a pair of
                    // 128 × 32 × 32 channels is 2 MB of dy and x, which the output pass then re-read
                    // from memory; one channel (1 MB) stays in L2 — C = 72 32×32 layers of
                    // mobilenetv2-half 60.1, 56.7 → 43.9, 45.6 ms a step (the forward: no change).
                    let block = channelBlock(n: n, hw: hw, arrays: gateInput == nil ? 2 : 3)
                    var states = [ChannelReductionState](repeating: ChannelReductionState(), count: min(block, c))
                    var coefficients = [(k: Float, a: Float, b: Float)](repeating: (0, 0, 0), count: min(block, c))
                    forEachChannelBlock(partRange(part, of: parts, count: c), block, &states) { c0, c1, states in
                        @inline(__always) func gated(_ ch: Int) -> (scale: Float, shift: Float, act: FusedActivation)? {
                            act.map { (affine[ch].scale, affine[ch].shift, $0) }
                        }
                        forEachPlane(n: n, c: c, hw: hw, c0, c1, &states) { s, at in
                            let ch = at / hw % c
                            ahead(dyp, at, planes: 1); ahead(xp, at, planes: 1)
                            if gateInput != nil { ahead(up, at, planes: 1) }
                            addSumAndDotCentered(&s, dyp, gatedBy: gated(ch), xp, gateInput: up, offset: at, hw: hw,
                                                 mean: mean[ch])
                        } pair: { s, t, at, at1 in
                            let ch = at / hw % c, ch1 = at1 / hw % c
                            ahead(dyp, at, planes: 2); ahead(xp, at, planes: 2)
                            if gateInput != nil { ahead(up, at, planes: 2) }
                            addSumAndDotCentered(&s, &t, dyp, gatedBy: (gated(ch), gated(ch1)), xp, gateInput: up,
                                                 offsets: (at, at1),
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
                                ahead.write(dxp, off)
                                if let act {
                                    axpby(dyp + off, gatedBy: affine[ch], act, kf, xp + off, a, b0, dxp + off, hw,
                                          gateInput: up + off)
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
