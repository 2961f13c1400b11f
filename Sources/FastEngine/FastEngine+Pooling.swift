// Adaptive average pooling: the global (1×1) case with vectorised plane sums, the
// general case (the AW-conv generator pools to k×k) through pointers, split over planes.
// N batch, C channels, H, W.

import TensorCore
import AdaptivePooling512

extension FastEngine {
    /// Adaptive average pooling; the 1×1 case is y[n,c] = Σ_{i,j} x[n,c,i,j] / (H·W).
    public func adaptiveAvgPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        guard x.rank == 4, outH >= 1, outW >= 1 else {
            return reference.adaptiveAvgPool2d(x, outH: outH, outW: outW)
        }
        guard outH == 1, outW == 1 else { return adaptiveAvgPool2dBins(x, outH: outH, outW: outW) }
        let planes = x.shape[0] * x.shape[1], hw = x.shape[2] * x.shape[3]
        let scale = 1 / Double(hw)
        let y = makeArray(planes) { yp in
            x.data.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!
                for plane in 0..<planes { yp[plane] = Float(Double(vsum(xp + plane &* hw, hw)) * scale) }
            }
        }
        return Tensor(shape: [x.shape[0], x.shape[1], 1, 1], data: y)
    }

    /// Global case: dx[n,c,i,j] = dy[n,c] / (H·W).
    public func adaptiveAvgPool2dBackward(inputShape: [Int], dy: Tensor) -> Tensor {
        guard inputShape.count == 4, dy.rank == 4, Array(dy.shape.prefix(2)) == Array(inputShape.prefix(2)),
              dy.shape[2] >= 1, dy.shape[3] >= 1 else {
            return reference.adaptiveAvgPool2dBackward(inputShape: inputShape, dy: dy)
        }
        guard dy.shape[2] == 1, dy.shape[3] == 1 else { return adaptiveAvgPool2dBinsBackward(inputShape, dy) }
        let planes = inputShape[0] * inputShape[1], hw = inputShape[2] * inputShape[3]
        let dx = makeArray(planes * hw) { dxp in
            for plane in 0..<planes {
                (dxp + plane &* hw).update(repeating: Float(Double(dy.data[plane]) / Double(hw)), count: hw)
            }
        }
        return Tensor(shape: inputShape, data: dx)
    }

    /// PyTorch adaptive bin: i ↦ ⌊i·size/out⌋ ..< ⌈(i+1)·size/out⌉ (bins may overlap).
    @inline(__always)
    static func adaptiveBin(_ i: Int, _ size: Int, _ out: Int) -> Range<Int> {
        (i * size) / out ..< ((i + 1) * size + out - 1) / out
    }

    /// General bins: each output is the Double mean of its bin, summed in the reference's
    /// row-major order, so the result is bit-identical to `ReferenceEngine`'s. Eight planes go
    /// side by side in the lanes with AVX-512 (`atkd_adaptive_pool8`, the planes transposed 8 × 8
    /// first), else four (each lane the reference's own sequence of adds).
    /// NOTE: one plane at a time, a bin's sum is one chain of dependent Double adds (≈ 4 cycles
    /// each): 24 ms a step of the AW-conv teacher's generators at 1 thread (tenth session).
    func adaptiveAvgPool2dBins(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        let planes = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
        let rows = (0..<outH).map { Self.adaptiveBin($0, h, outH) }
        let cols = (0..<outW).map { Self.adaptiveBin($0, w, outW) }
        let parts = partsFor(work: x.count, units: planes, threads: threads)
        let lanes8 = Self.usesAVX512, bounds = AdaptiveBinBounds(rows, cols)
        defer { bounds.deallocate() }
        let y = makeArray(planes * outH * outW) { yp in
            x.data.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!, hw = h &* w, bins = outH &* outW
                parallelParts(parts) { part in
                    let range = partRange(part, of: parts, count: planes)
                    var plane = range.lowerBound
                    if lanes8 && range.count >= 8 {
                        let scratch = UnsafeMutableRawPointer.allocate(byteCount: hw &* 8 &* 4, alignment: 64)
                        defer { scratch.deallocate() }
                        let sp = scratch.bindMemory(to: Float.self, capacity: hw &* 8)
                        while plane &+ 8 <= range.upperBound {
                            atkd_adaptive_pool8(xp + plane &* hw, Int32(h), Int32(w), bounds.rowStart, bounds.rowEnd,
                                                Int32(outH), bounds.colStart, bounds.colEnd, Int32(outW),
                                                yp + plane &* bins, sp)
                            plane &+= 8
                        }
                    }
                    while plane &+ 4 <= range.upperBound {
                        let x0 = xp + plane &* hw, x1 = x0 + hw, x2 = x1 + hw, x3 = x2 + hw
                        let ys = yp + plane &* bins
                        for i in 0..<outH {
                            for j in 0..<outW {
                                var s = SIMD4<Double>()
                                for hi in rows[i] {
                                    for wi in cols[j] {
                                        let e = hi &* w &+ wi
                                        s += SIMD4(Double(x0[e]), Double(x1[e]), Double(x2[e]), Double(x3[e]))
                                    }
                                }
                                let mean = s / Double(rows[i].count * cols[j].count), b = i &* outW &+ j
                                ys[b] = Float(mean[0]); ys[bins &+ b] = Float(mean[1])
                                ys[2 &* bins &+ b] = Float(mean[2]); ys[3 &* bins &+ b] = Float(mean[3])
                            }
                        }
                        plane &+= 4
                    }
                    for plane in plane..<range.upperBound {
                        let xs = xp + plane &* hw, ys = yp + plane &* bins
                        for i in 0..<outH {
                            for j in 0..<outW {
                                var s = 0.0
                                for hi in rows[i] { for wi in cols[j] { s += Double(xs[hi &* w &+ wi]) } }
                                ys[i &* outW &+ j] = Float(s / Double(rows[i].count * cols[j].count))
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [x.shape[0], x.shape[1], outH, outW], data: y)
    }

    /// base + the pooling's gradient, plane by plane: each plane's gradient (the same Double
    /// accumulator as `adaptiveAvgPool2dBinsBackward`, the same Float rounding) is added to base's
    /// plane while it is in cache, as `add(base, adaptiveAvgPool2dBackward(…))` adds (same bits,
    /// `FastEnginePoolingTests`), without writing the gradient out and reading it back.
    public func adaptiveAvgPool2dBackward(inputShape: [Int], dy: Tensor, adding base: Tensor) -> Tensor {
        guard inputShape.count == 4, dy.rank == 4, Array(dy.shape.prefix(2)) == Array(inputShape.prefix(2)),
              dy.shape[2] > 1 || dy.shape[3] > 1, base.shape == inputShape else {
            return add(base, adaptiveAvgPool2dBackward(inputShape: inputShape, dy: dy))
        }
        return adaptiveAvgPool2dBinsBackward(inputShape, dy, adding: base)
    }

    /// dx[bin(i) × bin(j)] += dy[i, j] / |bin|, accumulated in Double in the reference's
    /// order (overlapping bins add up), so the result is bit-identical to `ReferenceEngine`'s;
    /// with `base`, base + dx (each plane added while in cache).
    func adaptiveAvgPool2dBinsBackward(_ inputShape: [Int], _ dy: Tensor, adding base: Tensor? = nil) -> Tensor {
        let planes = inputShape[0] * inputShape[1], h = inputShape[2], w = inputShape[3]
        let outH = dy.shape[2], outW = dy.shape[3]
        let rows = (0..<outH).map { Self.adaptiveBin($0, h, outH) }
        let cols = (0..<outW).map { Self.adaptiveBin($0, w, outW) }
        let parts = partsFor(work: planes * h * w, units: planes, threads: threads)
        let lanes8 = Self.usesAVX512, bounds = AdaptiveBinBounds(rows, cols)
        defer { bounds.deallocate() }
        let dx = makeArray(planes * h * w) { dxp in
            dy.data.withUnsafeBufferPointer { db in
            (base?.data ?? []).withUnsafeBufferPointer { bb in
                let dp = db.baseAddress!
                // NOTE: an empty array's buffer may have a base address: test for the base itself.
                let bp = base == nil ? nil : bb.baseAddress
                parallelParts(parts) { part in
                    let range = partRange(part, of: parts, count: planes)
                    var first = range.lowerBound
                    if lanes8 && range.count >= 8 {
                        let scratch = UnsafeMutableRawPointer.allocate(byteCount: h &* w &* 8 &* 8, alignment: 64)
                        defer { scratch.deallocate() }
                        let sp = scratch.bindMemory(to: Double.self, capacity: h &* w &* 8)
                        while first &+ 8 <= range.upperBound {
                            atkd_adaptive_pool8_backward(dp + first &* outH &* outW, Int32(h), Int32(w), bounds.rowStart,
                                                         bounds.rowEnd, Int32(outH), bounds.colStart, bounds.colEnd,
                                                         Int32(outW), bp.map { $0 + first &* h &* w },
                                                         dxp + first &* h &* w, sp)
                            first &+= 8
                        }
                    }
                    var acc = [Double](repeating: 0, count: h * w)
                    acc.withUnsafeMutableBufferPointer { ab in
                        let a = ab.baseAddress!
                        for plane in first..<range.upperBound {
                            a.update(repeating: 0, count: h &* w)
                            let ds = dp + plane &* outH &* outW
                            for i in 0..<outH {
                                for j in 0..<outW {
                                    let g = Double(ds[i &* outW &+ j]) / Double(rows[i].count * cols[j].count)
                                    for hi in rows[i] { for wi in cols[j] { a[hi &* w &+ wi] += g } }
                                }
                            }
                            let xs = dxp + plane &* h &* w
                            if let bp {
                                let bs = bp + plane &* h &* w
                                for e in 0..<(h &* w) { xs[e] = bs[e] + Float(a[e]) }
                            } else {
                                for e in 0..<(h &* w) { xs[e] = Float(a[e]) }
                            }
                        }
                    }
                }
            }
            }
        }
        return Tensor(shape: inputShape, data: dx)
    }
}

/// The bins' row and column bounds as the C kernels take them (Int32 arrays, freed by `deallocate`).
struct AdaptiveBinBounds {
    let rowStart: UnsafeMutablePointer<Int32>, rowEnd: UnsafeMutablePointer<Int32>
    let colStart: UnsafeMutablePointer<Int32>, colEnd: UnsafeMutablePointer<Int32>

    init(_ rows: [Range<Int>], _ cols: [Range<Int>]) {
        func bounds(_ ranges: [Range<Int>], _ side: (Range<Int>) -> Int) -> UnsafeMutablePointer<Int32> {
            let p = UnsafeMutablePointer<Int32>.allocate(capacity: ranges.count)
            for (i, r) in ranges.enumerated() { p[i] = Int32(side(r)) }
            return p
        }
        rowStart = bounds(rows) { $0.lowerBound }; rowEnd = bounds(rows) { $0.upperBound }
        colStart = bounds(cols) { $0.lowerBound }; colEnd = bounds(cols) { $0.upperBound }
    }

    func deallocate() { rowStart.deallocate(); rowEnd.deallocate(); colStart.deallocate(); colEnd.deallocate() }
}
