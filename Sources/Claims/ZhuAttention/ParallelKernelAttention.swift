// The fast twin of `KernelAttention`: the same per-element arithmetic, split over
// samples on a fixed number of threads, through raw pointers, with the attention
// kept from the forward so the backward does no second pass of exponentials.
// N batch, O output channels, C input channels, T = k·k taps.

import TensorCore
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `KernelAttention.modulatedKernels` and its backward, parallel over samples.
///
/// Every element is computed by the same expression as the naive version, in the
/// same order within a sample, so the kernels, the attention and dLogits are
/// bit-identical to `KernelAttention`'s. Only dK = Σ_n dW_n ⊙ A_n is summed per
/// thread share (in Double) and then across shares in share order: bit-identical
/// to the naive sum with one thread, reproducible for a fixed thread count.
/// Verified against `KernelAttention` in `AWConvKernelAttentionTests`.
public enum ParallelKernelAttention {
    /// The per-sample kernels W [N·O, C, k, k] and, when `keepAttention`, A [N,O,C,k,k] flat.
    public static func modulatedKernels(logits z: Tensor, kernel: Tensor, threads: Int,
                                        keepAttention: Bool) -> (kernels: Tensor, attention: [Float]?) {
        let o = kernel.shape[0], c = kernel.shape[1]
        let (n, t) = geometry(z, kernel)
        let per = o * c * t
        var w = [Float](repeating: 0, count: n * per)
        var a = keepAttention ? [Float](repeating: 0, count: n * per) : []
        z.data.withUnsafeBufferPointer { zb in
            kernel.data.withUnsafeBufferPointer { kb in
                w.withUnsafeMutableBufferPointer { wb in
                    a.withUnsafeMutableBufferPointer { ab in
                        let zp = zb.baseAddress!, kp = kb.baseAddress!, wp = wb.baseAddress!
                        let ap = keepAttention ? ab.baseAddress : nil
                        forEachShare(of: n, threads: threads, work: n * per) { samples in
                            for s in samples {
                                let za = zp + s &* (o &+ c) &* t, zc = za + o &* t
                                let ws = wp + s &* per, as_ = ap.map { $0 + s &* per }
                                for oo in 0..<o {
                                    let zo = za + oo &* t
                                    for cc in 0..<c {
                                        let zi = zc + cc &* t, base = (oo &* c &+ cc) &* t
                                        for q in 0..<t {
                                            let g = KernelAttention.gate(zo[q] + zi[q])
                                            ws[base &+ q] = g * kp[base &+ q]
                                            as_?[base &+ q] = g
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (Tensor(shape: [n * o, c, kernel.shape[2], kernel.shape[3]], data: w), keepAttention ? a : nil)
    }

    /// Backward of `modulatedKernels` (see `KernelAttention.modulatedKernelsBackward`);
    /// `attention` is the A kept by the forward, or nil to recompute it from `z`.
    public static func modulatedKernelsBackward(logits z: Tensor, kernel: Tensor, attention: [Float]?,
                                                dWeights: Tensor, threads: Int)
        -> (dKernel: Tensor, dLogits: Tensor) {
        let o = kernel.shape[0], c = kernel.shape[1]
        let (n, t) = geometry(z, kernel)
        let per = o * c * t
        precondition(dWeights.shape == [n * o, c, kernel.shape[2], kernel.shape[3]],
                     "dWeights \(dWeights.shape) vs kernel \(kernel.shape) at batch \(n)")
        precondition(attention == nil || attention!.count == n * per, "attention has the wrong size")
        let parts = shares(n, threads: threads, work: n * per)
        var dkParts = [[Double]](repeating: [Double](repeating: 0, count: per), count: parts)
        var dz = [Float](repeating: 0, count: z.count)
        let kept = attention ?? []
        z.data.withUnsafeBufferPointer { zb in
            kernel.data.withUnsafeBufferPointer { kb in
                dWeights.data.withUnsafeBufferPointer { gb in
                    kept.withUnsafeBufferPointer { ab in
                        dz.withUnsafeMutableBufferPointer { dzb in
                            let zp = zb.baseAddress!, kp = kb.baseAddress!, gp = gb.baseAddress!
                            let dzp = dzb.baseAddress!, ap = attention == nil ? nil : ab.baseAddress
                            dkParts.withUnsafeMutableBufferPointer { partsBuffer in
                                let partsBase = partsBuffer.baseAddress!
                                run(parts) { part in
                                    partsBase[part].withUnsafeMutableBufferPointer { dkb in
                                        let dk = dkb.baseAddress!
                                        for s in range(part, of: parts, count: n) {
                                            let za = zp + s &* (o &+ c) &* t, zc = za + o &* t
                                            let da = dzp + s &* (o &+ c) &* t, dc = da + o &* t
                                            let gs = gp + s &* per, as_ = ap.map { $0 + s &* per }
                                            for oo in 0..<o {
                                                let zo = za + oo &* t, dao = da + oo &* t
                                                for cc in 0..<c {
                                                    let zi = zc + cc &* t, dci = dc + cc &* t
                                                    let base = (oo &* c &+ cc) &* t
                                                    for q in 0..<t {
                                                        let a = as_?[base &+ q]
                                                            ?? KernelAttention.gate(zo[q] + zi[q])
                                                        let dw = gs[base &+ q]
                                                        dk[base &+ q] += Double(dw * a)
                                                        let g = dw * kp[base &+ q] * a * (1 - 0.5 * a)
                                                        dao[q] += g
                                                        dci[q] += g
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
            }
        }
        var dk = dkParts[0]
        for part in 1..<parts { for i in 0..<per { dk[i] += dkParts[part][i] } }
        return (Tensor(shape: kernel.shape, data: dk.map { Float($0) }), Tensor(shape: z.shape, data: dz))
    }

    // MARK: work splitting (fixed by sample count and thread count, never by scheduling)

    private static func geometry(_ z: Tensor, _ kernel: Tensor) -> (n: Int, taps: Int) {
        let o = kernel.shape[0], c = kernel.shape[1]
        precondition(kernel.rank == 4 && z.rank == 4 && z.shape[1] == o + c
                     && z.shape[2] * z.shape[3] == kernel.shape[2] * kernel.shape[3],
                     "gate logits must be [N, O+C, k, k] = [N, \(o + c), k, k] for kernel \(kernel.shape), got \(z.shape)")
        return (z.shape[0], z.shape[2] * z.shape[3])
    }

    /// Shares to split `n` samples into: one when the work is too small for a thread hand-off.
    private static func shares(_ n: Int, threads: Int, work: Int) -> Int {
        threads <= 1 || work < (1 << 15) ? 1 : max(1, min(threads, n))
    }

    private static func range(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        (count * part / parts) ..< (count * (part + 1) / parts)
    }

    private static func run(_ parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: body) }
    }

    private static func forEachShare(of n: Int, threads: Int, work: Int, _ body: (Range<Int>) -> Void) {
        let parts = shares(n, threads: threads, work: work)
        run(parts) { part in body(range(part, of: parts, count: n)) }
    }
}
