// Reference bilinear resize (align_corners = false) and its backward.
// N batch, C channels, H, W input; Ho, Wo output.

import TensorCore

extension ReferenceEngine {
    /// Source taps of output index `dst` along one axis: (i0, i1, λ0, λ1) with
    /// src = (in/out)·(dst + ½) − ½ clamped below at 0, i0 = ⌊src⌋, i1 = min(i0 + 1, in − 1), λ1 = src − i0.
    /// - Reference: PyTorch `area_pixel_compute_source_index` (align_corners = false).
    /// NOTE: the clamp at 0 is PyTorch's: without it the first output row would extrapolate.
    static func bilinearTaps(_ dst: Int, input: Int, output: Int) -> (Int, Int, Double, Double) {
        let scale = Double(input) / Double(output)
        let src = Swift.max(scale * (Double(dst) + 0.5) - 0.5, 0)
        let i0 = Swift.min(Int(src), input - 1)
        let i1 = i0 < input - 1 ? i0 + 1 : i0
        let l1 = src - Double(i0)
        return (i0, i1, 1 - l1, l1)
    }

    /// y[i,j] = Σ over the 2×2 taps of λ_h·λ_w·x. PyTorch `F.interpolate(mode="bilinear", align_corners=False)`
    /// called with an output size (scale = in/out).
    public func bilinearResize(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        let (n, c, h, w) = nchw(x, "bilinearResize")
        precondition(outH >= 1 && outW >= 1 && h >= 1 && w >= 1,
                     "bilinearResize: sizes must be positive, x \(x.shape) → \(outH)×\(outW)")
        var y = [Float](repeating: 0, count: n * c * outH * outW)
        for plane in 0..<(n * c) {
            for i in 0..<outH {
                let (h0, h1, a0, a1) = Self.bilinearTaps(i, input: h, output: outH)
                for j in 0..<outW {
                    let (w0, w1, b0, b1) = Self.bilinearTaps(j, input: w, output: outW)
                    let p = plane * h * w
                    let v = a0 * (b0 * Double(x.data[p + h0 * w + w0]) + b1 * Double(x.data[p + h0 * w + w1]))
                        + a1 * (b0 * Double(x.data[p + h1 * w + w0]) + b1 * Double(x.data[p + h1 * w + w1]))
                    y[(plane * outH + i) * outW + j] = Float(v)
                }
            }
        }
        return Tensor(shape: [n, c, outH, outW], data: y)
    }

    /// Scatters dy[i,j] to its four taps with weights λ_h·λ_w (taps may coincide at the border).
    public func bilinearResizeBackward(inputShape: [Int], dy: Tensor) -> Tensor {
        precondition(inputShape.count == 4 && dy.rank == 4 && Array(dy.shape.prefix(2)) == Array(inputShape.prefix(2)),
                     "bilinearResizeBackward: dy \(dy.shape) does not fit input \(inputShape)")
        let h = inputShape[2], w = inputShape[3], outH = dy.shape[2], outW = dy.shape[3]
        var dx = [Double](repeating: 0, count: inputShape.reduce(1, *))
        for plane in 0..<(inputShape[0] * inputShape[1]) {
            let p = plane * h * w
            for i in 0..<outH {
                let (h0, h1, a0, a1) = Self.bilinearTaps(i, input: h, output: outH)
                for j in 0..<outW {
                    let (w0, w1, b0, b1) = Self.bilinearTaps(j, input: w, output: outW)
                    let g = Double(dy.data[(plane * outH + i) * outW + j])
                    dx[p + h0 * w + w0] += a0 * b0 * g
                    dx[p + h0 * w + w1] += a0 * b1 * g
                    dx[p + h1 * w + w0] += a1 * b0 * g
                    dx[p + h1 * w + w1] += a1 * b1 * g
                }
            }
        }
        return tensor(inputShape, dx)
    }
}
