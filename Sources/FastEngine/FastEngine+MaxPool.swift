// Max pooling (the ImageNet stems' 3×3 stride-2) through pointers, split over planes: the
// reference's loops, element for element (the stems' pooling eight columns at a time, in
// `MaxPoolStride2Lanes`) — the same maxima, indices and gradients (tested).
// N batch, C channels, H, W input; HO, WO output.

import TensorCore

extension FastEngine {
    /// y = max over the window [i·s−P, i·s−P+k) × [j·s−P, j·s−P+k) (padding −∞); indices = h·W + w
    /// of the first maximum in row-major window order, a NaN taking it (the reference's rule).
    public func maxPool2d(_ x: Tensor, _ config: PoolConfig) -> (y: Tensor, indices: [Int32]) {
        let (n, c, h, w, ho, wo) = config.geometry("maxPool2d", x.shape)
        let planes = n * c, planeOut = ho * wo, k = config.kernel, s = config.stride, pad = config.padding
        var indices = [Int32](repeating: 0, count: planes * planeOut)
        let parts = partsFor(work: planes * planeOut * k * k, units: planes, threads: threads)
        // Columns 0 ..< laneColumns in eight-lane blocks (the stems' 3×3 stride 2), the rest below.
        let lanes = MaxPoolStride2Lanes.applies(kernel: k, stride: s, padding: pad, w: w)
        let laneColumns = lanes ? wo / 8 * 8 : 0
        let y = makeArray(planes * planeOut) { yp in
            x.data.withUnsafeBufferPointer { xb in
            indices.withUnsafeMutableBufferPointer { ib in
                let xp = xb.baseAddress!, ip = ib.baseAddress!
                parallelParts(parts) { part in
                    var padded = [Float](repeating: 0, count: lanes ? h * (w + 2) : 0)
                    for plane in partRange(part, of: parts, count: planes) {
                        let src = xp + plane &* h &* w, out = plane &* planeOut
                        if lanes {
                            padded.withUnsafeMutableBufferPointer {
                                MaxPoolStride2Lanes.plane(src, h: h, w: w, ho: ho, wo: wo, y: yp + out,
                                                          indices: ip + out, padded: $0.baseAddress!)
                            }
                        }
                        for i in 0..<ho {
                            let h0 = i &* s &- pad, h1 = Swift.min(h0 &+ k, h), r0 = Swift.max(h0, 0)
                            for j in laneColumns..<wo {
                                let w0 = j &* s &- pad, w1 = Swift.min(w0 &+ k, w), c0 = Swift.max(w0, 0)
                                var best = -Float.infinity, bestIndex = r0 &* w &+ c0
                                for hi in r0..<h1 {
                                    for wi in c0..<w1 {
                                        let v = src[hi &* w &+ wi]
                                        // NOTE: strict `>` keeps the first maximum on ties; a NaN takes it.
                                        if v > best || v.isNaN { best = v; bestIndex = hi &* w &+ wi }
                                    }
                                }
                                yp[out &+ i &* wo &+ j] = best
                                ip[out &+ i &* wo &+ j] = Int32(bestIndex)
                            }
                        }
                    }
                }
            }
            }
        }
        return (Tensor(shape: [n, c, ho, wo], data: y), indices)
    }

    /// dx[plane, indices[o]] += dy[o], in Double in output order, then rounded once (the reference's sums).
    public func maxPool2dBackward(inputShape: [Int], indices: [Int32], dy: Tensor) -> Tensor {
        precondition(inputShape.count == 4 && dy.rank == 4 && Array(dy.shape.prefix(2)) == Array(inputShape.prefix(2)),
                     "maxPool2dBackward: dy \(dy.shape) does not fit input \(inputShape)")
        precondition(indices.count == dy.count, "maxPool2dBackward: \(indices.count) indices for dy \(dy.shape)")
        let hw = inputShape[2] * inputShape[3], outPlane = dy.shape[2] * dy.shape[3]
        let planes = inputShape[0] * inputShape[1]
        precondition(!indices.contains { $0 < 0 || Int($0) >= hw }, "maxPool2dBackward: an index outside an \(inputShape) plane")
        let parts = partsFor(work: dy.count, units: planes, threads: threads)
        let dx = makeArray(planes * hw) { dxp in
            dy.data.withUnsafeBufferPointer { db in
            indices.withUnsafeBufferPointer { ib in
                let dyp = db.baseAddress!, ip = ib.baseAddress!
                parallelParts(parts) { part in
                    var sums = [Double](repeating: 0, count: hw)
                    for plane in partRange(part, of: parts, count: planes) {
                        for e in 0..<hw { sums[e] = 0 }
                        let first = plane &* outPlane
                        for o in first..<(first &+ outPlane) { sums[Int(ip[o])] += Double(dyp[o]) }
                        for e in 0..<hw { dxp[plane &* hw &+ e] = Float(sums[e]) }
                    }
                }
            }
            }
        }
        return Tensor(shape: inputShape, data: dx)
    }
}
