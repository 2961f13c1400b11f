// im2col / col2im for 3×3 kernels with padding 1 (every 3×3 conv of the zoo): each channel's
// plane is padded once into a scratch plane, so each tap's row is one unconditional copy (stride 1)
// or gather (stride 2) instead of a bounds-checked copy and zero fills per output row.
// C channels, H, W input; OH, OW output; Wp = W + 2, Hp = H + 2 the padded plane.

extension ConvGeometry {
    /// Whether `im2col` / `col2im` take the padded-plane path: k = 3, padding 1, stride 1 or 2.
    var usesPaddedPlane: Bool {
        FastEngine.usePaddedPlaneIm2col && k == 3 && pad == 1 && (stride == 1 || stride == 2)
    }

    /// `im2col` (same values): col[(ci·3 + p)·3 + q, i·OW + j] = xp[ci, i·s + p, j·s + q] with xp
    /// the zero-padded plane.
    func im2colPaddedPlane(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ld: Int) {
        let wp = w &+ 2, size = (h &+ 2) &* wp
        withUnsafeTemporaryAllocation(of: Float.self, capacity: size) { buffer in
            let padded = buffer.baseAddress!
            padded.initialize(repeating: 0, count: size)   // the border stays zero for every channel
            var row = col
            for ci in 0..<cg {
                let plane = x + ci &* planeIn
                for i in 0..<h { copyFloats(plane + i &* w, padded + ((i &+ 1) &* wp &+ 1), w) }
                for p in 0..<3 {
                    for q in 0..<3 {
                        let tap = padded + (p &* wp &+ q)
                        for i in 0..<oh {
                            if stride == 1 {
                                copyFloats(UnsafePointer(tap + i &* wp), row + i &* ow, ow)
                            } else {
                                let src = tap + i &* 2 &* wp, dst = row + i &* ow
                                for j in 0..<ow { dst[j] = src[j &* 2] }
                            }
                        }
                        row += ld
                    }
                }
            }
        }
    }

    /// `col2im` (same bits): each channel's dx is copied into the padded plane, the taps' rows
    /// are added in the general loop's order (p, q), so every element sums the same terms in the
    /// same order from the same start; sums that land on the border are dropped.
    func col2imPaddedPlane(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, ld: Int) {
        let wp = w &+ 2, size = (h &+ 2) &* wp
        withUnsafeTemporaryAllocation(of: Float.self, capacity: size) { buffer in
            let padded = buffer.baseAddress!
            var row = col
            for ci in 0..<cg {
                let plane = dx + ci &* planeIn
                padded.update(repeating: 0, count: size)
                for i in 0..<h { copyFloats(UnsafePointer(plane + i &* w), padded + ((i &+ 1) &* wp &+ 1), w) }
                for p in 0..<3 {
                    for q in 0..<3 {
                        let tap = padded + (p &* wp &+ q)
                        for i in 0..<oh {
                            if stride == 1 {
                                addFloats(row + i &* ow, tap + i &* wp, ow)
                            } else {
                                let src = row + i &* ow, dst = tap + i &* 2 &* wp
                                for j in 0..<ow { dst[j &* 2] += src[j] }
                            }
                        }
                        row += ld
                    }
                }
                for i in 0..<h { copyFloats(UnsafePointer(padded + ((i &+ 1) &* wp &+ 1)), plane + i &* w, w) }
            }
        }
    }
}

/// dst[0..<n] = src[0..<n], 8 lanes at a time (rows here are 4–34 floats: no call per row).
@inline(__always)
private func copyFloats(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
    var j = 0
    while j &+ 8 <= n {
        d.storeBytes(of: s.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self), toByteOffset: j &* 4,
                     as: SIMD8<Float>.self)
        j &+= 8
    }
    if j &+ 4 <= n {
        d.storeBytes(of: s.loadUnaligned(fromByteOffset: j &* 4, as: SIMD4<Float>.self), toByteOffset: j &* 4,
                     as: SIMD4<Float>.self)
        j &+= 4
    }
    while j < n { dst[j] = src[j]; j &+= 1 }
}

/// dst[0..<n] += src[0..<n] (one IEEE add per element, as the scalar loop).
@inline(__always)
private func addFloats(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
    var j = 0
    while j &+ 8 <= n {
        let sum = d.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
            + s.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
        d.storeBytes(of: sum, toByteOffset: j &* 4, as: SIMD8<Float>.self)
        j &+= 8
    }
    while j < n { dst[j] += src[j]; j &+= 1 }
}
