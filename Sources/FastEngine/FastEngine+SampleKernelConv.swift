// Convolutions with a kernel per image (the AW-convolution), one image at a time: its kernel
// is written into a per-thread buffer, used, and forgotten, so no [N·O, C, k, k] tensor exists.
// N batch, C input / O output channels; K = C·k·k column rows; P = OH·OW.

import TensorCore

extension FastEngine {
    /// y_n[O, P] = W_n[O, K] · col(x_n)[K, P], images split over threads; W_n comes from
    /// `kernels.write` into the thread's buffer just before its GEMM.
    /// Same products as the grouped-convolution specification (`SampleKernels.swift`), summed
    /// by the same GEMM per image; verified against it in `SampleKernelConvTests`.
    public func sampleKernelConv2d(_ x: Tensor, kernels: SampleKernels, _ config: ConvConfig) -> Tensor {
        sampleKernelConv2d(x, kernels: kernels, config, epilogue: nil)
    }

    /// `sampleKernelConv2d`; `epilogue(y, n)` runs on image n's finished output planes right after
    /// they are written, on the thread that wrote them.
    func sampleKernelConv2d(_ x: Tensor, kernels: SampleKernels, _ config: ConvConfig,
                            epilogue: ((UnsafeMutablePointer<Float>, Int) -> Void)?) -> Tensor {
        let g = sampleGeometry(x, kernels, config)
        if let factorised = kernels as? FactorisedSampleKernels {
            if gatedWinograd8x8Applies(g, factorised) {
                return gatedWinograd8x8(x, kernels: factorised, g, epilogue: epilogue)
            }
            if factorisedGateForwardApplies(g, factorised) {
                return factorisedGateForward(x, kernels: factorised, g, epilogue: epilogue)
            }
            if sampleKernelWinogradGatedApplies(g, factorised) {
                return sampleKernelWinogradGated(x, kernels: factorised, g, epilogue: epilogue)
            }
        }
        let ohw = g.planeOut, rows = g.colRows, per = g.o * rows
        let parts = partsFor(work: g.n * g.o * ohw * rows, units: g.n, threads: threads)
        // (bf16: GEMMs only, which round W_n and x themselves)
        let winograd = sampleKernelWinogradApplies(g)
        let direct = !winograd && Self.useDirectConv3x3 && DirectConv3x3.applies(g) && g.w >= 16
            && Self.precision == .fp32
        let avx512 = Self.usesAVX512
        let y = makeArray(g.n * g.o * ohw) { yp in
            x.data.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!
                parallelParts(parts) { part in
                    var w = scratchArray(per)
                    var col = scratchArray(g.isPointwise || direct || winograd ? 0 : rows * ohw)
                    var padded = [Float](repeating: 0, count: direct ? g.c * (g.h + 2) * (g.w + 2) : 0)
                    let workspace = winograd ? SampleKernelWinograd(c: g.c, o: g.o, h: g.h, w: g.w, avx512: avx512) : nil
                    w.withUnsafeMutableBufferPointer { wb in
                        col.withUnsafeMutableBufferPointer { cb in
                            let wp = wb.baseAddress!
                            for img in partRange(part, of: parts, count: g.n) {
                                kernels.write(sample: img, into: wp)
                                if let workspace {
                                    workspace.forward(image: xp + img &* g.c &* g.planeIn, kernel: wp,
                                                      into: yp + img &* g.o &* ohw)
                                    epilogue?(yp, img)
                                    continue
                                }
                                if direct {
                                    padded.withUnsafeMutableBufferPointer { pb in
                                        DirectConv3x3.pad(xp + img &* g.c &* g.planeIn, c: g.c, h: g.h, w: g.w,
                                                          into: pb.baseAddress!)
                                        DirectConv3x3.image(padded: pb.baseAddress!, h: g.h, w: g.w,
                                                            weights: .forward(wp, o: g.o, c: g.c),
                                                            y: yp + img &* g.o &* ohw)
                                    }
                                    epilogue?(yp, img)
                                    continue
                                }
                                let b = columns(g, xp + img &* g.c &* g.planeIn, cb.baseAddress)
                                sgemm(m: g.o, n: ohw, k: rows, a: wp, lda: rows, b: b, ldb: ohw,
                                      beta: 0, c: yp + img &* g.o &* ohw, ldc: ohw)
                                epilogue?(yp, img)
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [g.n, g.o, g.oh, g.ow], data: y)
    }

    /// Per image: dW_n = dy_n · col(x_n)ᵀ handed to `kernels.weightGradient` (share = the thread's
    /// part), which writes W_n again, then dx_n = col2im(W_nᵀ · dy_n).
    public func sampleKernelConv2dBackward(_ x: Tensor, kernels: SampleKernels, _ config: ConvConfig,
                                           dy: Tensor) -> Tensor {
        let g = sampleGeometry(x, kernels, config)
        precondition(dy.shape == [g.n, g.o, g.oh, g.ow], "dy \(dy.shape) does not match the conv output")
        if let factorised = kernels as? FactorisedSampleKernels, factorisedGateBackwardApplies(g, factorised) {
            return factorisedGateBackward(x, kernels: factorised, g, dy: dy)
        }
        let ohw = g.planeOut, rows = g.colRows, per = g.o * rows
        let parts = partsFor(work: g.n * g.o * ohw * rows, units: g.n, threads: threads)
        // (bf16: GEMMs only, which round W_n and x themselves)
        let winograd = sampleKernelWinogradApplies(g)
        let direct = !winograd && Self.useDirectConv3x3 && DirectConv3x3.applies(g) && g.w >= 16
            && Self.precision == .fp32
        let avx512 = Self.usesAVX512
        kernels.beginBackward(shares: parts)
        // Every path writes each image's dx whole (col2im after `col2imIntoFresh` zeroes the image), so dx
        // starts uninitialised.
        var dx = scratchArray(x.count)
        x.data.withUnsafeBufferPointer { xb in
        dy.data.withUnsafeBufferPointer { db in
        dx.withUnsafeMutableBufferPointer { dxb in
            let xp = xb.baseAddress!, dyp = db.baseAddress!, dxp = dxb.baseAddress!
            parallelParts(parts) { part in
                var w = scratchArray(per), dw = scratchArray(per)
                var col = scratchArray(g.isPointwise || winograd ? 0 : rows * ohw)
                var dcol = scratchArray(g.isPointwise || direct || winograd ? 0 : rows * ohw)
                let workspace = winograd ? SampleKernelWinograd(c: g.c, o: g.o, h: g.h, w: g.w, avx512: avx512) : nil
                var padded = [Float](repeating: 0, count: direct ? g.o * (g.h + 2) * (g.w + 2) : 0)
                w.withUnsafeMutableBufferPointer { wb in
                dw.withUnsafeMutableBufferPointer { dwb in
                col.withUnsafeMutableBufferPointer { cb in
                dcol.withUnsafeMutableBufferPointer { dcb in
                    let wp = wb.baseAddress!, dwp = dwb.baseAddress!
                    for img in partRange(part, of: parts, count: g.n) {
                        let xImg = xp + img &* g.c &* g.planeIn, dxImg = dxp + img &* g.c &* g.planeIn
                        let dyImg = dyp + img &* g.o &* ohw
                        // dW_n first: its pass over the gates also writes W_n, which dx needs.
                        if let workspace {
                            workspace.kernelGradient(image: xImg, dy: dyImg, into: dwp)
                            kernels.weightGradient(sample: img, share: part, UnsafePointer(dwp), writingKernelInto: wp)
                            workspace.inputGradient(dy: dyImg, kernel: wp, into: dxImg)
                            continue
                        }
                        let colP = columns(g, xImg, cb.baseAddress)
                        sgemm(transB: true, m: g.o, n: rows, k: ohw, a: dyImg, lda: ohw, b: colP, ldb: ohw,
                              beta: 0, c: dwp, ldc: rows)
                        kernels.weightGradient(sample: img, share: part, UnsafePointer(dwp), writingKernelInto: wp)
                        if direct {
                            padded.withUnsafeMutableBufferPointer { pb in
                                DirectConv3x3.pad(dyImg, c: g.o, h: g.h, w: g.w, into: pb.baseAddress!)
                                DirectConv3x3.image(padded: pb.baseAddress!, h: g.h, w: g.w,
                                                    weights: .inputGradient(wp, o: g.o, c: g.c), y: dxImg)
                            }
                        } else if g.isPointwise {
                            sgemm(transA: true, m: rows, n: ohw, k: g.o, a: wp, lda: rows, b: dyImg, ldb: ohw,
                                  beta: 0, c: dxImg, ldc: ohw)
                        } else {
                            sgemm(transA: true, m: rows, n: ohw, k: g.o, a: wp, lda: rows, b: dyImg, ldb: ohw,
                                  beta: 0, c: dcb.baseAddress!, ldc: ohw)
                            g.col2imIntoFresh(UnsafePointer(dcb.baseAddress!), dxImg)
                        }
                    }
                }
                }
                }
                }
            }
        }
        }
        }
        return Tensor(shape: x.shape, data: dx)
    }

    /// Whether a per-image-kernel convolution runs Winograd (`SampleKernelWinograd`): a conv
    /// `Winograd4x4.applies` to, in fp32, with at least `sampleKernelWinogradMinimumTiles` tiles an
    /// image.
    func sampleKernelWinogradApplies(_ g: ConvGeometry) -> Bool {
        Self.useWinograd3x3 && Winograd4x4.applies(g) && Self.precision == .fp32
            && ((g.h + 3) / 4) * ((g.w + 3) / 4) >= Self.sampleKernelWinogradMinimumTiles
    }

    /// The geometry of one image's convolution (groups = 1), checked against the kernels.
    private func sampleGeometry(_ x: Tensor, _ kernels: SampleKernels, _ config: ConvConfig) -> ConvGeometry {
        let s = kernels.kernelShape
        precondition(x.rank == 4 && s.count == 4 && x.shape[0] == kernels.count && x.shape[1] == s[1]
                     && config.groups == 1,
                     "per-image kernels \(s) × \(kernels.count) do not fit input \(x.shape) (groups \(config.groups))")
        return ConvGeometry(x: x.shape, weight: s, config)
    }

    /// The column matrix of one image: its planes themselves for a pointwise conv, else im2col
    /// into `scratch`.
    @inline(__always)
    private func columns(_ g: ConvGeometry, _ image: UnsafePointer<Float>,
                         _ scratch: UnsafeMutablePointer<Float>?) -> UnsafePointer<Float> {
        if g.isPointwise { return image }
        g.im2col(image, scratch!)
        return UnsafePointer(scratch!)
    }
}
