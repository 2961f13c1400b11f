// Global average pooling (adaptive pooling to 1×1) with vectorised plane sums;
// other pooling shapes go to the reference kernels.
// N batch, C channels, H, W.

import TensorCore

extension FastEngine {
    /// Adaptive average pooling; the 1×1 case is y[n,c] = Σ_{i,j} x[n,c,i,j] / (H·W).
    public func adaptiveAvgPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        guard x.rank == 4, outH == 1, outW == 1 else {
            return reference.adaptiveAvgPool2d(x, outH: outH, outW: outW)
        }
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
        guard inputShape.count == 4, dy.shape == [inputShape[0], inputShape[1], 1, 1] else {
            return reference.adaptiveAvgPool2dBackward(inputShape: inputShape, dy: dy)
        }
        let planes = inputShape[0] * inputShape[1], hw = inputShape[2] * inputShape[3]
        let dx = makeArray(planes * hw) { dxp in
            for plane in 0..<planes {
                (dxp + plane &* hw).update(repeating: Float(Double(dy.data[plane]) / Double(hw)), count: hw)
            }
        }
        return Tensor(shape: inputShape, data: dx)
    }
}
