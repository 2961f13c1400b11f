// The ImageNet stems' 3×3 stride-2 padding-1 max pooling with eight output columns in the lanes:
// the reference's window walk, lane by lane — the same maxima and indices.
// H, W input plane (W even), HO, WO output plane (WO = W/2); R = W + 2, a padded row.

import TensorCore

enum MaxPoolStride2Lanes {
    /// Whether `plane` computes this pooling: kernel 3, stride 2, padding 1, an even width.
    static func applies(kernel: Int, stride: Int, padding: Int, w: Int) -> Bool {
        kernel == 3 && stride == 2 && padding == 1 && w % 2 == 0 && w >= 16
    }

    /// Output columns `0 ..< 8·⌊WO/8⌋` of every output row of one plane; the rest are the caller's.
    ///
    /// Per lane (output column j) the window's valid positions are visited in the reference's
    /// row-major order with its update rule (`v > best || v.isNaN`), starting from −∞ at the
    /// window's first valid position. The padding column left of the plane holds −∞, which never
    /// takes the maximum from −∞, so it acts as the reference's skipped position.
    /// `padded` is scratch of H·R floats.
    static func plane(_ x: UnsafePointer<Float>, h: Int, w: Int, ho: Int, wo: Int,
                      y: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>,
                      padded: UnsafeMutablePointer<Float>) {
        let r = w &+ 2
        // padded[hi·R + c + 1] = x[hi, c]; columns −1 and W are −∞ (W is never read for an even W).
        for hi in 0..<h {
            let dst = padded + hi &* r
            dst[0] = -.infinity
            (dst + 1).update(from: x + hi &* w, count: w)
            dst[w &+ 1] = -.infinity
        }
        let raw = UnsafeRawPointer(padded)
        let outRow = UnsafeMutableRawPointer(y), outIndex = UnsafeMutableRawPointer(indices)
        // NOTE: an output lane steps two input columns; lane l of block b is column 16b + 2l − 1 + dw.
        let laneColumns = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
        for i in 0..<ho {
            let h0 = 2 &* i &- 1, r0 = Swift.max(h0, 0), h1 = Swift.min(h0 &+ 3, h)
            for b in 0..<(wo / 8) {
                var best = SIMD8<Float>(repeating: -.infinity)
                // First valid position of each lane's window: row r0, column max(2j − 1, 0).
                var index = SIMD8<Int32>(repeating: Int32(r0 &* w &+ 16 &* b &- 1)) &+ laneColumns
                if b == 0 { index[0] = Int32(r0 &* w) }
                for hi in r0..<h1 {
                    let offset = (hi &* r &+ 16 &* b) &* 4
                    let low = raw.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                    let high = raw.loadUnaligned(fromByteOffset: offset &+ 8, as: SIMD16<Float>.self)
                    let column = SIMD8<Int32>(repeating: Int32(hi &* w &+ 16 &* b &- 1)) &+ laneColumns
                    // dw = 0, 1, 2: columns 2j − 1, 2j, 2j + 1.
                    take(low.evenHalf, column, &best, &index)
                    take(low.oddHalf, column &+ 1, &best, &index)
                    take(high.evenHalf, column &+ 2, &best, &index)
                }
                let out = (i &* wo &+ 8 &* b) &* 4
                outRow.storeBytes(of: best, toByteOffset: out, as: SIMD8<Float>.self)
                outIndex.storeBytes(of: index, toByteOffset: out, as: SIMD8<Int32>.self)
            }
        }
    }

    /// One window position for eight lanes: the reference's `if v > best || v.isNaN`.
    @inline(__always)
    private static func take(_ v: SIMD8<Float>, _ position: SIMD8<Int32>,
                             _ best: inout SIMD8<Float>, _ index: inout SIMD8<Int32>) {
        let wins = (v .> best) .| (v .!= v)
        best.replace(with: v, where: wins)
        index.replace(with: position, where: wins)
    }
}
