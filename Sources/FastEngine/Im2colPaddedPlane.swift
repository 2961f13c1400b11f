// im2col / col2im at stride 1 or 2 (every conv of the zoo that needs a column matrix: the 3×3
// ones, the 7×7 ImageNet stem, the 1×1 stride-2 shortcuts): each channel's plane is padded once into
// a scratch plane, so each tap's row is one unconditional copy (stride 1) or, through the column
// phases, a copy (stride 2) instead of a bounds-checked copy or gather and zero fills per output row.
// C channels, H, W input; k kernel, P padding; OH, OW output; Wp = W + 2P, Hp = H + 2P the padded plane.

extension ConvGeometry {
    /// Whether `im2col` / `col2im` take the padded-plane path: stride 1 or 2 (the first padded-plane
    /// version took k = 3, P = 1 only; the loops are the same for any k and P).
    var usesPaddedPlane: Bool {
        FastEngine.usePaddedPlaneIm2col && (stride == 1 || stride == 2)
    }

    /// `im2col` (same values): col[(ci·k + p)·k + q, i·OW + j] = xp[ci, i·s + p, j·s + q] with xp
    /// the zero-padded plane.
    func im2colPaddedPlane(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ld: Int) {
        let wp = w &+ 2 &* pad, size = (h &+ 2 &* pad) &* wp
        withUnsafeTemporaryAllocation(of: Float.self, capacity: size) { buffer in
            let padded = buffer.baseAddress!
            padded.initialize(repeating: 0, count: size)   // the border stays zero for every channel
            if stride == 2 { im2colStride2(x, col, ld: ld, padded: padded); return }
            var row = col
            for ci in 0..<cg {
                let plane = x + ci &* planeIn
                for i in 0..<h { copyFloats(plane + i &* w, padded + ((i &+ pad) &* wp &+ pad), w) }
                for p in 0..<k {
                    for q in 0..<k {
                        let tap = padded + (p &* wp &+ q)
                        for i in 0..<oh { copyFloats(UnsafePointer(tap + i &* wp), row + i &* ow, ow) }
                        row += ld
                    }
                }
            }
        }
    }

    /// Stride 2 through the padded plane's column phases: with even[r][u] = xp[r][2u] and
    /// odd[r][u] = xp[r][2u + 1], tap (p, q)'s row i is phase q mod 2 at [2i + p][j + ⌊q/2⌋] (for
    /// k = 3: even[·][j], odd[·][j], even[·][j + 1]) — a contiguous copy instead of a stride-2 gather.
    private func im2colStride2(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ld: Int,
                               padded: UnsafeMutablePointer<Float>) {
        let wp = w &+ 2 &* pad, rows = h &+ 2 &* pad, half = (wp &+ 1) / 2
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 &* rows &* half) { phases in
            let even = phases.baseAddress!, odd = even + rows &* half
            var row = col
            for ci in 0..<cg {
                let plane = x + ci &* planeIn
                for i in 0..<h { copyFloats(plane + i &* w, padded + ((i &+ pad) &* wp &+ pad), w) }
                splitColumns(UnsafePointer(padded), rows: rows, width: wp, even: even, odd: odd, half: half)
                for p in 0..<k {
                    for q in 0..<k {
                        let phase = UnsafePointer(q & 1 == 1 ? odd : even) + (p &* half &+ q / 2)
                        for i in 0..<oh { copyFloats(phase + 2 &* i &* half, row + i &* ow, ow) }
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
        let wp = w &+ 2 &* pad, size = (h &+ 2 &* pad) &* wp
        withUnsafeTemporaryAllocation(of: Float.self, capacity: size) { buffer in
            let padded = buffer.baseAddress!
            if stride == 2 { col2imStride2(col, dx, ld: ld, padded: padded); return }
            var row = col
            for ci in 0..<cg {
                let plane = dx + ci &* planeIn
                padded.update(repeating: 0, count: size)
                for i in 0..<h { copyFloats(UnsafePointer(plane + i &* w), padded + ((i &+ pad) &* wp &+ pad), w) }
                for p in 0..<k {
                    for q in 0..<k {
                        let tap = padded + (p &* wp &+ q)
                        for i in 0..<oh { addFloats(row + i &* ow, tap + i &* wp, ow) }
                        row += ld
                    }
                }
                for i in 0..<h { copyFloats(UnsafePointer(padded + ((i &+ pad) &* wp &+ pad)), plane + i &* w, w) }
            }
        }
    }

    /// Stride 2 through the column phases (as `im2colStride2`): the taps' rows are added to the
    /// phases contiguously, in the general loop's order (p, q, i, j), so each element sums the same
    /// terms in the same order from the same start (the same bits); the phases are then merged back.
    private func col2imStride2(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, ld: Int,
                               padded: UnsafeMutablePointer<Float>) {
        let wp = w &+ 2 &* pad, rows = h &+ 2 &* pad, size = rows &* wp, half = (wp &+ 1) / 2
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 &* rows &* half) { phases in
            let even = phases.baseAddress!, odd = even + rows &* half
            var row = col
            for ci in 0..<cg {
                let plane = dx + ci &* planeIn
                padded.update(repeating: 0, count: size)
                for i in 0..<h { copyFloats(UnsafePointer(plane + i &* w), padded + ((i &+ pad) &* wp &+ pad), w) }
                splitColumns(UnsafePointer(padded), rows: rows, width: wp, even: even, odd: odd, half: half)
                for p in 0..<k {
                    for q in 0..<k {
                        let phase = (q & 1 == 1 ? odd : even) + (p &* half &+ q / 2)
                        for i in 0..<oh { addFloats(row + i &* ow, phase + 2 &* i &* half, ow) }
                        row += ld
                    }
                }
                mergeColumns(UnsafePointer(even), UnsafePointer(odd), half: half, rows: rows, width: wp, into: padded)
                for i in 0..<h { copyFloats(UnsafePointer(padded + ((i &+ pad) &* wp &+ pad)), plane + i &* w, w) }
            }
        }
    }
}

/// even[r·half + u] = src[r·width + 2u], odd[r·half + u] = src[r·width + 2u + 1] (0 past the row's end),
/// 16 columns at a time (`PhasedPlane` uses it for the depthwise stride-2 kernels too).
@inline(__always)
func splitColumns(_ src: UnsafePointer<Float>, rows: Int, width: Int,
                          even: UnsafeMutablePointer<Float>, odd: UnsafeMutablePointer<Float>, half: Int) {
    let raw = UnsafeRawPointer(src)
    for r in 0..<rows {
        let s = r &* width, d = r &* half
        var u = 0
        while 2 &* u &+ 16 <= width {
            let v = raw.loadUnaligned(fromByteOffset: (s &+ 2 &* u) &* 4, as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(even + (d &+ u)).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(odd + (d &+ u)).storeBytes(of: v.oddHalf, as: SIMD8<Float>.self)
            u &+= 8
        }
        while u < half {
            even[d &+ u] = src[s &+ 2 &* u]
            odd[d &+ u] = 2 &* u &+ 1 < width ? src[s &+ 2 &* u &+ 1] : 0
            u &+= 1
        }
    }
}

/// The inverse of `splitColumns`: dst[r·width + 2u] = even[r·half + u], dst[r·width + 2u + 1] = odd[r·half + u],
/// zipped 16 columns at a time.
@inline(__always)
func mergeColumns(_ even: UnsafePointer<Float>, _ odd: UnsafePointer<Float>, half: Int, rows: Int, width: Int,
                  into dst: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let s = r &* half, d = r &* width
        var u = 0
        while 2 &* u &+ 16 <= width {
            var v = SIMD16<Float>()
            v.evenHalf = UnsafeRawPointer(even + (s &+ u)).loadUnaligned(as: SIMD8<Float>.self)
            v.oddHalf = UnsafeRawPointer(odd + (s &+ u)).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(dst + (d &+ 2 &* u)).storeBytes(of: v, as: SIMD16<Float>.self)
            u &+= 8
        }
        while 2 &* u < width {
            dst[d &+ 2 &* u] = even[s &+ u]
            if 2 &* u &+ 1 < width { dst[d &+ 2 &* u &+ 1] = odd[s &+ u] }
            u &+= 1
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
