// Batch-matrix helpers shared by the relational losses (RKD, SP, PKT): a batch as Double
// rows, their Gram matrix, and the pullback `M·X` of a function of that Gram matrix — here the
// naive twins (the specification); the losses call the blocked ones (`RelationalMath+Blocked.swift`).
// N batch, D features per sample (one sample's tensor flattened, as `view(N, -1)`).

import TensorCore

public enum RelationalMath {
    /// The batch `x` (`[N, …]`) as N rows of `D = count/N` Doubles, row-major.
    static func rows(_ x: Tensor) -> (n: Int, d: Int, values: [Double]) {
        let n = x.shape[0]
        return (n, n == 0 ? 0 : x.count / n, x.data.map { Double($0) })
    }

    /// The rows minus their mean over the batch.
    static func centred(_ x: [Double], n: Int, d: Int) -> [Double] {
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for f in 0..<d { mean[f] += x[i * d + f] } }
        var out = x
        for i in 0..<n { for f in 0..<d { out[i * d + f] -= mean[f] / Double(n) } }
        return out
    }

    /// `K = X·Xᵀ` (`[N, N]`) of N rows of D: each entry one Double sum over f in order
    /// (the upper triangle, mirrored). The specification of `gram`.
    public static func gramReference(_ x: [Double], n: Int, d: Int) -> [Double] {
        var k = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var s = 0.0
                for f in 0..<d { s += x[i * d + f] * x[j * d + f] }
                k[i * n + j] = s
                k[j * n + i] = s
            }
        }
        return k
    }

    /// `M·X` (`[N, D]`) for an N×N coefficient matrix `M` and N rows of D: each entry one Double
    /// sum over j in order, terms with `M[i,j] = 0` skipped. The specification of `product`.
    public static func productReference(_ m: [Double], _ x: [Double], n: Int, d: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n * d)
        for i in 0..<n {
            for j in 0..<n {
                let c = m[i * n + j]
                if c == 0 { continue }
                for f in 0..<d { out[i * d + f] += c * x[j * d + f] }
            }
        }
        return out
    }
}
