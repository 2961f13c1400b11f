// Train-mode batch norm on planes of fewer than 8 values (2 × 2 and 1 × 1 maps: the 64²
// MobileNetV2's last stages) with eight channels in the lanes. The plane loops vectorise along a
// plane, so below 8 values every value took their scalar tails, with a plane's worth of calls and
// gating around each 4 values. Here lane l is channel c0 + l and takes exactly its channel's steps:
// `ChannelReductionState`'s scalar-tail sums (image by image, flushed into Doubles after every
// ≥ 4096 values) and the scalar tails of `affine`, `addActivated` and `axpby` — the same bits
// (`BatchNormChannelLanesTests`).
// N batch, C channels (C % 8 = 0), HW = H·W < 8; lane l = channel c0 + l.

import TensorCore

enum BatchNormChannelLanes {
    static func applies(c: Int, hw: Int) -> Bool {
        FastEngine.useBatchNormChannelLanes && hw >= 1 && hw < 8 && c % 8 == 0
    }

    /// Per-lane (Σ u.0, Σ u.1) in `ChannelReductionState`'s order for planes below 8 values: Float
    /// sums flushed into Doubles once ≥ 4096 values are pending (its flush adds +0 first: the empty
    /// vector accumulators' `sum()`).
    struct Sums {
        var total0 = (SIMD4<Double>(), SIMD4<Double>()), total1 = (SIMD4<Double>(), SIMD4<Double>())
        var t0 = SIMD8<Float>(), t1 = SIMD8<Float>()
        var pending = 0

        @inline(__always)
        mutating func flush() {
            let f0 = SIMD8<Float>() + t0, f1 = SIMD8<Float>() + t1
            total0.0 += SIMD4<Double>(f0.lowHalf); total0.1 += SIMD4<Double>(f0.highHalf)
            total1.0 += SIMD4<Double>(f1.lowHalf); total1.1 += SIMD4<Double>(f1.highHalf)
            t0 = .zero; t1 = .zero; pending = 0
        }

        /// One plane: `value(j)` for j < hw, in order.
        @inline(__always)
        mutating func add(hw: Int, _ value: (Int) -> (SIMD8<Float>, SIMD8<Float>)) {
            for j in 0..<hw { let u = value(j); t0 += u.0; t1 += u.1 }
            pending &+= hw
            if pending >= 4096 { flush() }
        }

        /// Lane l's (Σ u.0, Σ u.1), after a final flush.
        mutating func result(_ l: Int) -> (Double, Double) {
            if l == 0 { flush() }
            return l < 4 ? (total0.0[l], total1.0[l]) : (total0.1[l &- 4], total1.1[l &- 4])
        }
    }

    /// Value j of the eight planes starting at `p` (planes `hw` apart) as lanes.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ j: Int, hw: Int) -> SIMD8<Float> {
        SIMD8(p[j], p[hw &+ j], p[2 &* hw &+ j], p[3 &* hw &+ j], p[4 &* hw &+ j], p[5 &* hw &+ j],
              p[6 &* hw &+ j], p[7 &* hw &+ j])
    }

    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ j: Int, hw: Int) {
        for l in 0..<8 { p[l &* hw &+ j] = v[l] }
    }

    /// Eight channels' scalars as lanes.
    @inline(__always)
    static func lanes(_ c0: Int, _ value: (Int) -> Float) -> SIMD8<Float> {
        SIMD8(value(c0), value(c0 &+ 1), value(c0 &+ 2), value(c0 &+ 3), value(c0 &+ 4), value(c0 &+ 5),
              value(c0 &+ 6), value(c0 &+ 7))
    }
}

extension FastEngine {
    /// `batchNormTrain(_:gamma:beta:eps:fused:residual:)` for `BatchNormChannelLanes.applies`: the same bits.
    func batchNormTrainLanes(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float, fused: FusedActivation?,
                             residual: Tensor?) -> BatchNormForward {
        let (n, c, hw) = bnDims(x, gamma)
        let m = Double(n * hw), groups = c / 8
        var mean = [Float](repeating: 0, count: c), variance = mean, invStd = mean
        let parts = partsFor(work: x.count, units: groups, threads: threads)
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
                    for grp in partRange(part, of: parts, count: groups) {
                        let c0 = grp &* 8
                        var sums = BatchNormChannelLanes.Sums()
                        for img in 0..<n {
                            let p = xp + (img &* c &+ c0) &* hw
                            sums.add(hw: hw) { j in (BatchNormChannelLanes.load(p, j, hw: hw), .zero) }
                        }
                        for l in 0..<8 { mb[c0 &+ l] = Float(sums.result(l).0 / m) }
                        let mu = BatchNormChannelLanes.lanes(c0) { mb[$0] }
                        sums = BatchNormChannelLanes.Sums()
                        for img in 0..<n {
                            let p = xp + (img &* c &+ c0) &* hw
                            sums.add(hw: hw) { j in
                                let d = BatchNormChannelLanes.load(p, j, hw: hw) - mu
                                return (d * d, .zero)
                            }
                        }
                        var scale = SIMD8<Float>(), shift = SIMD8<Float>()
                        for l in 0..<8 {
                            let ch = c0 &+ l, v = sums.result(l).0 / m
                            let inv = Float(1 / (v + Double(eps)).squareRoot())
                            vb[ch] = Float(v); ib[ch] = inv
                            scale[l] = gb[ch] * inv
                            shift[l] = bb[ch] - mb[ch] * scale[l]
                        }
                        // act(x·scale + shift), or act((x·scale + shift) + residual).
                        // NOTE: the activation as a closure literal per case: through `withActivation`'s
                        // closures this pass ran at half the speed of the plane passes.
                        @inline(__always) func output(_ act: (SIMD8<Float>) -> SIMD8<Float>) {
                            for img in 0..<n {
                                let off = (img &* c &+ c0) &* hw
                                for j in 0..<hw {
                                    var v = BatchNormChannelLanes.load(xp + off, j, hw: hw) * scale + shift
                                    if let rp { v += BatchNormChannelLanes.load(rp + off, j, hw: hw) }
                                    BatchNormChannelLanes.store(act(v), yp + off, j, hw: hw)
                                }
                            }
                        }
                        // NOTE: `FusedActivation.apply`'s arithmetic written out: calling it here made the
                        // compiler stop inlining it into the plane passes (a slower step everywhere).
                        switch fused {
                        case nil: output { $0 }
                        case .relu?: output { $0.replacing(with: 0, where: $0 .<= 0) }
                        case .relu6?: output { $0.replacing(with: 0, where: $0 .<= 0).replacing(with: 6, where: $0 .>= 6) }
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

    /// `batchNormTrainBackward(_:gamma:mean:invStd:dy:gate:)` for `BatchNormChannelLanes.applies`: the same bits.
    func batchNormTrainBackwardLanes(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float], dy: Tensor,
                                     gate: (affine: [(scale: Float, shift: Float)], activation: FusedActivation)?,
                                     gateInput: Tensor?) -> AffineGradients {
        let (n, c, hw) = bnDims(x, gamma)
        let m = Float(n * hw), groups = c / 8
        var dgamma = [Float](repeating: 0, count: c), dbeta = dgamma
        let parts = partsFor(work: x.count, units: groups, threads: threads)
        let dx = makeArray(x.count) { dxp in
            x.data.withUnsafeBufferPointer { xb in
            dy.data.withUnsafeBufferPointer { db in
            (gateInput ?? x).data.withUnsafeBufferPointer { ub in
            gamma.data.withUnsafeBufferPointer { gb in
            dgamma.withUnsafeMutableBufferPointer { dgb in
            dbeta.withUnsafeMutableBufferPointer { dbb in
                let xp = xb.baseAddress!, dyp = db.baseAddress!, up = ub.baseAddress!
                parallelParts(parts) { part in
                    for grp in partRange(part, of: parts, count: groups) {
                        let c0 = grp &* 8
                        let mu = BatchNormChannelLanes.lanes(c0) { mean[$0] }
                        let scale = BatchNormChannelLanes.lanes(c0) { gate?.affine[$0].scale ?? 0 }
                        let shift = BatchNormChannelLanes.lanes(c0) { gate?.affine[$0].shift ?? 0 }
                        /// g = dy, or dy gated by the activation of u = input·scale + shift (input x or `gateInput`).
                        @inline(__always) func gradient(_ off: Int, _ j: Int) -> (g: SIMD8<Float>, x: SIMD8<Float>) {
                            let xv = BatchNormChannelLanes.load(xp + off, j, hw: hw)
                            let d = BatchNormChannelLanes.load(dyp + off, j, hw: hw)
                            guard let act = gate?.activation else { return (d, xv) }
                            let uv = gateInput == nil ? xv : BatchNormChannelLanes.load(up + off, j, hw: hw)
                            return (act.gate(uv * scale + shift, d), xv)
                        }
                        var sums = BatchNormChannelLanes.Sums()
                        for img in 0..<n {
                            let off = (img &* c &+ c0) &* hw
                            sums.add(hw: hw) { j in
                                let (g, xv) = gradient(off, j)
                                return (g, g * (xv - mu))
                            }
                        }
                        var kf = SIMD8<Float>(), a = SIMD8<Float>(), b0 = SIMD8<Float>()
                        for l in 0..<8 {
                            let ch = c0 &+ l, (sdy, sdyxc) = sums.result(l)
                            let inv = invStd[ch], dB = Float(sdy), dG = Float(sdyxc) * inv
                            dbb[ch] = dB; dgb[ch] = dG
                            // As the plane pass: dx = k·dy + a·x + b0, k = γ·inv, a = −k·inv·dγ/m, b0 = −k·dβ/m − a·μ.
                            kf[l] = gb[ch] * inv
                            a[l] = -kf[l] * inv * dG / m
                            b0[l] = -kf[l] * dB / m - a[l] * mean[ch]
                        }
                        for img in 0..<n {
                            let off = (img &* c &+ c0) &* hw
                            for j in 0..<hw {
                                let (g, xv) = gradient(off, j)
                                BatchNormChannelLanes.store(b0 + g * kf + xv * a, dxp + off, j, hw: hw)
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
}
