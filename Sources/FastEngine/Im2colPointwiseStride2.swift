// im2col / col2im of the 1×1 stride-2 shortcut convolutions (padding 0): the column matrix is the
// input's even rows at even columns, taken eight at a time from 16-float loads (`evenHalf`) instead
// of the padded-plane path's copy, column split and merge of every row.
// C channels, H, W input; OH = ⌈H/2⌉, OW = ⌈W/2⌉ output.

extension ConvGeometry {
    /// Whether `im2col` / `col2im` take this path: k = 1, stride 2, padding 0.
    var usesPointwiseStride2: Bool { FastEngine.usePaddedPlaneIm2col && k == 1 && stride == 2 && pad == 0 }

    /// `im2col` (same values): col[ci, i·OW + j] = x[ci, 2i, 2j].
    func im2colPointwiseStride2(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ld: Int) {
        for ci in 0..<cg {
            let plane = x + ci &* planeIn, row = col + ci &* ld
            for i in 0..<oh {
                let src = plane + 2 &* i &* w, dst = row + i &* ow
                var j = 0
                while 2 &* j &+ 16 <= w {
                    let v = UnsafeRawPointer(src + 2 &* j).loadUnaligned(as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(dst + j).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
                    j &+= 8
                }
                while j < ow { dst[j] = src[2 &* j]; j &+= 1 }
            }
        }
    }

    /// `col2im` (same bits: one add a position, as the general loop's):
    /// dx[ci, 2i, 2j] += col[ci, i·OW + j].
    func col2imPointwiseStride2(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, ld: Int) {
        for ci in 0..<cg {
            let plane = dx + ci &* planeIn, row = col + ci &* ld
            for i in 0..<oh {
                let dst = plane + 2 &* i &* w, src = row + i &* ow
                var j = 0
                while 2 &* j &+ 16 <= w {
                    let at = UnsafeMutableRawPointer(dst + 2 &* j)
                    var v = at.loadUnaligned(as: SIMD16<Float>.self)
                    v.evenHalf += UnsafeRawPointer(src + j).loadUnaligned(as: SIMD8<Float>.self)
                    at.storeBytes(of: v, as: SIMD16<Float>.self)
                    j &+= 8
                }
                while j < ow { dst[2 &* j] += src[j]; j &+= 1 }
            }
        }
    }
}
