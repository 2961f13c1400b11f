// Convolution geometry and the im2col / col2im copies that turn a
// convolution into a GEMM.
// C channels (of one group), H, W input; k kernel; s stride; P padding; OH, OW output.

import TensorCore

/// Everything the conv kernels need about one convolution, computed once.
struct ConvGeometry {
    let n: Int, c: Int, h: Int, w: Int
    let o: Int, k: Int, stride: Int, pad: Int, groups: Int
    let oh: Int, ow: Int
    /// Channels per group on the input (cg) and output (og) side.
    let cg: Int, og: Int
    /// For each kernel column q: output columns j with 0 ≤ j·s + q − P < W are `jLo[q] ..< jHi[q]`.
    let jLo: [Int], jHi: [Int]
    /// The same for kernel rows p against the input height.
    let iLo: [Int], iHi: [Int]

    init(x: [Int], weight: [Int], _ config: ConvConfig) {
        precondition(x.count == 4 && weight.count == 4, "conv2d needs x [N,C,H,W] and weight [O,C/g,k,k]")
        n = x[0]; c = x[1]; h = x[2]; w = x[3]
        o = weight[0]; k = weight[2]
        stride = config.stride; pad = config.padding; groups = config.groups
        precondition(weight[3] == k, "square kernels only")
        precondition(c % groups == 0 && o % groups == 0 && weight[1] == c / groups,
                     "weight \(weight) does not fit \(c) channels in \(groups) groups")
        oh = config.outputSize(h, kernel: k); ow = config.outputSize(w, kernel: k)
        precondition(oh > 0 && ow > 0, "conv2d output would be empty")
        cg = c / groups; og = o / groups
        let s = config.stride, pd = config.padding
        func valid(_ q: Int, out: Int, size: Int) -> (Int, Int) {
            // smallest j with j·s + q − P ≥ 0, then largest with j·s + q − P ≤ size − 1
            var lo = 0
            while lo < out && lo * s + q - pd < 0 { lo += 1 }
            var hi = out
            while hi > lo && (hi - 1) * s + q - pd >= size { hi -= 1 }
            return (lo, hi)
        }
        var jl = [Int](), jh = [Int](), il = [Int](), ih = [Int]()
        for q in 0..<k {
            let (a, b) = valid(q, out: ow, size: w); jl.append(a); jh.append(b)
            let (e, f) = valid(q, out: oh, size: h); il.append(e); ih.append(f)
        }
        jLo = jl; jHi = jh; iLo = il; iHi = ih
    }

    /// Flat offset in an input plane of tap (p, q) for output (i, j = 0): (i·s + p − P)·W + q − P.
    /// May be negative or past the row; only in-range columns jLo[q] ..< jHi[q] are read.
    @inline(__always)
    func inputOffset(_ i: Int, _ p: Int, _ q: Int) -> Int {
        let row: Int = i &* stride &+ p &- pad
        return row &* w &+ q &- pad
    }

    var planeIn: Int { h * w }
    var planeOut: Int { oh * ow }
    /// Rows of the column matrix: one per (channel, p, q) of a group.
    var colRows: Int { cg * k * k }
    /// True when the column matrix of a group equals its input planes.
    var isPointwise: Bool { k == 1 && stride == 1 && pad == 0 }
    var isDepthwise: Bool { groups > 1 && groups == c && groups == o }
    /// Images per GEMM: small maps (OH·OW < 256, ungrouped, with im2col) put up to 8 images'
    /// columns side by side so the GEMM's N side is ≥ 256 wide; 1 otherwise. Pointwise convs
    /// stay per image: there the gather copies cost more than the wider GEMM saves.
    var imagesPerGEMM: Int {
        groups == 1 && !isPointwise && planeOut < 256 ? min(8, max(1, 256 / planeOut)) : 1
    }

    /// col[(ci·k + p)·k + q, i·OW + j] = x[ci, i·s + p − P, j·s + q − P], zero outside the image,
    /// for the `cg` channels starting at `x`.
    /// `ld` (default OH·OW) is the distance between column-matrix rows, so several images'
    /// columns can sit side by side in one wider matrix.
    func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ld: Int? = nil) {
        let ohw = ld ?? planeOut
        if usesPointwiseStride2 { im2colPointwiseStride2(x, col, ld: ohw); return }
        if usesPaddedPlane { im2colPaddedPlane(x, col, ld: ohw); return }
        var row = col
        for ci in 0..<cg {
            let plane = x + ci &* planeIn
            for p in 0..<k {
                let i0 = iLo[p], i1 = iHi[p]
                for q in 0..<k {
                    let j0 = jLo[q], j1 = jHi[q]
                    // Rows fully outside the image, then the valid ones with zero margins.
                    if i0 > 0 { row.update(repeating: 0, count: i0 &* ow) }
                    for i in i0..<i1 {
                        let dst = row + i &* ow
                        let src = plane + inputOffset(i, p, q)
                        if j0 > 0 { dst.update(repeating: 0, count: j0) }
                        if stride == 1 {
                            if j1 > j0 { (dst + j0).update(from: src + j0, count: j1 &- j0) }
                        } else {
                            var j = j0
                            while j < j1 { dst[j] = src[j &* stride]; j &+= 1 }
                        }
                        if j1 < ow { (dst + j1).update(repeating: 0, count: ow &- j1) }
                    }
                    if i1 < oh { (row + i1 &* ow).update(repeating: 0, count: (oh &- i1) &* ow) }
                    row += ohw
                }
            }
        }
    }

    /// `col2im` into a slice that holds nothing yet: its `cg` planes are zeroed, then added into —
    /// the same sums as into a dx zeroed up front, with the zeroing done by the thread that fills
    /// the slice (zeroing a whole dx before a parallel backward ran on one thread while the others waited).
    func col2imIntoFresh(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, ld: Int? = nil) {
        dx.update(repeating: 0, count: cg &* planeIn)
        col2im(col, dx, ld: ld)
    }

    /// The adjoint of `im2col`: dx[ci, i·s + p − P, j·s + q − P] += col[(ci·k + p)·k + q, i·OW + j],
    /// in a fixed order (deterministic).
    func col2im(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, ld: Int? = nil) {
        let ohw = ld ?? planeOut
        if usesPointwiseStride2 { col2imPointwiseStride2(col, dx, ld: ohw); return }
        if usesPaddedPlane { col2imPaddedPlane(col, dx, ld: ohw); return }
        var row = col
        for ci in 0..<cg {
            let plane = dx + ci &* planeIn
            for p in 0..<k {
                let i0 = iLo[p], i1 = iHi[p]
                for q in 0..<k {
                    let j0 = jLo[q], j1 = jHi[q]
                    for i in i0..<i1 {
                        let src = row + i &* ow
                        let dst = plane + inputOffset(i, p, q)
                        var j = j0
                        if stride == 1 {
                            while j < j1 { dst[j] += src[j]; j &+= 1 }
                        } else {
                            while j < j1 { dst[j &* stride] += src[j]; j &+= 1 }
                        }
                    }
                    row += ohw
                }
            }
        }
    }
}
