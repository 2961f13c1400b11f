// Elementwise ops (ReLU, ReLU6, add, dropout) and the SGD step: single-pass
// loops the compiler vectorises (AVX2), split over threads for large tensors.

import TensorCore

extension FastEngine {
    /// y = max(x, 0); NaN propagates, as in PyTorch.
    public func relu(_ x: Tensor) -> Tensor {
        unary(x, { v in v.replacing(with: 0, where: v .<= 0) }, { v in v <= 0 ? 0 : v })
    }

    /// dx = dy where x > 0, else 0 (zero at the kink).
    public func reluBackward(_ x: Tensor, dy: Tensor) -> Tensor {
        binary(x, dy, "reluBackward", { v, g in SIMD8(repeating: 0).replacing(with: g, where: v .> 0) },
               { v, g in v > 0 ? g : 0 })
    }

    /// y = min(max(x, 0), 6); NaN propagates.
    public func relu6(_ x: Tensor) -> Tensor {
        unary(x, { v in v.replacing(with: 0, where: v .<= 0).replacing(with: 6, where: v .>= 6) },
              { v in v <= 0 ? 0 : (v >= 6 ? 6 : v) })
    }

    /// dx = dy where 0 < x < 6, else 0 (both kinks get zero).
    public func relu6Backward(_ x: Tensor, dy: Tensor) -> Tensor {
        binary(x, dy, "relu6Backward", { v, g in SIMD8(repeating: 0).replacing(with: g, where: (v .> 0) .& (v .< 6)) },
               { v, g in v > 0 && v < 6 ? g : 0 })
    }

    /// y = a + b, equal shapes.
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        binary(a, b, "add", { u, v in u + v }, { u, v in u + v })
    }

    /// a += b in place, split over threads when large (the same sums as `Tensor.add`).
    public func accumulate(_ a: inout Tensor, _ b: Tensor) {
        precondition(a.shape == b.shape, "accumulate: shapes \(a.shape) and \(b.shape) differ")
        let count = a.count
        let parts = partsFor(work: count, units: count, threads: threads, minWork: 1 << 17)
        a.data.withUnsafeMutableBufferPointer { ab in
            b.data.withUnsafeBufferPointer { bb in
                guard let ap = ab.baseAddress, let bp = bb.baseAddress else { return }
                parallelParts(parts) { part in
                    let r = partRange(part, of: parts, count: count)
                    let ra = UnsafeMutableRawPointer(ap), rb = UnsafeRawPointer(bp)
                    var i = r.lowerBound
                    while i &+ 8 <= r.upperBound {
                        let v = ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
                            + rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
                        ra.storeBytes(of: v, toByteOffset: i &* 4, as: SIMD8<Float>.self)
                        i &+= 8
                    }
                    while i < r.upperBound { ap[i] += bp[i]; i &+= 1 }
                }
            }
        }
    }

    /// y = x·s.
    public func scale(_ x: Tensor, by s: Float) -> Tensor {
        unary(x, { v in v * s }, { v in v * s })
    }

    /// `body` over `threads` near-equal ranges of `0..<count` (one range when `work` < 2¹⁷ elements).
    public func forEachRange(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let parts = partsFor(work: work, units: count, threads: threads, minWork: 1 << 17)
        parallelParts(parts) { part in body(partRange(part, of: parts, count: count)) }
    }

    /// y = x·mask·s with s = 1/(1−p) (s = 0 when p = 1, as PyTorch).
    public func dropout(_ x: Tensor, mask: [Float], p: Float) -> Tensor {
        let s = dropoutScale(p)
        return binary(x, Tensor(shape: x.shape, data: mask), "dropout", { v, m in v * m * s }, { v, m in v * m * s })
    }

    /// dx = dy·mask·s.
    public func dropoutBackward(mask: [Float], p: Float, dy: Tensor) -> Tensor {
        let s = dropoutScale(p)
        return binary(dy, Tensor(shape: dy.shape, data: mask), "dropoutBackward", { g, m in g * m * s },
                      { g, m in g * m * s })
    }

    /// g = grad + wd·w; buf = μ·buf + g; g = nesterov ? g + μ·buf : buf; w −= lr·g,
    /// in the same Float operation order as the reference (results are bit-identical).
    public func sgdStep(weight: inout [Float], grad: [Float], momentumBuffer: inout [Float],
                        lr: Float, momentum: Float, nesterov: Bool, weightDecay: Float) {
        let count = weight.count
        precondition(grad.count == count && momentumBuffer.count == count,
                     "sgdStep: weight \(count), grad \(grad.count), buffer \(momentumBuffer.count) lengths differ")
        weight.withUnsafeMutableBufferPointer { wb in
        momentumBuffer.withUnsafeMutableBufferPointer { bb in
        grad.withUnsafeBufferPointer { gb in
            let w = wb.baseAddress, buf = bb.baseAddress, gr = gb.baseAddress
            guard let w, let buf, let gr else { return }
            let parts = partsFor(work: count, units: count, threads: threads, minWork: 1 << 17)
            parallelParts(parts) { part in
                let r = partRange(part, of: parts, count: count)
                var i = r.lowerBound
                let end = r.upperBound
                if nesterov {
                    while i < end {
                        var g = gr[i] + weightDecay * w[i]
                        buf[i] = momentum * buf[i] + g
                        g = g + momentum * buf[i]
                        w[i] -= lr * g
                        i &+= 1
                    }
                } else {
                    while i < end {
                        let g = gr[i] + weightDecay * w[i]
                        buf[i] = momentum * buf[i] + g
                        w[i] -= lr * buf[i]
                        i &+= 1
                    }
                }
            }
        }
        }
        }
    }

    private func dropoutScale(_ p: Float) -> Float {
        precondition(p >= 0 && p <= 1, "dropout: p must lie in [0, 1], got \(p)")
        return p < 1 ? 1 / (1 - p) : 0
    }

    /// y[i] = f(x[i]) (`fv` on eight lanes at a time, `f` on the tail), split over threads when large.
    @inline(__always)
    func unary(_ x: Tensor, _ fv: (SIMD8<Float>) -> SIMD8<Float>, _ f: (Float) -> Float) -> Tensor {
        let count = x.count
        let parts = partsFor(work: count, units: count, threads: threads, minWork: 1 << 17)
        let y = makeArray(count) { yp in
            x.data.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!
                parallelParts(parts) { part in
                    let r = partRange(part, of: parts, count: count)
                    let rx = UnsafeRawPointer(xp), ry = UnsafeMutableRawPointer(yp)
                    var i = r.lowerBound
                    while i &+ 8 <= r.upperBound {
                        let v = fv(rx.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self))
                        ry.storeBytes(of: v, toByteOffset: i &* 4, as: SIMD8<Float>.self)
                        i &+= 8
                    }
                    while i < r.upperBound { yp[i] = f(xp[i]); i &+= 1 }
                }
            }
        }
        return Tensor(shape: x.shape, data: y)
    }

    /// y[i] = f(a[i], b[i]) for equal shapes (`fv` on eight lanes at a time, `f` on the tail),
    /// split over threads when large.
    @inline(__always)
    func binary(_ a: Tensor, _ b: Tensor, _ op: String, _ fv: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>,
                _ f: (Float, Float) -> Float) -> Tensor {
        precondition(a.shape == b.shape, "\(op): shapes \(a.shape) and \(b.shape) differ")
        let count = a.count
        let parts = partsFor(work: count, units: count, threads: threads, minWork: 1 << 17)
        let y = makeArray(count) { yp in
            a.data.withUnsafeBufferPointer { ab in
            b.data.withUnsafeBufferPointer { bb in
                let ap = ab.baseAddress!, bp = bb.baseAddress!
                parallelParts(parts) { part in
                    let r = partRange(part, of: parts, count: count)
                    let ra = UnsafeRawPointer(ap), rb = UnsafeRawPointer(bp), ry = UnsafeMutableRawPointer(yp)
                    var i = r.lowerBound
                    while i &+ 8 <= r.upperBound {
                        let v = fv(ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self),
                                   rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self))
                        ry.storeBytes(of: v, toByteOffset: i &* 4, as: SIMD8<Float>.self)
                        i &+= 8
                    }
                    while i < r.upperBound { yp[i] = f(ap[i], bp[i]); i &+= 1 }
                }
            }
            }
        }
        return Tensor(shape: a.shape, data: y)
    }
}
