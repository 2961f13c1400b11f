// Reference max, average and adaptive average pooling with their backward.
// N batch, C channels, H, W input; Ho, Wo output; one "plane" is one (n, c) image of H·W values.

import TensorCore

extension ReferenceEngine {
    /// y = max over the window [i·s−pad, i·s−pad+k) × [j·s−pad, j·s−pad+k), padding = −∞;
    /// indices = h·W + w of the first maximum in row-major window order (a NaN wins, as PyTorch).
    public func maxPool2d(_ x: Tensor, _ config: PoolConfig) -> (y: Tensor, indices: [Int32]) {
        let (n, c, h, w, ho, wo) = config.geometry("maxPool2d", x.shape)
        var y = [Float](repeating: 0, count: n * c * ho * wo)
        var indices = [Int32](repeating: 0, count: y.count)
        for plane in 0..<(n * c) {
            let base = plane * h * w
            for i in 0..<ho {
                let h0 = i * config.stride - config.padding, h1 = Swift.min(h0 + config.kernel, h)
                for j in 0..<wo {
                    let w0 = j * config.stride - config.padding, w1 = Swift.min(w0 + config.kernel, w)
                    var best = -Float.infinity
                    var bestIndex = Swift.max(h0, 0) * w + Swift.max(w0, 0)
                    for hi in Swift.max(h0, 0)..<h1 {
                        for wi in Swift.max(w0, 0)..<w1 {
                            let v = x.data[base + hi * w + wi]
                            // NOTE: strict `>` keeps the first maximum on ties.
                            if v > best || v.isNaN { best = v; bestIndex = hi * w + wi }
                        }
                    }
                    let o = (plane * ho + i) * wo + j
                    y[o] = best
                    indices[o] = Int32(bestIndex)
                }
            }
        }
        return (Tensor(shape: [n, c, ho, wo], data: y), indices)
    }

    /// dx[plane, indices[o]] += dy[o] (overlapping windows accumulate).
    public func maxPool2dBackward(inputShape: [Int], indices: [Int32], dy: Tensor) -> Tensor {
        precondition(inputShape.count == 4 && dy.rank == 4 && Array(dy.shape.prefix(2)) == Array(inputShape.prefix(2)),
                     "maxPool2dBackward: dy \(dy.shape) does not fit input \(inputShape)")
        precondition(indices.count == dy.count, "maxPool2dBackward: \(indices.count) indices for dy \(dy.shape)")
        let hw = inputShape[2] * inputShape[3], outPlane = dy.shape[2] * dy.shape[3]
        var dx = [Double](repeating: 0, count: inputShape.reduce(1, *))
        for o in 0..<dy.count {
            let idx = Int(indices[o])
            precondition(idx >= 0 && idx < hw, "maxPool2dBackward: index \(idx) outside an \(inputShape) plane")
            dx[(o / outPlane) * hw + idx] += Double(dy.data[o])
        }
        return tensor(inputShape, dx)
    }

    /// Visits each pooling window: (plane-local output index, clipped rows, clipped cols, divisor).
    /// Divisor counts padding (count_include_pad = True): (min(h0+k, H+pad) − h0)·(min(w0+k, W+pad) − w0).
    private func forEachAvgWindow(_ h: Int, _ w: Int, _ ho: Int, _ wo: Int, _ cfg: PoolConfig,
                                  _ body: (Int, Range<Int>, Range<Int>, Double) -> Void) {
        for i in 0..<ho {
            let h0 = i * cfg.stride - cfg.padding, h1 = Swift.min(h0 + cfg.kernel, h + cfg.padding)
            for j in 0..<wo {
                let w0 = j * cfg.stride - cfg.padding, w1 = Swift.min(w0 + cfg.kernel, w + cfg.padding)
                let divisor = Double((h1 - h0) * (w1 - w0))
                body(i * wo + j, Swift.max(h0, 0)..<Swift.min(h1, h), Swift.max(w0, 0)..<Swift.min(w1, w), divisor)
            }
        }
    }

    /// y = (1/k²) Σ_window x, padded zeros included in the count (PyTorch `F.avg_pool2d` defaults, floor mode).
    public func avgPool2d(_ x: Tensor, _ config: PoolConfig) -> Tensor {
        let (n, c, h, w, ho, wo) = config.geometry("avgPool2d", x.shape)
        var y = [Float](repeating: 0, count: n * c * ho * wo)
        for plane in 0..<(n * c) {
            forEachAvgWindow(h, w, ho, wo, config) { o, rows, cols, divisor in
                var s = 0.0
                for hi in rows { for wi in cols { s += Double(x.data[(plane * h + hi) * w + wi]) } }
                y[plane * ho * wo + o] = Float(s / divisor)
            }
        }
        return Tensor(shape: [n, c, ho, wo], data: y)
    }

    /// dx[window] += dy / divisor.
    public func avgPool2dBackward(inputShape: [Int], _ config: PoolConfig, dy: Tensor) -> Tensor {
        let (n, c, h, w, ho, wo) = config.geometry("avgPool2dBackward", inputShape)
        precondition(dy.shape == [n, c, ho, wo], "avgPool2dBackward: dy must be \([n, c, ho, wo]), got \(dy.shape)")
        var dx = [Double](repeating: 0, count: n * c * h * w)
        for plane in 0..<(n * c) {
            forEachAvgWindow(h, w, ho, wo, config) { o, rows, cols, divisor in
                let g = Double(dy.data[plane * ho * wo + o]) / divisor
                for hi in rows { for wi in cols { dx[(plane * h + hi) * w + wi] += g } }
            }
        }
        return tensor(inputShape, dx)
    }

    /// PyTorch adaptive bin: i ↦ ⌊i·size/out⌋ ..< ⌈(i+1)·size/out⌉ (bins may overlap).
    static func adaptiveBin(_ i: Int, _ size: Int, _ out: Int) -> Range<Int> {
        (i * size) / out ..< ((i + 1) * size + out - 1) / out
    }

    /// y[n,c,i,j] = mean of x over rows bin(i, H, outH) × cols bin(j, W, outW). PyTorch `F.adaptive_avg_pool2d`.
    public func adaptiveAvgPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        let (n, c, h, w) = nchw(x, "adaptiveAvgPool2d")
        precondition(outH >= 1 && outW >= 1, "adaptiveAvgPool2d: output size \(outH)×\(outW) must be positive")
        var y = [Float](repeating: 0, count: n * c * outH * outW)
        for plane in 0..<(n * c) {
            for i in 0..<outH {
                let rows = Self.adaptiveBin(i, h, outH)
                for j in 0..<outW {
                    let cols = Self.adaptiveBin(j, w, outW)
                    var s = 0.0
                    for hi in rows { for wi in cols { s += Double(x.data[(plane * h + hi) * w + wi]) } }
                    y[(plane * outH + i) * outW + j] = Float(s / Double(rows.count * cols.count))
                }
            }
        }
        return Tensor(shape: [n, c, outH, outW], data: y)
    }

    /// dx[bin(i) × bin(j)] += dy[i, j] / |bin|; the output size is read from dy.
    public func adaptiveAvgPool2dBackward(inputShape: [Int], dy: Tensor) -> Tensor {
        precondition(inputShape.count == 4 && dy.rank == 4 && Array(dy.shape.prefix(2)) == Array(inputShape.prefix(2)),
                     "adaptiveAvgPool2dBackward: dy \(dy.shape) does not fit input \(inputShape)")
        let h = inputShape[2], w = inputShape[3], outH = dy.shape[2], outW = dy.shape[3]
        var dx = [Double](repeating: 0, count: inputShape.reduce(1, *))
        for plane in 0..<(inputShape[0] * inputShape[1]) {
            for i in 0..<outH {
                let rows = Self.adaptiveBin(i, h, outH)
                for j in 0..<outW {
                    let cols = Self.adaptiveBin(j, w, outW)
                    let g = Double(dy.data[(plane * outH + i) * outW + j]) / Double(rows.count * cols.count)
                    for hi in rows { for wi in cols { dx[(plane * h + hi) * w + wi] += g } }
                }
            }
        }
        return tensor(inputShape, dx)
    }
}
