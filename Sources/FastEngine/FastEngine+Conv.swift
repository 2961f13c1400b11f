// Convolution forward and backward as im2col + GEMM, one (image, group) pair
// at a time, pairs split over threads; depthwise convs go to the direct kernels.
// N batch, C/O input/output channels, H, W; per group cg/og channels, K = cg·k·k.

import TensorCore

extension FastEngine {
    /// y[n, g·og + o] = W_g[og, K] · col(x[n, g])[K, OH·OW] + b, one GEMM per image and group
    /// (output channels on the GEMM's M side, so y is written in place, NCHW).
    /// The N·groups (image, group) pairs are split over threads, so the attention-weighted
    /// conv (one image, groups = batch) is parallel too.
    /// 1×1 stride-1 unpadded convs skip im2col: the input planes already are the column matrix.
    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig) -> Tensor {
        let g = ConvGeometry(x: x.shape, weight: weight.shape, config)
        switch forwardPath(g) {
        case .depthwise:
            return depthwiseConv2d(Self.productInput(x), weight: Self.productInput(weight), bias: bias, g)
        case .winograd:
            var out = Tensor(shape: [g.n, g.o, g.oh, g.ow],
                             data: winogradConv3x3(Self.winogradInput(x), weight: Self.winogradInput(weight), g))
            if let bias { addChannelBias(&out, bias) }
            return out
        case .direct:
            var out = Tensor(shape: [g.n, g.o, g.oh, g.ow],
                             data: directConv3x3(Self.productInput(x), weight: Self.productInput(weight), g))
            if let bias { addChannelBias(&out, bias) }
            return out
        case .gemm:
            break
        }
        var out = Tensor(shape: [g.n, g.o, g.oh, g.ow], data: gemmConv2d(x, weight: weight, g))
        if let bias { addChannelBias(&out, bias) }
        return out
    }

    /// The kernels a forward convolution runs on (`conv2d` and `conv2dBatchNormEval` ask here).
    enum ForwardPath { case depthwise, winograd, direct, gemm }

    func forwardPath(_ g: ConvGeometry) -> ForwardPath {
        if g.isDepthwise { return .depthwise }
        // Few output tiles (small-batch inference): im2col + GEMM beats Winograd and the direct
        // kernel there (`winogradMinimumTiles`).
        let fewTiles = Winograd4x4.applies(g) && g.n * ((g.oh + 3) / 4) * ((g.ow + 3) / 4) < Self.winogradMinimumTiles
        if Self.useWinograd3x3 && Winograd4x4.applies(g) && !fewTiles { return .winograd }
        if Self.useDirectConv3x3 && DirectConv3x3.applies(g) && !(fewTiles && Self.useWinograd3x3) { return .direct }
        return .gemm
    }

    /// The im2col + GEMM forward of `conv2d` (no bias). `epilogue(y, n)` runs on image n's finished
    /// output planes right after its GEMM, on the thread that wrote them (groups = 1 only).
    func gemmConv2d(_ x: Tensor, weight: Tensor, _ g: ConvGeometry,
                    epilogue: ((UnsafeMutablePointer<Float>, Int) -> Void)? = nil) -> [Float] {
        precondition(epilogue == nil || g.groups == 1, "a per-image epilogue needs groups = 1")
        if Stride2Conv3x3.applies(g) { return stride2Conv3x3(x, weight: weight, g, epilogue: epilogue) }
        let ohw = g.planeOut, rows = g.colRows
        let pairs = g.n * g.groups
        if pairs == 1 && threads > 1 {
            let channelParts = partsFor(work: g.o * ohw * rows, units: g.o / 16, threads: threads, minWork: 1 << 22)
            if channelParts > 1 { return gemmConv2dOneImage(x, weight: weight, g, parts: channelParts, epilogue: epilogue) }
        }
        let parts = partsFor(work: g.n * g.o * ohw * rows, units: pairs, threads: threads)
        return makeArray(g.n * g.o * ohw) { yp in
            x.data.withUnsafeBufferPointer { xb in
                weight.data.withUnsafeBufferPointer { wb in
                    let xp = xb.baseAddress!, wp = wb.baseAddress!
                    // W packed once for all images where that changes anything (bf16 on AMX, one group).
                    let weights = g.groups == 1 ? WeightOperand(m: g.o, k: rows, a: wp, lda: rows) : nil
                    parallelParts(parts) { part in
                        if g.imagesPerGEMM > 1 {
                            convForwardBatched(g, xp, weights!, yp, images: partRange(part, of: parts, count: g.n),
                                               epilogue: epilogue)
                            return
                        }
                        // im2col writes every element (its zero margins too).
                        var col = scratchArray(g.isPointwise ? 0 : rows * ohw)
                        col.withUnsafeMutableBufferPointer { cb in
                            for pair in partRange(part, of: parts, count: pairs) {
                                let img = pair / g.groups, grp = pair % g.groups
                                let src = xp + (img &* g.c &+ grp &* g.cg) &* g.planeIn
                                let b: UnsafePointer<Float>
                                if g.isPointwise { b = src } else {
                                    g.im2col(src, cb.baseAddress!)
                                    b = UnsafePointer(cb.baseAddress!)
                                }
                                if let weights {
                                    weights.gemm(n: ohw, b: b, ldb: ohw, beta: 0, c: yp + img &* g.o &* ohw, ldc: ohw)
                                } else {
                                    sgemm(m: g.og, n: ohw, k: rows, a: wp + grp &* g.og &* rows, lda: rows,
                                          b: b, ldb: ohw,
                                          beta: 0, c: yp + (img &* g.o &+ grp &* g.og) &* ohw, ldc: ohw)
                                }
                                epilogue?(yp, img)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `gemmConv2d` of one image (batch-1 inference), which the image split leaves on one thread: one
    /// im2col, then the output channels split over the threads in blocks of 16, each part one GEMM of
    /// its rows of W; the epilogue runs once, after all parts. Every output is the same dot product of
    /// a W row and a column as on the image path.
    private func gemmConv2dOneImage(_ x: Tensor, weight: Tensor, _ g: ConvGeometry, parts: Int,
                                    epilogue: ((UnsafeMutablePointer<Float>, Int) -> Void)?) -> [Float] {
        let ohw = g.planeOut, rows = g.colRows, blocks = g.o / 16
        var col = scratchArray(g.isPointwise ? 0 : rows * ohw)
        return makeArray(g.o * ohw) { yp in
            x.data.withUnsafeBufferPointer { xb in
            weight.data.withUnsafeBufferPointer { wb in
            col.withUnsafeMutableBufferPointer { cb in
                let wp = wb.baseAddress!
                let b: UnsafePointer<Float>
                if g.isPointwise { b = xb.baseAddress! } else {
                    g.im2col(xb.baseAddress!, cb.baseAddress!)
                    b = UnsafePointer(cb.baseAddress!)
                }
                parallelParts(parts) { part in
                    let range = partRange(part, of: parts, count: blocks)
                    let first = range.lowerBound &* 16, last = range.upperBound == blocks ? g.o : range.upperBound &* 16
                    sgemm(m: last &- first, n: ohw, k: rows, a: wp + first &* rows, lda: rows, b: b, ldb: ohw,
                          beta: 0, c: yp + first &* ohw, ldc: ohw)
                }
                epilogue?(yp, 0)
            }
            }
            }
        }
    }

    /// dW_g += dy_g · col_gᵀ, dcol = W_gᵀ · dy_g then col2im into dx, db[o] = Σ_{n,i,j} dy[n,o,i,j].
    /// With groups ≥ threads (the attention-weighted conv: one image, groups = batch) the
    /// groups are split over threads and each sums its images in order into its own dW slice
    /// (the result does not depend on `threads`); otherwise images are split and each part
    /// keeps a dW accumulator, summed in part order.
    /// - Deviation: none in value; dW is bit-reproducible for a fixed `threads` but may
    ///   differ in the last bits across counts when images are split.
    public func conv2dBackward(_ x: Tensor, weight: Tensor, hasBias: Bool, _ config: ConvConfig,
                               dy: Tensor) -> ConvGradients {
        let g = convBackward(x, weight: weight, hasBias: hasBias, config, dy: dy, inputGradient: true)
        return ConvGradients(x: g.x!, weight: g.weight, bias: g.bias)
    }

    /// `conv2dBackward` without the input gradient's work (its transposed products and col2im);
    /// dW and db come from the same calls in the same order, so they are the same bits.
    public func conv2dParameterGradients(_ x: Tensor, weight: Tensor, hasBias: Bool, _ config: ConvConfig,
                                         dy: Tensor) -> (weight: Tensor, bias: Tensor?) {
        let g = convBackward(x, weight: weight, hasBias: hasBias, config, dy: dy, inputGradient: false)
        return (g.weight, g.bias)
    }

    private func convBackward(_ x: Tensor, weight: Tensor, hasBias: Bool, _ config: ConvConfig, dy: Tensor,
                              inputGradient: Bool) -> (x: Tensor?, weight: Tensor, bias: Tensor?) {
        let g = ConvGeometry(x: x.shape, weight: weight.shape, config)
        precondition(dy.shape == [g.n, g.o, g.oh, g.ow], "dy \(dy.shape) does not match the conv output")
        if g.isDepthwise {
            let (xr, wr, dyr) = (Self.productInput(x), Self.productInput(weight), Self.productInput(dy))
            let grads = depthwiseConv2dBackward(xr, weight: wr, hasBias: false, g, dy: dyr)
            return (grads.x, grads.weight, hasBias ? channelSums(dy) : nil)
        }
        if Self.useWinograd3x3 && Winograd4x4.applies(g) {
            let (xr, wr, dyr) = (Self.winogradInput(x), Self.winogradInput(weight), Self.winogradInput(dy))
            let dx = inputGradient ? Tensor(shape: x.shape, data: winogradConv3x3InputGradient(dyr, weight: wr, g)) : nil
            return (dx, Tensor(shape: weight.shape, data: winogradConv3x3WeightGradient(xr, dy: dyr, g)),
                    hasBias ? channelSums(dy) : nil)
        }
        if Stride2Conv3x3.applies(g) {
            let r = stride2Conv3x3Backward(x, weight: weight, g, dy: dy, inputGradient: inputGradient)
            return (r.dx.map { Tensor(shape: x.shape, data: $0) }, Tensor(shape: weight.shape, data: r.dw),
                    hasBias ? channelSums(dy) : nil)
        }
        // Direct 3×3: dx is the direct conv of dy; the GEMM path below computes dW only.
        let directDx = inputGradient && Self.useDirectConv3x3 && DirectConv3x3.applies(g)
        // dcol = Wᵀ·dy and col2im: the input gradient on the GEMM path.
        let gemmDx = inputGradient && !directDx
        let ohw = g.planeOut, rows = g.colRows
        let byGroup = g.groups > 1 && g.groups >= threads
        let parts = partsFor(work: g.n * g.o * ohw * rows, units: byGroup ? g.groups : g.n, threads: threads)
        let wCount = weight.count
        // Split by images: one dW accumulator per part, summed in part order afterwards.
        let accumulators = byGroup ? 1 : parts
        var dwParts = [Float](repeating: 0, count: accumulators * wCount)
        // dx starts uninitialised: each image's (group's) slice is zeroed by `col2imIntoFresh` in the
        // part that fills it; a pointwise dx is written whole by its β = 0 GEMMs (every image and group).
        var dx = directDx ? directConv3x3InputGradient(Self.productInput(dy), weight: Self.productInput(weight), g)
            : scratchArray(gemmDx ? x.count : 1)  // (1: storage for the unused pointer)
        x.data.withUnsafeBufferPointer { xb in
        weight.data.withUnsafeBufferPointer { wb in
        dy.data.withUnsafeBufferPointer { db in
        dx.withUnsafeMutableBufferPointer { dxb in
        dwParts.withUnsafeMutableBufferPointer { dwb in
            let xp = xb.baseAddress!, wp = wb.baseAddress!, dyp = db.baseAddress!
            let dxp = dxb.baseAddress!, dwp = dwb.baseAddress!
            // Wᵀ packed once for all images' dcol = Wᵀ·dy where that changes anything (bf16 on AMX, one group).
            let transposed = gemmDx && g.groups == 1 ? WeightOperand(transA: true, m: rows, k: g.o, a: wp, lda: rows) : nil
            parallelParts(parts) { part in
                let colCount = g.isPointwise ? 0 : rows * ohw
                // Written before read: col by im2col, dcol by a β = 0 GEMM (unused on the batched path).
                var col = scratchArray(colCount)
                var dcol = scratchArray(gemmDx ? colCount : 0)
                col.withUnsafeMutableBufferPointer { cb in
                dcol.withUnsafeMutableBufferPointer { dcb in
                    let dwPart = dwp + (byGroup ? 0 : part &* wCount)
                    if g.imagesPerGEMM > 1 && !byGroup {
                        convBackwardBatched(g, xp, transposed, dyp, dxp, dwPart, images: partRange(part, of: parts, count: g.n))
                        return
                    }
                    func pair(_ img: Int, _ grp: Int) {
                        let chanIn = (img &* g.c &+ grp &* g.cg) &* g.planeIn
                        let dyG = dyp + (img &* g.o &+ grp &* g.og) &* ohw
                        let wG = wp + grp &* g.og &* rows
                        let colP: UnsafePointer<Float>
                        if g.isPointwise { colP = xp + chanIn } else {
                            g.im2col(xp + chanIn, cb.baseAddress!)
                            colP = UnsafePointer(cb.baseAddress!)
                        }
                        sgemm(transB: true, m: g.og, n: rows, k: ohw, a: dyG, lda: ohw, b: colP, ldb: ohw,
                              beta: 1, c: dwPart + grp &* g.og &* rows, ldc: rows)
                        if !gemmDx { return }
                        let dcolP = g.isPointwise ? dxp + chanIn : dcb.baseAddress!
                        if let transposed {
                            transposed.gemm(n: ohw, b: dyG, ldb: ohw, beta: 0, c: dcolP, ldc: ohw)
                        } else {
                            sgemm(transA: true, m: rows, n: ohw, k: g.og, a: wG, lda: rows, b: dyG, ldb: ohw,
                                  beta: 0, c: dcolP, ldc: ohw)
                        }
                        if !g.isPointwise { g.col2imIntoFresh(UnsafePointer(dcb.baseAddress!), dxp + chanIn) }
                    }
                    if byGroup {
                        for grp in partRange(part, of: parts, count: g.groups) { for img in 0..<g.n { pair(img, grp) } }
                    } else {
                        for img in partRange(part, of: parts, count: g.n) { for grp in 0..<g.groups { pair(img, grp) } }
                    }
                }
                }
            }
        }
        }
        }
        }
        }
        let dw = sumInPartOrder(dwParts, count: wCount, parts: accumulators)
        return (inputGradient ? Tensor(shape: x.shape, data: dx) : nil, Tensor(shape: weight.shape, data: dw),
                hasBias ? channelSums(dy) : nil)
    }

    /// Forward for small maps (groups = 1, not pointwise): `imagesPerGEMM` images' column matrices side by
    /// side [K, nb·OH·OW], one GEMM into a scratch [O, nb·OH·OW], copied out to NCHW.
    func convForwardBatched(_ g: ConvGeometry, _ xp: UnsafePointer<Float>, _ weights: WeightOperand,
                            _ yp: UnsafeMutablePointer<Float>, images: Range<Int>,
                            epilogue: ((UnsafeMutablePointer<Float>, Int) -> Void)? = nil) {
        let ohw = g.planeOut, rows = g.colRows, nb = g.imagesPerGEMM
        var col = [Float](repeating: 0, count: rows * nb * ohw)
        var out = [Float](repeating: 0, count: g.o * nb * ohw)
        col.withUnsafeMutableBufferPointer { cb in
        out.withUnsafeMutableBufferPointer { ob in
            let cp = cb.baseAddress!, op = ob.baseAddress!
            var img = images.lowerBound
            while img < images.upperBound {
                let count = min(nb, images.upperBound &- img), wide = count &* ohw
                for b in 0..<count {
                    let xOff: Int = (img &+ b) &* g.c &* g.planeIn, colOff: Int = b &* ohw
                    g.im2col(xp + xOff, cp + colOff, ld: wide)
                }
                weights.gemm(n: wide, b: cp, ldb: wide, beta: 0, c: op, ldc: wide)
                for b in 0..<count {
                    for oc in 0..<g.o {
                        let dst: Int = ((img &+ b) &* g.o &+ oc) &* ohw, src: Int = oc &* wide &+ b &* ohw
                        (yp + dst).update(from: op + src, count: ohw)
                    }
                    epilogue?(yp, img &+ b)
                }
                img &+= count
            }
        }
        }
    }

    /// Backward for small maps (groups = 1, not pointwise): dy of `imagesPerGEMM` images gathered to
    /// [O, nb·OH·OW]; dW += dy·colᵀ and dcol = Wᵀ·dy as one GEMM each, then col2im per image.
    /// `transposed` is Wᵀ (`WeightOperand` with transA), nil for no input gradient.
    func convBackwardBatched(_ g: ConvGeometry, _ xp: UnsafePointer<Float>, _ transposed: WeightOperand?,
                             _ dyp: UnsafePointer<Float>, _ dxp: UnsafeMutablePointer<Float>,
                             _ dw: UnsafeMutablePointer<Float>, images: Range<Int>) {
        let ohw = g.planeOut, rows = g.colRows, nb = g.imagesPerGEMM, inputGradient = transposed != nil
        var col = [Float](repeating: 0, count: rows * nb * ohw)
        var dcol = [Float](repeating: 0, count: inputGradient ? rows * nb * ohw : 1)
        var dyWide = [Float](repeating: 0, count: g.o * nb * ohw)
        col.withUnsafeMutableBufferPointer { cb in
        dcol.withUnsafeMutableBufferPointer { dcb in
        dyWide.withUnsafeMutableBufferPointer { db in
            let cp = cb.baseAddress!, dcp = dcb.baseAddress!, dyw = db.baseAddress!
            var img = images.lowerBound
            while img < images.upperBound {
                let count = min(nb, images.upperBound &- img), wide = count &* ohw
                for b in 0..<count {
                    let xOff: Int = (img &+ b) &* g.c &* g.planeIn, colOff: Int = b &* ohw
                    g.im2col(xp + xOff, cp + colOff, ld: wide)
                    for oc in 0..<g.o {
                        let dst: Int = oc &* wide &+ b &* ohw, src: Int = ((img &+ b) &* g.o &+ oc) &* ohw
                        (dyw + dst).update(from: dyp + src, count: ohw)
                    }
                }
                sgemm(transB: true, m: g.o, n: rows, k: wide, a: dyw, lda: wide, b: cp, ldb: wide,
                      beta: 1, c: dw, ldc: rows)
                guard let transposed else { img &+= count; continue }
                transposed.gemm(n: wide, b: dyw, ldb: wide, beta: 0, c: dcp, ldc: wide)
                for b in 0..<count {
                    let dxOff: Int = (img &+ b) &* g.c &* g.planeIn, colOff: Int = b &* ohw
                    let dst = dxp + dxOff, src = dcp + colOff
                    g.col2imIntoFresh(UnsafePointer(src), dst, ld: wide)
                }
                img &+= count
            }
        }
        }
        }
    }

    /// out[i] = Σ_part accumulators[part·count + i], added in part order: a split backward's dW.
    func sumInPartOrder(_ accumulators: [Float], count: Int, parts: Int) -> [Float] {
        makeArray(count) { out in
            accumulators.withUnsafeBufferPointer { src in
                let s = src.baseAddress!
                out.update(from: s, count: count)
                for part in 1..<max(parts, 1) {
                    let p = s + part &* count
                    for i in 0..<count { out[i] += p[i] }
                }
            }
        }
    }

    /// y[n,c,·] += b[c] over NCHW planes.
    func addChannelBias(_ y: inout Tensor, _ bias: Tensor) {
        let n = y.shape[0], c = y.shape[1], plane = y.count / max(n * c, 1)
        precondition(bias.count == c, "bias has \(bias.count) values for \(c) channels")
        bias.data.withUnsafeBufferPointer { bb in
            y.data.withUnsafeMutableBufferPointer { yb in
                let yp = yb.baseAddress!
                for nc in 0..<(n * c) {
                    let v = bb[nc % c], row = yp + nc &* plane
                    for j in 0..<plane { row[j] += v }
                }
            }
        }
    }

    /// s[c] = Σ_{n,i,j} t[n,c,i,j]: Float within a plane, Double across planes,
    /// one channel per task so the order never depends on scheduling.
    func channelSums(_ t: Tensor) -> Tensor {
        let n = t.shape[0], c = t.shape[1], plane = t.count / max(n * c, 1)
        let parts = partsFor(work: t.count, units: c, threads: threads)
        let out = makeArray(c) { op in
            t.data.withUnsafeBufferPointer { tb in
                let tp = tb.baseAddress!
                parallelParts(parts) { part in
                    for ch in partRange(part, of: parts, count: c) {
                        var s = 0.0
                        for img in 0..<n { s += Double(vsum(tp + (img &* c &+ ch) &* plane, plane)) }
                        op[ch] = Float(s)
                    }
                }
            }
        }
        return Tensor(shape: [c], data: out)
    }
}
