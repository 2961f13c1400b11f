// Fully connected layer through sgemm (OpenBLAS threads as configured).
// N batch, I input features, O output features.

import TensorCore

extension FastEngine {
    /// y[N,O] = x[N,I] · W[O,I]ᵀ + b.
    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        let (n, inF, outF) = linearDims(x, weight)
        precondition(bias.shape == [outF], "linear: bias must be [\(outF)], got \(bias.shape)")
        let y = makeArray(n * outF) { yp in
            bias.data.withUnsafeBufferPointer { bb in
                for r in 0..<n { (yp + r &* outF).update(from: bb.baseAddress!, count: outF) }
            }
            x.data.withUnsafeBufferPointer { xb in
            weight.data.withUnsafeBufferPointer { wb in
                sgemm(transB: true, m: n, n: outF, k: inF, a: xb.baseAddress!, lda: inF,
                      b: wb.baseAddress!, ldb: inF, beta: 1, c: yp, ldc: outF)
            }
            }
        }
        return Tensor(shape: [n, outF], data: y)
    }

    /// y[N,M] = a[N,K] · b[K,M] by one sgemm. y starts at zero and the product is added to it
    /// (β = 1), as `linear` adds it to its bias rows: the same sums as `linear(a, weight: bᵀ,
    /// bias: 0)`, the path CRD took before, without the copy of bᵀ.
    public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[0],
                     "matmul: a must be [N, K] and b [K, M], got a \(a.shape), b \(b.shape)")
        let n = a.shape[0], k = a.shape[1], m = b.shape[1]
        var y = [Float](repeating: 0, count: n * m)
        a.data.withUnsafeBufferPointer { ab in
        b.data.withUnsafeBufferPointer { bb in
        y.withUnsafeMutableBufferPointer { yb in
            guard n > 0, m > 0 else { return }
            sgemm(m: n, n: m, k: k, a: ab.baseAddress!, lda: k, b: bb.baseAddress!, ldb: m,
                  beta: 1, c: yb.baseAddress!, ldc: m)
        }
        }
        }
        return Tensor(shape: [n, m], data: y)
    }

    /// dx = dy·W, dW = dyᵀ·x, db = Σ_n dy (rows summed in order, in Double).
    public func linearBackward(_ x: Tensor, weight: Tensor, dy: Tensor) -> AffineGradients {
        let (n, inF, outF) = linearDims(x, weight)
        precondition(dy.shape == [n, outF], "linearBackward: dy must be \([n, outF]), got \(dy.shape)")
        var dx = [Float](repeating: 0, count: x.count)
        var dw = [Float](repeating: 0, count: weight.count)
        var acc = [Double](repeating: 0, count: outF)
        x.data.withUnsafeBufferPointer { xb in
        weight.data.withUnsafeBufferPointer { wb in
        dy.data.withUnsafeBufferPointer { gb in
        dx.withUnsafeMutableBufferPointer { dxb in
        dw.withUnsafeMutableBufferPointer { dwb in
            guard n > 0, inF > 0, outF > 0 else { return }
            let g = gb.baseAddress!
            sgemm(m: n, n: inF, k: outF, a: g, lda: outF, b: wb.baseAddress!, ldb: inF,
                  beta: 0, c: dxb.baseAddress!, ldc: inF)
            sgemm(transA: true, m: outF, n: inF, k: n, a: g, lda: outF, b: xb.baseAddress!, ldb: inF,
                  beta: 0, c: dwb.baseAddress!, ldc: inF)
            for r in 0..<n { for o in 0..<outF { acc[o] += Double(g[r &* outF &+ o]) } }
        }
        }
        }
        }
        }
        return AffineGradients(x: Tensor(shape: x.shape, data: dx), weight: Tensor(shape: weight.shape, data: dw),
                               bias: Tensor(shape: [outF], data: acc.map { Float($0) }))
    }

    private func linearDims(_ x: Tensor, _ weight: Tensor) -> (Int, Int, Int) {
        precondition(x.rank == 2 && weight.rank == 2 && weight.shape[1] == x.shape[1],
                     "linear: x must be [N, in] and weight [out, in], got x \(x.shape), weight \(weight.shape)")
        return (x.shape[0], x.shape[1], weight.shape[0])
    }
}
