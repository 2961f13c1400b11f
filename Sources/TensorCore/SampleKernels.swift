// Convolutions whose kernel differs for every image (the AW-convolution's A_n ⊗ K): the
// source of the per-image kernels, and the specification of the op as a grouped convolution.
// N batch, C input channels, O output channels, k kernel size.

/// The kernels W_n [O, C, k, k] of one per-image convolution, produced and consumed in pieces
/// so that an engine never needs all N of them at once.
///
/// Engines may call `write` and `weightGradient` from several threads at once, for different
/// images; calls with the same `share` come from one thread, in increasing image order.
public protocol SampleKernels: AnyObject {
    /// Images N.
    var count: Int { get }
    /// [O, C, k, k] of every W_n.
    var kernelShape: [Int] { get }
    /// Writes W_n (O·C·k·k floats, in kernel order) to `into`.
    func write(sample n: Int, into w: UnsafeMutablePointer<Float>)
    /// Called once before the backward hands out gradients: there will be `shares` shares.
    func beginBackward(shares: Int)
    /// Receives ∂L/∂W_n (O·C·k·k floats), once per image, from share `share`.
    func weightGradient(sample n: Int, share: Int, _ dW: UnsafePointer<Float>)
    /// `weightGradient`, then W_n written to `w` exactly as `write` writes it: one pass where the
    /// source computes W_n's factors for its gradient anyway (the default makes the two calls).
    func weightGradient(sample n: Int, share: Int, _ dW: UnsafePointer<Float>,
                        writingKernelInto w: UnsafeMutablePointer<Float>)
}

extension SampleKernels {
    public func weightGradient(sample n: Int, share: Int, _ dW: UnsafePointer<Float>,
                               writingKernelInto w: UnsafeMutablePointer<Float>) {
        weightGradient(sample: n, share: share, dW)
        write(sample: n, into: w)
    }
}

extension Kernels {
    /// y_n = conv(x_n, W_n) for every image n: the specification is one convolution with
    /// `groups = N` over the batch folded into channels ([1, N·C, H, W] ∗ [N·O, C, k, k]).
    /// x [N,C,H,W] → y [N,O,H',W']; `config.groups` must be 1 (groups are per image).
    public func sampleKernelConv2d(_ x: Tensor, kernels: SampleKernels, _ config: ConvConfig) -> Tensor {
        let (n, folded) = foldedGeometry(x, kernels, config)
        let y = conv2d(x.reshaped([1, n * x.shape[1], x.shape[2], x.shape[3]]),
                       weight: allKernels(kernels), bias: nil, folded)
        return y.reshaped([n, kernels.kernelShape[0], y.shape[2], y.shape[3]])
    }

    /// Backward of `sampleKernelConv2d`: returns ∂L/∂x and hands every ∂L/∂W_n to
    /// `kernels.weightGradient` (here: one share, images in order).
    public func sampleKernelConv2dBackward(_ x: Tensor, kernels: SampleKernels, _ config: ConvConfig,
                                           dy: Tensor) -> Tensor {
        let (n, folded) = foldedGeometry(x, kernels, config)
        let xg = x.reshaped([1, n * x.shape[1], x.shape[2], x.shape[3]])
        let g = conv2dBackward(xg, weight: allKernels(kernels), hasBias: false, folded,
                               dy: dy.reshaped([1, dy.shape[0] * dy.shape[1], dy.shape[2], dy.shape[3]]))
        let per = kernels.kernelShape.reduce(1, *)
        kernels.beginBackward(shares: 1)
        g.weight.data.withUnsafeBufferPointer { dw in
            for s in 0..<n { kernels.weightGradient(sample: s, share: 0, dw.baseAddress! + s * per) }
        }
        return g.x.reshaped(x.shape)
    }

    private func foldedGeometry(_ x: Tensor, _ kernels: SampleKernels, _ config: ConvConfig) -> (Int, ConvConfig) {
        let s = kernels.kernelShape
        precondition(x.rank == 4 && s.count == 4 && x.shape[0] == kernels.count && x.shape[1] == s[1]
                     && config.groups == 1,
                     "per-image kernels \(s) × \(kernels.count) do not fit input \(x.shape) (groups \(config.groups))")
        return (x.shape[0], ConvConfig(stride: config.stride, padding: config.padding, groups: x.shape[0]))
    }

    /// [N·O, C, k, k]: every W_n, stacked.
    private func allKernels(_ kernels: SampleKernels) -> Tensor {
        let s = kernels.kernelShape, per = s.reduce(1, *)
        var w = [Float](repeating: 0, count: kernels.count * per)
        w.withUnsafeMutableBufferPointer { p in
            for n in 0..<kernels.count { kernels.write(sample: n, into: p.baseAddress! + n * per) }
        }
        return Tensor(shape: [kernels.count * s[0], s[1], s[2], s[3]], data: w)
    }
}
