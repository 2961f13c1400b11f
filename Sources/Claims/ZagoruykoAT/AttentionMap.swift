// Activation-based attention maps F(A) and their per-sample L2 normalisation,
// each with a pullback. N batch, C channels, H, W; S = H·W.

import TensorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Attention transfer of Zagoruyko & Komodakis (2016/2017).
public enum ZagoruykoAT {
    /// `F.normalize`'s eps: `q̂ = q / max(‖q‖₂, 1e-12)`.
    public static let normalizeEpsilon: Float = 1e-12

    /// The normalised attention map `q̂_n = vec(F(A_n)) / max(‖vec(F(A_n))‖₂, 1e-12)`, `[N, H·W]`,
    /// with `F(A) = mean_c |A_c|^p` (or `Σ_c`, `max_c`), and its pullback `d q̂ ↦ d A`.
    ///
    /// - Paper: §3, `F_sum^p(A) = Σ_i |A_i|^p`, `F_max^p(A) = max_i |A_i|^p`; maps are
    ///   compared after dividing by their L2 norm.
    /// - Reference: attention-transfer `utils.py::at`:
    ///   `F.normalize(x.pow(2).mean(1).view(x.size(0), -1))`.
    /// - Deviation: the code takes `x.pow(p)`, this takes `|x|^p` (the paper); they agree for even p.
    ///   Channel mean (code) and sum (paper) give the same normalised map except when
    ///   `‖q‖ < 1e-12`.
    public static func attentionMap(_ features: Tensor, p: Float = ATLossOptions.authorsCode.p,
                                    reduction: ATChannelReduction = ATLossOptions.authorsCode.reduction,
                                    engine: (any Kernels)? = nil)
        -> (map: Tensor, pullback: (Tensor) -> Tensor) {
        let raw = rawMap(features, p: p, reduction: reduction, engine: engine)
        let n = features.shape[0]
        let norm = normalizeRows(raw.map.reshaped([n, raw.map.count / max(n, 1)]))
        return (norm.value, { dMap in raw.pullback(norm.pullback(dMap).reshaped(raw.map.shape)) })
    }

    /// The unnormalised map `F(A)` as `[N, 1, H, W]` and its pullback; `engine` only splits the
    /// images over threads (every image's numbers are computed alone, so the split changes no bit).
    static func rawMap(_ a: Tensor, p: Float, reduction: ATChannelReduction, engine: (any Kernels)? = nil)
        -> (map: Tensor, pullback: (Tensor) -> Tensor) {
        precondition(a.rank == 4, "attention maps need features [N, C, H, W], got \(a.shape)")
        precondition(p >= 1 && p.isFinite, "attention exponent p must be ≥ 1, got \(p)")
        let n = a.shape[0], c = a.shape[1], h = a.shape[2], w = a.shape[3], s = h * w
        precondition(c > 0, "features need at least one channel, got \(a.shape)")
        let x = a.data
        var q = [Float](repeating: 0, count: n * s)
        var argmax = [Int](repeating: 0, count: reduction == .max ? n * s : 0)
        // Channel-outer, pixel-inner: each pixel still sums its channels in order (the same Doubles
        // in the same order as a pixel-outer loop), but memory is read contiguously.
        // NOTE: the pixel-outer loop (stride H·W between channels) was 3 % of the atkd step.
        x.withUnsafeBufferPointer { xb in
        q.withUnsafeMutableBufferPointer { qb in
        argmax.withUnsafeMutableBufferPointer { ab in
            forEachRange(n, work: a.count, on: engine) { images in
                var acc = [Double](repeating: 0, count: s), best = [Double](repeating: -1, count: s)
                var bestC = [Int](repeating: 0, count: s)
                acc.withUnsafeMutableBufferPointer { accb in
                best.withUnsafeMutableBufferPointer { bb in
                bestC.withUnsafeMutableBufferPointer { cb in
                    for b in images {
                        accb.update(repeating: 0); bb.update(repeating: -1); cb.update(repeating: 0)
                        for ch in 0..<c {
                            let plane = xb.baseAddress! + (b * c + ch) * s
                            if reduction == .max {
                                for i in 0..<s {
                                    let v = power(Double(abs(plane[i])), p)
                                    accb[i] += v
                                    if v > bb[i] { bb[i] = v; cb[i] = ch }
                                }
                            } else if p == 2 {
                                for i in 0..<s { let v = Double(plane[i]); accb[i] += v * v }
                            } else {
                                for i in 0..<s { accb[i] += power(Double(abs(plane[i])), p) }
                            }
                        }
                        for i in 0..<s {
                            switch reduction {
                            case .mean: qb[b * s + i] = Float(accb[i] / Double(c))
                            case .sum: qb[b * s + i] = Float(accb[i])
                            case .max: qb[b * s + i] = Float(bb[i]); ab[b * s + i] = cb[i]
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
        let pullback: (Tensor) -> Tensor = { dq in
            precondition(dq.count == n * s, "attention-map gradient has \(dq.count) values, expected \(n * s)")
            let scale: Double = reduction == .mean ? 1 / Double(c) : 1
            if p == 2 && reduction != .max {
                // The loop below without its branches (a vector loop): the same Doubles, and
                // +0 where g = 0 (the loop leaves those zeros), not g·2x's signed zero. Every
                // element is written, so the array starts uninitialised.
                let dx = [Float](unsafeUninitializedCapacity: a.count) { db, initialized in
                    x.withUnsafeBufferPointer { xb in
                    dq.data.withUnsafeBufferPointer { gb in
                        forEachRange(n, work: a.count, on: engine) { images in
                            for b in images {
                                let g0 = gb.baseAddress! + b * s
                                for ch in 0..<c {
                                    let base = (b * c + ch) * s, xs = xb.baseAddress! + base, out = db.baseAddress! + base
                                    for i in 0..<s {
                                        let g = Double(g0[i]) * scale
                                        let v = Float(g * (2 * Double(xs[i])))
                                        out[i] = g == 0 ? 0 : v
                                    }
                                }
                            }
                        }
                    }
                    }
                    initialized = a.count
                }
                return Tensor(shape: a.shape, data: dx)
            }
            var dx = [Float](repeating: 0, count: a.count)
            x.withUnsafeBufferPointer { xb in
            dq.data.withUnsafeBufferPointer { gb in
            dx.withUnsafeMutableBufferPointer { db in
                forEachRange(n, work: a.count, on: engine) { images in
                    for b in images {
                        for ch in 0..<c {
                            let base = (b * c + ch) * s
                            for i in 0..<s {
                                let g = Double(gb[b * s + i]) * scale
                                if g == 0 { continue }
                                if reduction == .max && argmax[b * s + i] != ch { continue }
                                db[base + i] = Float(g * powerDerivative(Double(xb[base + i]), p))
                            }
                        }
                    }
                }
            }
            }
            }
            return Tensor(shape: a.shape, data: dx)
        }
        return (Tensor(shape: [n, 1, h, w], data: q), pullback)
    }

    /// Row-wise `q̂ = q / max(‖q‖₂, eps)` of `[N, S]` and its pullback
    /// `dq = (dq̂ − q̂·⟨q̂, dq̂⟩) / ‖q‖` (or `dq̂ / eps` when the norm is clamped).
    /// - Reference: `torch.nn.functional.normalize(x, p=2, dim=1, eps=1e-12)`.
    static func normalizeRows(_ q: Tensor) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
        let n = q.shape[0], s = q.shape[1]
        let eps = Double(normalizeEpsilon)
        var norms = [Double](repeating: 0, count: n)
        var out = [Float](repeating: 0, count: q.count)
        for b in 0..<n {
            var ss = 0.0
            for i in 0..<s { ss += Double(q.data[b * s + i]) * Double(q.data[b * s + i]) }
            norms[b] = ss.squareRoot()
            let d = max(norms[b], eps)
            for i in 0..<s { out[b * s + i] = Float(Double(q.data[b * s + i]) / d) }
        }
        let value = Tensor(shape: [n, s], data: out)
        return (value, { dy in
            var dq = [Float](repeating: 0, count: q.count)
            for b in 0..<n {
                // NOTE: below eps the clamp is constant, so the Jacobian is just 1/eps.
                if norms[b] <= eps {
                    for i in 0..<s { dq[b * s + i] = Float(Double(dy.data[b * s + i]) / eps) }
                    continue
                }
                var dot = 0.0
                for i in 0..<s { dot += Double(out[b * s + i]) * Double(dy.data[b * s + i]) }
                for i in 0..<s {
                    dq[b * s + i] = Float((Double(dy.data[b * s + i]) - Double(out[b * s + i]) * dot) / norms[b])
                }
            }
            return Tensor(shape: [n, s], data: dq)
        })
    }

    /// `|x|^p`, exact for p = 2.
    @inline(__always) static func power(_ ax: Double, _ p: Float) -> Double {
        p == 2 ? ax * ax : pow(ax, Double(p))
    }

    /// `d|x|^p/dx = p·|x|^(p−1)·sign(x)`; 0 at x = 0 (PyTorch's `abs` subgradient for p = 1).
    @inline(__always) static func powerDerivative(_ x: Double, _ p: Float) -> Double {
        if p == 2 { return 2 * x }
        if x == 0 { return 0 }
        return Double(p) * pow(abs(x), Double(p) - 1) * (x > 0 ? 1 : -1)
    }
}
