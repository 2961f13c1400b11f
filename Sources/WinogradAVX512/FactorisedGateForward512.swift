// The per-image-kernel convolution's forward on 4 × 4 and 8 × 8 maps with the kernels' factorised
// gates fused in: W_n is made 16 output channels at a time, a column of 16 per k (output channels
// in the lanes), and multiplied from there, so it never goes whole through memory or OpenBLAS's
// packing; the depth is walked in chunks whose column rows stay in L1. O output / C input channels, T taps, K = C·T column rows in (c, t) order, F pixels.

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

    /// Depth rows a chunk: the column rows and the block's W of a chunk (16 KB and 4 KB at F = 64, 8 KB
    /// and 8 KB at F = 16) stay in L1 while every output-channel block passes over them.
    @inline(__always)
    static func chunkRows(pixels f: Int) -> Int { f == 64 ? 64 : 128 }

    /// Floats of scratch `factorisedGateForward` needs: a chunk's W `[rows][16]` and the running sums `[O][F]`.
    public static func factorisedGateForwardScratch(pixels f: Int, o: Int) -> Int { chunkRows(pixels: f) &* 16 &+ o &* f }

    /// One image: y[o, f] = Σ_k W[o,k]·col[k, f], W[o,(c,t)] = K[o,c,t] · 2/(1 + u[o,t]·v[c,t]) —
    /// W the bits of `AWKernelModulation.write` (the same elementwise operations), each sum one FMA
    /// chain from +0 per k block (`blocks`, in order) and the blocks' sums added in order from +0:
    /// the bits of im2col + `write` + OpenBLAS's product where it sums in those blocks.
    /// A block is walked in chunks of `chunkRows` k; a chain is carried from chunk to chunk through
    /// the running sums in scratch (stored and reloaded exactly), so chunking leaves every bit.
    /// - col `[K][F]` (im2col); kernelT: K transposed `[K][O]`; uT: u transposed `[T][O]`; v `[C][T]`;
    ///   y `[O][F]` (written); scratch: `factorisedGateForwardScratch(pixels:o:)` floats.
    ///   `outputs` (multiples of 16; default all): only those output channels' rows of y are written.
    /// NOTE: F must be 16 or 64, O a multiple of 16.
    public static func factorisedGateForward(
        pixels f: Int, o: Int, c: Int, taps t: Int, blocks: [Range<Int>],
        col: UnsafePointer<Float>, kernelT: UnsafePointer<Float>, uT: UnsafePointer<Float>, v: UnsafePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>, outputs: Range<Int>? = nil
    ) {
        let k = c &* t
        precondition((f == 16 || f == 64) && o % 16 == 0 && k > 0, "16 or 64 pixels, blocks of 16 output channels")
        let cr = UnsafeRawPointer(col), kr = UnsafeRawPointer(kernelT), ur = UnsafeRawPointer(uT)
        let w = scratch, chunk = chunkRows(pixels: f)
        let sums = UnsafeMutableRawPointer(scratch + chunk &* 16), yr = UnsafeMutableRawPointer(y)
        for (blockIndex, block) in blocks.enumerated() {
            for from in stride(from: block.lowerBound, to: block.upperBound, by: chunk) {
                let rows = from..<min(from &+ chunk, block.upperBound)
                let step = Step(resume: from != block.lowerBound, finish: rows.upperBound == block.upperBound,
                                firstBlock: blockIndex == 0)
                for ob in stride(from: outputs?.lowerBound ?? 0, to: outputs?.upperBound ?? o, by: 16) {
                    // W[ob ..< ob + 16, rows] (lanes = output channels) is made row by row inside the first
                    // product over the chunk, so each row's divide overlaps the multiply-adds of the rows
                    // before it (a separate pass first left them waiting on the divider: BENCHMARKS.md).
                    let gates = Gates(kernelT: kr, uT: ur, v: v, o: o, ob: ob, taps: t, row: rows.lowerBound)
                    if f == 16 {
                        product16x16(rows: rows, col: cr, w: w, gates: gates, sums: sums + ob &* 64, y: yr + ob &* 64, step)
                    } else {
                        for sub in stride(from: 0, to: 16, by: 4) {
                            let at = (ob &+ sub) &* 256
                            product4x64(rows: rows, col: cr, w: w, sub: sub, gates: sub == 0 ? gates : nil,
                                        sums: sums + at, y: yr + at, step)
                        }
                    }
                }
            }
        }
    }

    /// Where a chunk's chains start and end: `resume` — from the running sums (else +0); `finish` —
    /// the block's last chunk, whose sums go into y (`firstBlock`: y = +0 + sum, else y + sum), else
    /// back into the running sums.
    struct Step {
        let resume: Bool, finish: Bool, firstBlock: Bool
    }

    /// How many rows ahead of the multiply-adds W's rows are made: far enough that a row's divide and
    /// store have finished when its broadcasts load it (one row ahead ran slower than a separate pass).
    static let gatesAhead = 8

    /// The rows of W for one block of 16 output channels, made in order from `row`:
    /// W[ob + j, (c, t)] = K[ob + j, c, t] · 2/(1 + u[ob + j, t]·v[c, t]) — `write`'s operations, so its bits.
    struct Gates {
        let kernelT: UnsafeRawPointer, uT: UnsafeRawPointer, v: UnsafePointer<Float>
        let o: Int, ob: Int, taps: Int
        private var c: Int, t: Int

        init(kernelT: UnsafeRawPointer, uT: UnsafeRawPointer, v: UnsafePointer<Float>,
             o: Int, ob: Int, taps: Int, row: Int) {
            self.kernelT = kernelT; self.uT = uT; self.v = v; self.o = o; self.ob = ob; self.taps = taps
            c = row / taps; t = row % taps
        }

        /// Makes the first `gatesAhead` rows of `rows` (fewer in a short chunk) into w's first lines.
        @inline(__always)
        mutating func makeFirstRows(of rows: Range<Int>, into w: UnsafeMutablePointer<Float>) {
            for r in 0..<min(gatesAhead, rows.count) { makeRow(rows.lowerBound &+ r, into: w + r &* 16) }
        }

        /// Stores the next row (k = `row`, then each call the one after) at `into` (16 floats).
        @inline(__always)
        mutating func makeRow(_ row: Int, into: UnsafeMutablePointer<Float>) {
            let ea = uT.loadUnaligned(fromByteOffset: (t &* o &+ ob) &* 4, as: SIMD16<Float>.self)
            let kv = kernelT.loadUnaligned(fromByteOffset: (row &* o &+ ob) &* 4, as: SIMD16<Float>.self)
            let a = SIMD16<Float>(repeating: 2) / (SIMD16<Float>(repeating: 1) + ea * SIMD16(repeating: v[c &* taps &+ t]))
            UnsafeMutableRawPointer(into).storeBytes(of: kv * a, as: SIMD16<Float>.self)
            t &+= 1
            if t == taps { t = 0; c &+= 1 }
        }
    }

    /// A chunk's chain value `a` at byte offset `at`: kept in the running sums, or added into y.
    @inline(__always)
    private static func put(_ at: Int, _ a: SIMD16<Float>, _ sums: UnsafeMutableRawPointer,
                            _ y: UnsafeMutableRawPointer, _ step: Step) {
        guard step.finish else { sums.storeBytes(of: a, toByteOffset: at, as: SIMD16<Float>.self); return }
        let s = step.firstBlock ? SIMD16<Float>() : y.loadUnaligned(fromByteOffset: at, as: SIMD16<Float>.self)
        y.storeBytes(of: s + a, toByteOffset: at, as: SIMD16<Float>.self)
    }

    /// The running sum at byte offset `at`, or +0 where the chunk starts a block.
    @inline(__always)
    private static func start(_ at: Int, _ sums: UnsafeMutableRawPointer, _ step: Step) -> SIMD16<Float> {
        step.resume ? sums.loadUnaligned(fromByteOffset: at, as: SIMD16<Float>.self) : SIMD16<Float>()
    }

    /// 16 output channels × 16 pixels: 16 chains, one column load and 16 broadcasts (one line of w) a k;
    /// `gates` makes w's line for k + `gatesAhead` while k's are multiplied (one divide to 16 multiply-adds).
    @inline(__always)
    private static func product16x16(rows: Range<Int>, col: UnsafeRawPointer, w: UnsafeMutablePointer<Float>,
                                     gates: Gates, sums: UnsafeMutableRawPointer, y: UnsafeMutableRawPointer,
                                     _ step: Step) {
        var gates = gates
        gates.makeFirstRows(of: rows, into: w)
        var a0 = start(0, sums, step), a1 = start(64, sums, step), a2 = start(128, sums, step)
        var a3 = start(192, sums, step), a4 = start(256, sums, step), a5 = start(320, sums, step)
        var a6 = start(384, sums, step), a7 = start(448, sums, step), a8 = start(512, sums, step)
        var a9 = start(576, sums, step), a10 = start(640, sums, step), a11 = start(704, sums, step)
        var a12 = start(768, sums, step), a13 = start(832, sums, step), a14 = start(896, sums, step)
        var a15 = start(960, sums, step)
        for kk in rows {
            let x = col.loadUnaligned(fromByteOffset: kk &* 64, as: SIMD16<Float>.self)
            let b = w + (kk &- rows.lowerBound) &* 16
            if kk &+ gatesAhead < rows.upperBound { gates.makeRow(kk &+ gatesAhead, into: b + gatesAhead &* 16) }
            a0.addProduct(SIMD16(repeating: b[0]), x); a1.addProduct(SIMD16(repeating: b[1]), x)
            a2.addProduct(SIMD16(repeating: b[2]), x); a3.addProduct(SIMD16(repeating: b[3]), x)
            a4.addProduct(SIMD16(repeating: b[4]), x); a5.addProduct(SIMD16(repeating: b[5]), x)
            a6.addProduct(SIMD16(repeating: b[6]), x); a7.addProduct(SIMD16(repeating: b[7]), x)
            a8.addProduct(SIMD16(repeating: b[8]), x); a9.addProduct(SIMD16(repeating: b[9]), x)
            a10.addProduct(SIMD16(repeating: b[10]), x); a11.addProduct(SIMD16(repeating: b[11]), x)
            a12.addProduct(SIMD16(repeating: b[12]), x); a13.addProduct(SIMD16(repeating: b[13]), x)
            a14.addProduct(SIMD16(repeating: b[14]), x); a15.addProduct(SIMD16(repeating: b[15]), x)
        }
        put(0, a0, sums, y, step); put(64, a1, sums, y, step); put(128, a2, sums, y, step)
        put(192, a3, sums, y, step); put(256, a4, sums, y, step); put(320, a5, sums, y, step)
        put(384, a6, sums, y, step); put(448, a7, sums, y, step); put(512, a8, sums, y, step)
        put(576, a9, sums, y, step); put(640, a10, sums, y, step); put(704, a11, sums, y, step)
        put(768, a12, sums, y, step); put(832, a13, sums, y, step); put(896, a14, sums, y, step)
        put(960, a15, sums, y, step)
    }

    /// 4 output channels (`sub` ..< `sub` + 4 of w's lines) × 64 pixels: 16 chains, four column loads and four
    /// broadcasts a k; with `gates`, w's line for k + `gatesAhead` is made while k's are multiplied.
    @inline(__always)
    private static func product4x64(rows: Range<Int>, col: UnsafeRawPointer, w: UnsafeMutablePointer<Float>, sub: Int,
                                    gates: Gates?, sums: UnsafeMutableRawPointer, y: UnsafeMutableRawPointer,
                                    _ step: Step) {
        var gates = gates
        gates?.makeFirstRows(of: rows, into: w)
        var a00 = start(0, sums, step), a01 = start(64, sums, step), a02 = start(128, sums, step)
        var a03 = start(192, sums, step), a10 = start(256, sums, step), a11 = start(320, sums, step)
        var a12 = start(384, sums, step), a13 = start(448, sums, step), a20 = start(512, sums, step)
        var a21 = start(576, sums, step), a22 = start(640, sums, step), a23 = start(704, sums, step)
        var a30 = start(768, sums, step), a31 = start(832, sums, step), a32 = start(896, sums, step)
        var a33 = start(960, sums, step)
        for kk in rows {
            let at = kk &* 256
            let x0 = col.loadUnaligned(fromByteOffset: at, as: SIMD16<Float>.self)
            let x1 = col.loadUnaligned(fromByteOffset: at &+ 64, as: SIMD16<Float>.self)
            let x2 = col.loadUnaligned(fromByteOffset: at &+ 128, as: SIMD16<Float>.self)
            let x3 = col.loadUnaligned(fromByteOffset: at &+ 192, as: SIMD16<Float>.self)
            let line = w + (kk &- rows.lowerBound) &* 16, b = line + sub
            if kk &+ gatesAhead < rows.upperBound { gates?.makeRow(kk &+ gatesAhead, into: line + gatesAhead &* 16) }
            let b0 = SIMD16(repeating: b[0])
            a00.addProduct(b0, x0); a01.addProduct(b0, x1); a02.addProduct(b0, x2); a03.addProduct(b0, x3)
            let b1 = SIMD16(repeating: b[1])
            a10.addProduct(b1, x0); a11.addProduct(b1, x1); a12.addProduct(b1, x2); a13.addProduct(b1, x3)
            let b2 = SIMD16(repeating: b[2])
            a20.addProduct(b2, x0); a21.addProduct(b2, x1); a22.addProduct(b2, x2); a23.addProduct(b2, x3)
            let b3 = SIMD16(repeating: b[3])
            a30.addProduct(b3, x0); a31.addProduct(b3, x1); a32.addProduct(b3, x2); a33.addProduct(b3, x3)
        }
        put(0, a00, sums, y, step); put(64, a01, sums, y, step); put(128, a02, sums, y, step)
        put(192, a03, sums, y, step); put(256, a10, sums, y, step); put(320, a11, sums, y, step)
        put(384, a12, sums, y, step); put(448, a13, sums, y, step); put(512, a20, sums, y, step)
        put(576, a21, sums, y, step); put(640, a22, sums, y, step); put(704, a23, sums, y, step)
        put(768, a30, sums, y, step); put(832, a31, sums, y, step); put(896, a32, sums, y, step)
        put(960, a33, sums, y, step)
    }
}
