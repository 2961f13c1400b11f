// Reference 2-D convolution (groups, depthwise) and its backward.
// N batch, C input channels, H, W; O output channels, k kernel side, Cg = C/groups, Og = O/groups.

import TensorCore

extension ReferenceEngine {
    /// Validates a convolution's shapes and returns (N, C, H, W, O, k, Ho, Wo).
    private func convGeometry(_ x: Tensor, _ weight: Tensor, _ cfg: ConvConfig)
        -> (Int, Int, Int, Int, Int, Int, Int, Int) {
        let (n, c, h, w) = nchw(x, "conv2d")
        precondition(weight.rank == 4 && weight.shape[2] == weight.shape[3],
                     "conv2d: weight must be [O, C/groups, k, k], got \(weight.shape)")
        let o = weight.shape[0], k = weight.shape[2], g = cfg.groups
        precondition(g >= 1 && c % g == 0 && o % g == 0,
                     "conv2d: groups \(g) must divide C \(c) and O \(o) (x \(x.shape), weight \(weight.shape))")
        precondition(weight.shape[1] == c / g,
                     "conv2d: weight \(weight.shape) needs C/groups = \(c / g) input channels for x \(x.shape)")
        precondition(cfg.stride >= 1 && cfg.padding >= 0, "conv2d: bad config \(cfg)")
        let ho = cfg.outputSize(h, kernel: k), wo = cfg.outputSize(w, kernel: k)
        precondition(ho >= 1 && wo >= 1, "conv2d: kernel \(k) too large for x \(x.shape) with \(cfg)")
        return (n, c, h, w, o, k, ho, wo)
    }

    /// y[n,o,i,j] = b[o] + Σ_{c<Cg,p,q} x[n, g·Cg + c, i·s+p−pad, j·s+q−pad] · w[o,c,p,q],
    /// g = ⌊o / Og⌋, out-of-range x read as zero. PyTorch `F.conv2d`.
    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig) -> Tensor {
        let (n, c, h, w, o, k, ho, wo) = convGeometry(x, weight, config)
        if let bias { precondition(bias.shape == [o], "conv2d: bias must be [\(o)], got \(bias.shape)") }
        let cg = c / config.groups, og = o / config.groups, s = config.stride, pad = config.padding
        var y = [Float](repeating: 0, count: n * o * ho * wo)
        for b in 0..<n {
            for oc in 0..<o {
                let c0 = (oc / og) * cg
                for i in 0..<ho {
                    for j in 0..<wo {
                        var acc = Double(bias?.data[oc] ?? 0)
                        for ci in 0..<cg {
                            for p in 0..<k {
                                let hi = i * s + p - pad
                                if hi < 0 || hi >= h { continue }
                                for q in 0..<k {
                                    let wi = j * s + q - pad
                                    if wi < 0 || wi >= w { continue }
                                    let xi = ((b * c + c0 + ci) * h + hi) * w + wi
                                    let wk = ((oc * cg + ci) * k + p) * k + q
                                    acc += Double(x.data[xi]) * Double(weight.data[wk])
                                }
                            }
                        }
                        y[((b * o + oc) * ho + i) * wo + j] = Float(acc)
                    }
                }
            }
        }
        return Tensor(shape: [n, o, ho, wo], data: y)
    }

    /// dx[n,g·Cg+c,i·s+p−pad,j·s+q−pad] += dy[n,o,i,j]·w[o,c,p,q];
    /// dw[o,c,p,q] = Σ_{n,i,j} dy[n,o,i,j]·x[n,g·Cg+c,i·s+p−pad,j·s+q−pad]; db[o] = Σ_{n,i,j} dy[n,o,i,j].
    public func conv2dBackward(_ x: Tensor, weight: Tensor, hasBias: Bool, _ config: ConvConfig,
                               dy: Tensor) -> ConvGradients {
        let (n, c, h, w, o, k, ho, wo) = convGeometry(x, weight, config)
        precondition(dy.shape == [n, o, ho, wo],
                     "conv2dBackward: dy must be \([n, o, ho, wo]) for x \(x.shape), weight \(weight.shape), got \(dy.shape)")
        let cg = c / config.groups, og = o / config.groups, s = config.stride, pad = config.padding
        var dx = [Double](repeating: 0, count: x.count)
        var dw = [Double](repeating: 0, count: weight.count)
        var db = [Double](repeating: 0, count: o)
        for b in 0..<n {
            for oc in 0..<o {
                let c0 = (oc / og) * cg
                for i in 0..<ho {
                    for j in 0..<wo {
                        let g = Double(dy.data[((b * o + oc) * ho + i) * wo + j])
                        db[oc] += g
                        for ci in 0..<cg {
                            for p in 0..<k {
                                let hi = i * s + p - pad
                                if hi < 0 || hi >= h { continue }
                                for q in 0..<k {
                                    let wi = j * s + q - pad
                                    if wi < 0 || wi >= w { continue }
                                    let xi = ((b * c + c0 + ci) * h + hi) * w + wi
                                    let wk = ((oc * cg + ci) * k + p) * k + q
                                    dx[xi] += g * Double(weight.data[wk])
                                    dw[wk] += g * Double(x.data[xi])
                                }
                            }
                        }
                    }
                }
            }
        }
        return ConvGradients(x: tensor(x.shape, dx), weight: tensor(weight.shape, dw),
                             bias: hasBias ? tensor([o], db) : nil)
    }
}
