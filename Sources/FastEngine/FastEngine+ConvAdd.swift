// A convolution and the shortcut sum after it in one call (a pre-activation residual block's last
// convolution): on the Winograd, im2col + GEMM and depthwise paths the shortcut is added to each
// chunk (image) of finished output while it is still in cache, instead of in a second pass.
// N batch, O output channels, H, W the output plane.

import TensorCore

extension FastEngine {
    /// conv(x, W) + residual: the same bits as `conv2d` then `add` — the same convolution, then the
    /// same elementwise u + v per output element, only earlier (per chunk of images on the Winograd
    /// and GEMM paths, per plane on the depthwise one). Direct-kernel, grouped and biased
    /// convolutions run the two ops one after the other.
    public func conv2dAdd(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig, residual: Tensor) -> Tensor {
        let g = ConvGeometry(x: x.shape, weight: weight.shape, config)
        let path = forwardPath(g)   // the path `conv2d` takes
        guard Self.fusesConvAdd, bias == nil, path == .winograd || path == .gemm || path == .depthwise,
              path == .depthwise || g.groups == 1, residual.shape == [g.n, g.o, g.oh, g.ow] else {
            return add(conv2d(x, weight: weight, bias: bias, config), residual)
        }
        let plane = g.o * g.oh * g.ow
        let y = residual.data.withUnsafeBufferPointer { rb in
            let rp = rb.baseAddress!
            /// Images [first, first + count) of y plus the residual's.
            func addShortcut(_ yp: UnsafeMutablePointer<Float>, _ first: Int, _ count: Int) {
                let at = first &* plane
                addActivated(UnsafePointer(yp + at), rp + at, yp + at, count &* plane, nil)
            }
            switch path {
            case .depthwise:
                let hw = g.oh * g.ow
                return depthwiseConv2d(Self.productInput(x), weight: Self.productInput(weight), bias: nil, g) { p, index in
                    addActivated(UnsafePointer(p), rp + index &* hw, p, hw, nil)
                }.data
            case .winograd:
                return winogradConv3x3(Self.winogradInput(x), weight: Self.winogradInput(weight), g) { addShortcut($0, $1, $2) }
            default:
                return gemmConv2d(x, weight: weight, g) { addShortcut($0, $1, 1) }
            }
        }
        return Tensor(shape: [g.n, g.o, g.oh, g.ow], data: y)
    }
}
