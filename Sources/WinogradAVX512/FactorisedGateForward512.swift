// The per-image-kernel convolution's forward on 4 × 4 and 8 × 8 maps with the kernels' factorised
// gates fused in: W_n is made 16 output channels at a time, a column of 16 per k (output channels
// in the lanes), and multiplied from there, so it never goes whole through memory or OpenBLAS's
// packing. O output / C input channels, T taps, K = C·T column rows in (c, t) order, F pixels.

extension AVX512 {
    /// The k ranges whose chains OpenBLAS 0.3.21's level-3 driver sums separately for a product of
    /// depth `k` (GEMM_Q = 448 of its SkylakeX sgemm; a rest between Q and 2Q halved, rounded up
    /// to 16): K = 1,152 → 448 + 352 + 352, K = 576 → 288 + 288.
    public static func openBLASDepthBlocks(_ k: Int) -> [Range<Int>] {
        let q = 448
        var blocks = [Range<Int>](), ls = 0
        while ls < k {
            var minL = k &- ls
            if minL >= 2 &* q { minL = q } else if minL > q { minL = ((minL / 2 &+ 15) / 16) &* 16 }
            blocks.append(ls..<(ls &+ minL))
            ls &+= minL
        }
        return blocks
    }

    /// One image: y[o, f] = Σ_k W[o,k]·col[k, f], W[o,(c,t)] = K[o,c,t] · 2/(1 + u[o,t]·v[c,t]) —
    /// W the bits of `AWKernelModulation.write` (the same elementwise operations), each sum one FMA
    /// chain from +0 per k block (`blocks`, in order) and the blocks' sums added in order from +0:
    /// the bits of im2col + `write` + OpenBLAS's product where it sums in those blocks.
    /// - col `[K][F]` (im2col); kernelT: K transposed `[K][O]`; uT: u transposed `[T][O]`; v `[C][T]`;
    ///   y `[O][F]` (written); w: scratch of `16·K` floats (a block's W, `[K][16]`).
    /// NOTE: F must be 16 or 64, O a multiple of 16.
    public static func factorisedGateForward(
        pixels f: Int, o: Int, c: Int, taps t: Int, blocks: [Range<Int>],
        col: UnsafePointer<Float>, kernelT: UnsafePointer<Float>, uT: UnsafePointer<Float>, v: UnsafePointer<Float>,
        w: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>
    ) {
        let k = c &* t
        precondition((f == 16 || f == 64) && o % 16 == 0 && k > 0, "16 or 64 pixels, blocks of 16 output channels")
        let cr = UnsafeRawPointer(col), kr = UnsafeRawPointer(kernelT), ur = UnsafeRawPointer(uT)
        let wr = UnsafeMutableRawPointer(w), yr = UnsafeMutableRawPointer(y)
        let one = SIMD16<Float>(repeating: 1), two = SIMD16<Float>(repeating: 2)
        for ob in stride(from: 0, to: o, by: 16) {
            // W[ob ..< ob + 16, k] for every k: lanes = output channels.
            var kk = 0
            for cc in 0..<c {
                for tt in 0..<t {
                    let ea = ur.loadUnaligned(fromByteOffset: (tt &* o &+ ob) &* 4, as: SIMD16<Float>.self)
                    let kv = kr.loadUnaligned(fromByteOffset: (kk &* o &+ ob) &* 4, as: SIMD16<Float>.self)
                    let a = two / (one + ea * SIMD16(repeating: v[cc &* t &+ tt]))
                    wr.storeBytes(of: kv * a, toByteOffset: kk &* 64, as: SIMD16<Float>.self)
                    kk &+= 1
                }
            }
            let wp = UnsafePointer(w)
            if f == 16 {
                product16x16(blocks: blocks, col: cr, w: wp, y: yr + ob &* 64)
            } else {
                for sub in stride(from: 0, to: 16, by: 4) {
                    product4x64(blocks: blocks, col: cr, w: wp + sub, y: yr + (ob &+ sub) &* 256)
                }
            }
        }
    }

    /// 16 output channels × 16 pixels: 16 chains, one column load and 16 broadcasts (one line of w) a k.
    @inline(__always)
    private static func product16x16(blocks: [Range<Int>], col: UnsafeRawPointer, w: UnsafePointer<Float>,
                                     y: UnsafeMutableRawPointer) {
        var first = true
        for range in blocks {
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            var a4 = SIMD16<Float>(), a5 = SIMD16<Float>(), a6 = SIMD16<Float>(), a7 = SIMD16<Float>()
            var a8 = SIMD16<Float>(), a9 = SIMD16<Float>(), a10 = SIMD16<Float>(), a11 = SIMD16<Float>()
            var a12 = SIMD16<Float>(), a13 = SIMD16<Float>(), a14 = SIMD16<Float>(), a15 = SIMD16<Float>()
            for kk in range {
                let x = col.loadUnaligned(fromByteOffset: kk &* 64, as: SIMD16<Float>.self)
                let b = w + kk &* 16
                a0.addProduct(SIMD16(repeating: b[0]), x); a1.addProduct(SIMD16(repeating: b[1]), x)
                a2.addProduct(SIMD16(repeating: b[2]), x); a3.addProduct(SIMD16(repeating: b[3]), x)
                a4.addProduct(SIMD16(repeating: b[4]), x); a5.addProduct(SIMD16(repeating: b[5]), x)
                a6.addProduct(SIMD16(repeating: b[6]), x); a7.addProduct(SIMD16(repeating: b[7]), x)
                a8.addProduct(SIMD16(repeating: b[8]), x); a9.addProduct(SIMD16(repeating: b[9]), x)
                a10.addProduct(SIMD16(repeating: b[10]), x); a11.addProduct(SIMD16(repeating: b[11]), x)
                a12.addProduct(SIMD16(repeating: b[12]), x); a13.addProduct(SIMD16(repeating: b[13]), x)
                a14.addProduct(SIMD16(repeating: b[14]), x); a15.addProduct(SIMD16(repeating: b[15]), x)
            }
            @inline(__always) func put(_ j: Int, _ a: SIMD16<Float>) {
                let off = j &* 64
                let s = first ? SIMD16<Float>() : y.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
                y.storeBytes(of: s + a, toByteOffset: off, as: SIMD16<Float>.self)
            }
            put(0, a0); put(1, a1); put(2, a2); put(3, a3); put(4, a4); put(5, a5); put(6, a6); put(7, a7)
            put(8, a8); put(9, a9); put(10, a10); put(11, a11); put(12, a12); put(13, a13); put(14, a14); put(15, a15)
            first = false
        }
    }

    /// 4 output channels × 64 pixels: 16 chains, four column loads and four broadcasts a k.
    @inline(__always)
    private static func product4x64(blocks: [Range<Int>], col: UnsafeRawPointer, w: UnsafePointer<Float>,
                                    y: UnsafeMutableRawPointer) {
        var first = true
        for range in blocks {
            var a00 = SIMD16<Float>(), a01 = SIMD16<Float>(), a02 = SIMD16<Float>(), a03 = SIMD16<Float>()
            var a10 = SIMD16<Float>(), a11 = SIMD16<Float>(), a12 = SIMD16<Float>(), a13 = SIMD16<Float>()
            var a20 = SIMD16<Float>(), a21 = SIMD16<Float>(), a22 = SIMD16<Float>(), a23 = SIMD16<Float>()
            var a30 = SIMD16<Float>(), a31 = SIMD16<Float>(), a32 = SIMD16<Float>(), a33 = SIMD16<Float>()
            for kk in range {
                let at = kk &* 256
                let x0 = col.loadUnaligned(fromByteOffset: at, as: SIMD16<Float>.self)
                let x1 = col.loadUnaligned(fromByteOffset: at &+ 64, as: SIMD16<Float>.self)
                let x2 = col.loadUnaligned(fromByteOffset: at &+ 128, as: SIMD16<Float>.self)
                let x3 = col.loadUnaligned(fromByteOffset: at &+ 192, as: SIMD16<Float>.self)
                let b = w + kk &* 16
                let b0 = SIMD16(repeating: b[0])
                a00.addProduct(b0, x0); a01.addProduct(b0, x1); a02.addProduct(b0, x2); a03.addProduct(b0, x3)
                let b1 = SIMD16(repeating: b[1])
                a10.addProduct(b1, x0); a11.addProduct(b1, x1); a12.addProduct(b1, x2); a13.addProduct(b1, x3)
                let b2 = SIMD16(repeating: b[2])
                a20.addProduct(b2, x0); a21.addProduct(b2, x1); a22.addProduct(b2, x2); a23.addProduct(b2, x3)
                let b3 = SIMD16(repeating: b[3])
                a30.addProduct(b3, x0); a31.addProduct(b3, x1); a32.addProduct(b3, x2); a33.addProduct(b3, x3)
            }
            @inline(__always) func put(_ at: Int, _ a: SIMD16<Float>) {
                let s = first ? SIMD16<Float>() : y.loadUnaligned(fromByteOffset: at, as: SIMD16<Float>.self)
                y.storeBytes(of: s + a, toByteOffset: at, as: SIMD16<Float>.self)
            }
            put(0, a00); put(64, a01); put(128, a02); put(192, a03)
            put(256, a10); put(320, a11); put(384, a12); put(448, a13)
            put(512, a20); put(576, a21); put(640, a22); put(704, a23)
            put(768, a30); put(832, a31); put(896, a32); put(960, a33)
            first = false
        }
    }
}
