// The relational losses' Gram matrix and `M·X` product, blocked and eight Doubles a vector, with
// every entry summed in the naive twins' order: the same bits, many entries at once.
// N batch, D features per sample; lanes run over independent entries, never within one sum.

extension RelationalMath {
    /// Rows of the output computed together (each loaded vector feeds this many sums).
    static let rowBlock = 4
    /// Output columns a block computes: one vector of eight Doubles. With 4 rows that is 8 of the
    /// 16 AVX2 registers; 4 rows × 16 columns spilled its sums to the stack (perf annotate).
    static let columnBlock = 8

    /// `K = X·Xᵀ` (`[N, N]`) of N rows of D, the bits of `gramReference`.
    ///
    /// K[i,j] = Σ_f x[i,f]·x[j,f], f in order; as in the reference, the upper triangle is summed
    /// (here: every block of 4 rows i × 8 columns j that holds an entry with j ≥ i) and mirrored
    /// (x[j,f]·x[i,f] = x[i,f]·x[j,f] exactly, so an entry summed both ways has one value).
    /// X is repacked as panels of eight rows j, each a contiguous D × 8 (Xᵀ's slice, zero-padded past
    /// N), so the innermost loop reads one stream; a panel stays in cache while the blocks of i pass
    /// over it. (Xᵀ itself, one row 8·N bytes from the next, stalled on every load: perf annotate.)
    /// NOTE: `s + a * b` on SIMD Doubles is a multiply then an add (Swift does not contract it to
    /// a fused multiply-add), as in the scalar reference; an FMA here would change the bits.
    public static func gram(_ x: [Double], n: Int, d: Int) -> [Double] {
        precondition(x.count == n * d, "gram: \(x.count) values are not \(n) rows of \(d)")
        if n == 0 { return [] }
        let width = (n + columnBlock - 1) / columnBlock * columnBlock
        var panels = [Double](repeating: 0, count: d * width)   // [N/8][D][8]
        var k = [Double](repeating: 0, count: n * n)
        x.withUnsafeBufferPointer { xb in
            panels.withUnsafeMutableBufferPointer { pb in
                for i in 0..<n {
                    let panel = (i / columnBlock) &* d &* columnBlock, lane = i % columnBlock
                    for f in 0..<d { pb[panel &+ f &* columnBlock &+ lane] = xb[i &* d &+ f] }
                }
            }
        }
        x.withUnsafeBufferPointer { xb in
        panels.withUnsafeBufferPointer { tb in
        k.withUnsafeMutableBufferPointer { kb in
            let xp = xb.baseAddress!, raw = UnsafeRawPointer(tb.baseAddress!)
            var sums = [SIMD8<Double>](repeating: .zero, count: rowBlock)
            for j0 in stride(from: 0, to: n, by: columnBlock) {
                let columns = min(columnBlock, n - j0)
                let panel = raw + j0 &* d &* 8
                var i0 = 0
                while i0 < min(n, j0 &+ columns) {   // rows with an entry j ≥ i in these columns
                    let rows = min(rowBlock, n - i0)
                    if rows == rowBlock {
                        var a0 = SIMD8<Double>.zero, a1 = a0, a2 = a0, a3 = a0
                        let r0 = xp + i0 &* d, r1 = r0 + d, r2 = r1 + d, r3 = r2 + d
                        for f in 0..<d {
                            let v = panel.load(fromByteOffset: f &* 64, as: SIMD8<Double>.self)
                            a0 = a0 + SIMD8(repeating: r0[f]) * v
                            a1 = a1 + SIMD8(repeating: r1[f]) * v
                            a2 = a2 + SIMD8(repeating: r2[f]) * v
                            a3 = a3 + SIMD8(repeating: r3[f]) * v
                        }
                        sums[0] = a0; sums[1] = a1; sums[2] = a2; sums[3] = a3
                    } else {
                        for r in 0..<rows {
                            var s = SIMD8<Double>.zero
                            let row = xp + (i0 &+ r) &* d
                            for f in 0..<d {
                                s = s + SIMD8(repeating: row[f])
                                    * panel.load(fromByteOffset: f &* 64, as: SIMD8<Double>.self)
                            }
                            sums[r] = s
                        }
                    }
                    for r in 0..<rows { for c in 0..<columns { kb[(i0 &+ r) &* n &+ j0 &+ c] = sums[r][c] } }
                    i0 &+= rows
                }
            }
            for i in 1..<max(n, 1) { for j in 0..<i { kb[i &* n &+ j] = kb[j &* n &+ i] } }
        }
        }
        }
        return k
    }

    /// `M·X` (`[N, D]`) for an N×N coefficient matrix `M` and N rows of D, the bits of
    /// `productReference`: out[i,f] = Σ_j M[i,j]·x[j,f], j in order, zero coefficients skipped.
    ///
    /// The reference's loop order (i, j, f) with 4 rows i at a time sharing each loaded vector of
    /// x[j, ·], and f in chunks of 256 so the 4 output rows' chunks stay in L1 while j runs.
    /// (Lanes over f with j innermost read x a row, 8·D bytes, apart: a new page per load.)
    public static func product(_ m: [Double], _ x: [Double], n: Int, d: Int) -> [Double] {
        precondition(m.count == n * n && x.count == n * d, "product: M \(m.count) and X \(x.count) for N \(n), D \(d)")
        var out = [Double](repeating: 0, count: n * d)
        let vectorEnd = d - d % columnBlock, chunk = 256
        m.withUnsafeBufferPointer { mb in
        x.withUnsafeBufferPointer { xb in
        out.withUnsafeMutableBufferPointer { ob in
            let mp = mb.baseAddress!, xp = xb.baseAddress!, op = ob.baseAddress!
            var i0 = 0
            while i0 < n {
                let rows = min(rowBlock, n - i0)
                for f0 in stride(from: 0, to: vectorEnd, by: chunk) {
                    let f1 = min(f0 &+ chunk, vectorEnd)
                    for j in 0..<n {
                        let xj = UnsafeRawPointer(xp + j &* d)
                        var c = SIMD4<Double>.zero
                        for r in 0..<rows { c[r] = mp[(i0 &+ r) &* n &+ j] }
                        if rows == rowBlock && c[0] != 0 && c[1] != 0 && c[2] != 0 && c[3] != 0 {
                            let o0 = UnsafeMutableRawPointer(op + i0 &* d), o1 = o0 + d &* 8
                            let o2 = o1 + d &* 8, o3 = o2 + d &* 8
                            let b0 = SIMD8(repeating: c[0]), b1 = SIMD8(repeating: c[1])
                            let b2 = SIMD8(repeating: c[2]), b3 = SIMD8(repeating: c[3])
                            for f in stride(from: f0, to: f1, by: columnBlock) {
                                let at = f &* 8
                                let v = xj.loadUnaligned(fromByteOffset: at, as: SIMD8<Double>.self)
                                o0.storeBytes(of: o0.loadUnaligned(fromByteOffset: at, as: SIMD8<Double>.self) + b0 * v,
                                              toByteOffset: at, as: SIMD8<Double>.self)
                                o1.storeBytes(of: o1.loadUnaligned(fromByteOffset: at, as: SIMD8<Double>.self) + b1 * v,
                                              toByteOffset: at, as: SIMD8<Double>.self)
                                o2.storeBytes(of: o2.loadUnaligned(fromByteOffset: at, as: SIMD8<Double>.self) + b2 * v,
                                              toByteOffset: at, as: SIMD8<Double>.self)
                                o3.storeBytes(of: o3.loadUnaligned(fromByteOffset: at, as: SIMD8<Double>.self) + b3 * v,
                                              toByteOffset: at, as: SIMD8<Double>.self)
                            }
                        } else {
                            for r in 0..<rows where c[r] != 0 {
                                let o = UnsafeMutableRawPointer(op + (i0 &+ r) &* d), b = SIMD8(repeating: c[r])
                                for f in stride(from: f0, to: f1, by: columnBlock) {
                                    let at = f &* 8
                                    let v = xj.loadUnaligned(fromByteOffset: at, as: SIMD8<Double>.self)
                                    o.storeBytes(of: o.loadUnaligned(fromByteOffset: at, as: SIMD8<Double>.self) + b * v,
                                                 toByteOffset: at, as: SIMD8<Double>.self)
                                }
                            }
                        }
                    }
                }
                for r in 0..<rows where vectorEnd < d {
                    let i = i0 &+ r
                    for j in 0..<n {
                        let c = mp[i &* n &+ j]
                        if c == 0 { continue }
                        for f in vectorEnd..<d { op[i &* d &+ f] += c * xp[j &* d &+ f] }
                    }
                }
                i0 &+= rows
            }
        }
        }
        }
        return out
    }
}
