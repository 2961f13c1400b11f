// Reference fully connected layer and its backward.
// N batch, I input features, O output features.

import TensorCore

extension ReferenceEngine {
    /// y[n,o] = b[o] + Σ_i x[n,i]·W[o,i]. PyTorch `F.linear`.
    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        precondition(x.rank == 2 && weight.rank == 2 && weight.shape[1] == x.shape[1],
                     "linear: x must be [N, in] and weight [out, in], got x \(x.shape), weight \(weight.shape)")
        let n = x.shape[0], inF = x.shape[1], outF = weight.shape[0]
        precondition(bias.shape == [outF], "linear: bias must be [\(outF)], got \(bias.shape)")
        var y = [Float](repeating: 0, count: n * outF)
        for r in 0..<n {
            for o in 0..<outF {
                var acc = Double(bias.data[o])
                for i in 0..<inF { acc += Double(x.data[r * inF + i]) * Double(weight.data[o * inF + i]) }
                y[r * outF + o] = Float(acc)
            }
        }
        return Tensor(shape: [n, outF], data: y)
    }

    /// y[n,m] = Σ_k a[n,k]·b[k,m] (summed in Double). PyTorch `a @ b`.
    public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[0],
                     "matmul: a must be [N, K] and b [K, M], got a \(a.shape), b \(b.shape)")
        let n = a.shape[0], k = a.shape[1], m = b.shape[1]
        var y = [Float](repeating: 0, count: n * m)
        for r in 0..<n {
            for c in 0..<m {
                var acc = 0.0
                for i in 0..<k { acc += Double(a.data[r * k + i]) * Double(b.data[i * m + c]) }
                y[r * m + c] = Float(acc)
            }
        }
        return Tensor(shape: [n, m], data: y)
    }

    /// dx = dy·W, dW = dyᵀ·x, db = Σ_n dy.
    public func linearBackward(_ x: Tensor, weight: Tensor, dy: Tensor) -> AffineGradients {
        precondition(x.rank == 2 && weight.rank == 2 && weight.shape[1] == x.shape[1],
                     "linearBackward: x must be [N, in] and weight [out, in], got x \(x.shape), weight \(weight.shape)")
        let n = x.shape[0], inF = x.shape[1], outF = weight.shape[0]
        precondition(dy.shape == [n, outF], "linearBackward: dy must be \([n, outF]), got \(dy.shape)")
        var dx = [Double](repeating: 0, count: x.count)
        var dw = [Double](repeating: 0, count: weight.count)
        var db = [Double](repeating: 0, count: outF)
        for r in 0..<n {
            for o in 0..<outF {
                let g = Double(dy.data[r * outF + o])
                db[o] += g
                for i in 0..<inF {
                    dx[r * inF + i] += g * Double(weight.data[o * inF + i])
                    dw[o * inF + i] += g * Double(x.data[r * inF + i])
                }
            }
        }
        return AffineGradients(x: tensor(x.shape, dx), weight: tensor(weight.shape, dw), bias: tensor([outF], db))
    }
}
