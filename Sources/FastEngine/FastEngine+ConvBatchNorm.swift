// A convolution and the eval-mode batch norm (and activation) after it in one call: on the
// Winograd and im2col + GEMM paths the batch norm is applied to each chunk (image) of finished
// output while it is still in cache, instead of in a second pass over the whole batch's output.
// N batch, O output channels, H, W the output plane.

import TensorCore

extension FastEngine {
    /// act(BN_eval(conv(x, W))): the same bits as `conv2d` then `batchNormEval` — the same
    /// convolution, then the same `affine` per output plane with the same scale and shift
    /// (`evalScaleShift`), only earlier (per chunk of images on the Winograd and GEMM paths, per
    /// plane on the depthwise one). Direct-kernel, grouped and biased convolutions run the two
    /// ops one after the other.
    public func conv2dBatchNormEval(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig,
                                    gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, eps: Float,
                                    activation: FusedActivation?) -> Tensor {
        fusedConvBatchNorm(x, weight: weight, bias: bias, config, gamma: gamma, beta: beta, runningMean: runningMean,
                           runningVar: runningVar, eps: eps, residual: nil, activation: activation)
    }

    /// act(BN_eval(conv(x, W)) + residual): the same bits as `conv2dBatchNormEval` without
    /// activation then `add(_:_:activation:)` (or `add`) — per output plane the same `affine`, then
    /// the same elementwise act(u + v), only while the plane is in cache.
    public func conv2dBatchNormEvalAdd(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig,
                                       gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, eps: Float,
                                       residual: Tensor, activation: FusedActivation?) -> Tensor {
        fusedConvBatchNorm(x, weight: weight, bias: bias, config, gamma: gamma, beta: beta, runningMean: runningMean,
                           runningVar: runningVar, eps: eps, residual: residual, activation: activation)
    }

    /// act(BN_eval(conv(x_n, W_n))): the same bits as `sampleKernelConv2d` then `batchNormEval` —
    /// the same per-image convolution, then the same `affine` per output plane with the same scale
    /// and shift (`evalScaleShift`), only right after each image's planes are written.
    public func sampleKernelConv2dBatchNormEval(_ x: Tensor, kernels: SampleKernels, _ config: ConvConfig,
                                                gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor,
                                                eps: Float, activation: FusedActivation?) -> Tensor {
        let o = kernels.kernelShape[0]
        guard Self.fusesConvBatchNorm, gamma.count == o, beta.count == o, runningMean.count == o,
              runningVar.count == o else {
            return batchNormEval(sampleKernelConv2d(x, kernels: kernels, config), gamma: gamma, beta: beta,
                                 runningMean: runningMean, runningVar: runningVar, eps: eps, fused: activation)
        }
        let (scale, shift) = Self.evalScaleShift(gamma: gamma, beta: beta, runningMean: runningMean,
                                                 runningVar: runningVar, eps: eps)
        let plane = ConvGeometry(x: x.shape, weight: kernels.kernelShape, config).planeOut
        return scale.withUnsafeBufferPointer { sb in
            shift.withUnsafeBufferPointer { tb in
                let sp = sb.baseAddress!, tp = tb.baseAddress!
                return sampleKernelConv2d(x, kernels: kernels, config) { yp, img in
                    withActivation(activation) { act, actS in
                        for oc in 0..<o {
                            let p = yp + (img &* o &+ oc) &* plane
                            affine(UnsafePointer(p), p, plane, scale: sp[oc], shift: tp[oc], act, actS)
                        }
                    }
                }
            }
        }
    }

    private func fusedConvBatchNorm(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig,
                                    gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, eps: Float,
                                    residual: Tensor?, activation: FusedActivation?) -> Tensor {
        let g = ConvGeometry(x: x.shape, weight: weight.shape, config)
        let path = forwardPath(g)   // the path `conv2d` takes
        guard Self.fusesConvBatchNorm, bias == nil, path == .winograd || path == .gemm || path == .depthwise,
              path == .depthwise || g.groups == 1,
              gamma.count == g.o, residual.map({ $0.shape == [g.n, g.o, g.oh, g.ow] }) ?? true else {
            let z = conv2d(x, weight: weight, bias: bias, config)
            guard let residual else {
                return batchNormEval(z, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar,
                                     eps: eps, fused: activation)
            }
            let b = batchNormEval(z, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar,
                                  eps: eps, fused: nil)
            return activation.map { add(b, residual, activation: $0) } ?? add(b, residual)
        }
        let (scale, shift) = Self.evalScaleShift(gamma: gamma, beta: beta, runningMean: runningMean,
                                                 runningVar: runningVar, eps: eps)
        let o = g.o, plane = g.oh * g.ow
        // The batch norm's own activation: none when a residual comes after it.
        let bnActivation = residual == nil ? activation : nil
        let y = scale.withUnsafeBufferPointer { sb in
            shift.withUnsafeBufferPointer { tb in
                (residual?.data ?? []).withUnsafeBufferPointer { rb in
                // NOTE: an empty array's buffer may have a base address: test for the residual itself.
                let sp = sb.baseAddress!, tp = tb.baseAddress!, rp = residual == nil ? nil : rb.baseAddress
                /// Images [first, first + count) of y through the batch norm and activation, plane by plane.
                func normalise(_ yp: UnsafeMutablePointer<Float>, _ first: Int, _ count: Int) {
                    withActivation(bnActivation) { act, actS in
                        for img in first..<(first &+ count) {
                            for oc in 0..<o {
                                let p = yp + (img &* o &+ oc) &* plane
                                affine(UnsafePointer(p), p, plane, scale: sp[oc], shift: tp[oc], act, actS)
                            }
                        }
                    }
                    guard let rp else { return }
                    let at = first &* o &* plane
                    addActivated(UnsafePointer(yp + at), rp + at, yp + at, count &* o &* plane, activation)
                }
                if path == .depthwise {
                    return depthwiseConv2d(Self.productInput(x), weight: Self.productInput(weight), bias: nil, g) { p, index in
                        withActivation(bnActivation) { act, actS in
                            affine(UnsafePointer(p), p, plane, scale: sp[index % o], shift: tp[index % o], act, actS)
                        }
                        if let rp { addActivated(UnsafePointer(p), rp + index &* plane, p, plane, activation) }
                    }.data
                }
                if path == .winograd {
                    return winogradConv3x3(Self.winogradInput(x), weight: Self.winogradInput(weight), g) { normalise($0, $1, $2) }
                }
                return gemmConv2d(x, weight: weight, g) { normalise($0, $1, 1) }
                }
            }
        }
        return Tensor(shape: [g.n, g.o, g.oh, g.ow], data: y)
    }
}
