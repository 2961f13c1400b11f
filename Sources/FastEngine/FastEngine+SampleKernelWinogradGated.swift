// The per-image Winograd forward (`SampleKernelWinograd`) with the AW-convolution's factorised gates
// made inside the kernel transform: W_n is neither written by `write` nor gathered back lane by lane.
// N batch, C input / O output channels, T = 9 taps.

import TensorCore

extension FastEngine {
    /// Whether `sampleKernelConv2d` takes the gated Winograd forward: a map the per-image Winograd
    /// kernels take (`sampleKernelWinogradApplies`), every image's gates factorised, O a multiple of 4,
    /// C even (whole lanes for `WinogradKernels.transformGated`).
    func sampleKernelWinogradGatedApplies(_ g: ConvGeometry, _ kernels: FactorisedSampleKernels) -> Bool {
        Self.useGatedKernelTransform && sampleKernelWinogradApplies(g) && g.o % 4 == 0 && g.c % 2 == 0
            && kernels.isFactorised
    }

    /// y, the bits of `write` + `SampleKernelWinograd.forward` (the same U, the same products);
    /// images split over the threads as there; `epilogue(y, n)` after image n's output is written.
    func sampleKernelWinogradGated(_ x: Tensor, kernels: FactorisedSampleKernels, _ g: ConvGeometry,
                                   epilogue: ((UnsafeMutablePointer<Float>, Int) -> Void)?) -> Tensor {
        let t = 9, rows = g.colRows, perImage = (g.o &+ g.c) &* t, avx512 = Self.usesAVX512
        let parts = partsFor(work: g.n &* g.o &* g.planeOut &* rows, units: g.n, threads: threads)
        let y = makeArray(g.n &* g.o &* g.planeOut) { yp in
            kernels.withFactors { kernel, factors in
                transposedKernel(kernel, o: g.o, rows: rows).withUnsafeBufferPointer { kt in
                x.data.withUnsafeBufferPointer { xb in
                    let xp = xb.baseAddress!
                    parallelParts(parts) { part in
                        let workspace = SampleKernelWinograd(c: g.c, o: g.o, h: g.h, w: g.w, avx512: avx512)
                        var uT = scratchArray(t &* g.o)
                        uT.withUnsafeMutableBufferPointer { ub in
                            for img in partRange(part, of: parts, count: g.n) {
                                let u = factors + img &* perImage
                                Self.transposeFactors(u, o: g.o, taps: t, into: ub.baseAddress!)
                                workspace.forward(image: xp + img &* g.c &* g.planeIn, kernelT: kt.baseAddress!,
                                                  uT: UnsafePointer(ub.baseAddress!), v: u + g.o &* t,
                                                  into: yp + img &* g.o &* g.planeOut)
                                epilogue?(yp, img)
                            }
                        }
                    }
                }
                }
            }
        }
        return Tensor(shape: [g.n, g.o, g.oh, g.ow], data: y)
    }
}
