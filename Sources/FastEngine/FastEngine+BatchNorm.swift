// Batch normalisation, train and eval, forward and backward: one channel per
// task, vectorised plane loops, Double across planes.
// N batch, C channels, HW = H·W; m = N·HW values per channel.

import TensorCore

extension FastEngine {
    /// μ = Σx/m, σ² = Σ(x − μ)²/m (biased), y = γ·(x − μ)·invStd + β with invStd = 1/√(σ² + eps).
    /// NOTE: two passes (mean, then centred squares) rather than E[x²] − E[x]², which
    /// cancels catastrophically when |μ| ≫ σ; a channel of a CIFAR batch fits in L2.
    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float) -> BatchNormForward {
        let (n, c, hw) = bnDims(x, gamma)
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
                let xp = xb.baseAddress!
                parallelParts(parts) { part in
                    for ch in partRange(part, of: parts, count: c) {
                        var s = 0.0
                        for img in 0..<n { s += Double(vsum(xp + (img &* c &+ ch) &* hw, hw)) }
                        let mu = Float(s / m)
                        var s2 = 0.0
                        for img in 0..<n {
                            s2 += Double(vsumSquaredDeviation(xp + (img &* c &+ ch) &* hw, hw, mean: mu))
                        }
                        let v = s2 / m
                        let inv = Float(1 / (v + Double(eps)).squareRoot())
                        mb[ch] = mu; vb[ch] = Float(v); ib[ch] = inv
                        let scale = gb[ch] * inv, shift = bb[ch] - mu * scale
                        for img in 0..<n {
                            let off = (img &* c &+ ch) &* hw
                            affine(xp + off, yp + off, hw, scale: scale, shift: shift)
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
                parallelParts(parts) { part in
                    for ch in partRange(part, of: parts, count: c) {
                        let mu = mean[ch], inv = invStd[ch]
                        var sdy = 0.0, sdyxc = 0.0
                        for img in 0..<n {
                            let off = (img &* c &+ ch) &* hw
                            sdy += Double(vsum(dyp + off, hw))
                            sdyxc += Double(vdotCentered(dyp + off, xp + off, hw, mean: mu))
                        }
                        let dB = Float(sdy), dG = Float(sdyxc) * inv
                        dbb[ch] = dB; dgb[ch] = dG
                        // dx = k·dy + a·(x − μ) + b0 with k = γ·inv, a = −k·inv·dγ/m, b0 = −k·dβ/m.
                        let kf = gb[ch] * inv, a = -kf * inv * dG / m, b0 = -kf * dB / m
                        for img in 0..<n {
                            let off = (img &* c &+ ch) &* hw
                            let g = dyp + off, xs = xp + off, out = dxp + off
                            for j in 0..<hw { out[j] = kf * g[j] + a * (xs[j] - mu) + b0 }
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
        let (n, c, hw) = bnDims(x, gamma)
        var scale = [Float](repeating: 0, count: c), shift = scale
        for ch in 0..<c {
            let inv = 1 / (runningVar.data[ch] + eps).squareRoot()
            scale[ch] = gamma.data[ch] * inv
            shift[ch] = beta.data[ch] - runningMean.data[ch] * scale[ch]
        }
        let parts = partsFor(work: x.count, units: n * c, threads: threads)
        let y = makeArray(x.count) { yp in
            x.data.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!
                parallelParts(parts) { part in
                    for plane in partRange(part, of: parts, count: n * c) {
                        let ch = plane % c
                        affine(xp + plane &* hw, yp + plane &* hw, hw, scale: scale[ch], shift: shift[ch])
                    }
                }
            }
        }
        return Tensor(shape: x.shape, data: y)
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
                            sdy += Double(vsum(dyp + off, hw))
                            sdyxc += Double(vdotCentered(dyp + off, xp + off, hw, mean: mu))
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
    var j = 0
    while j < count { out[j] = x[j] * scale + shift; j &+= 1 }
}
