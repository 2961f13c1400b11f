// The kernel-shaped attention of the AW-convolution: gate logits → A [N,O,C,k,k],
// the per-sample re-weighted kernels W_n = A_n ⊗ K, and their backward.
// N batch, O output channels, C input channels, k kernel size, T = k·k taps.

import TensorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The attention tensor of the AW-convolution and the kernel modulation it drives.
///
/// The generator emits, per sample and per kernel tap t = (i, j), one logit per
/// output channel, `a[n,o,t]`, and one per input channel, `b[n,c,t]` (stacked as
/// `z [N, O+C, k, k]`, the first O channels being `a`). The attention is
///
///     A[n,o,c,t] = 2·σ(a[n,o,t] + b[n,c,t])          ∈ (0, 2)
///
/// so `z = 0` gives `A = 1` exactly (the AW-convolution is then a plain convolution),
/// and `∂A/∂logit = A·(1 − A/2)` is ½ there (no saddle at the zero initialisation).
/// A has the kernel's shape `O × C × k × k` per sample and, because the sigmoid of a
/// sum is not a product of a function of `o` and one of `c`, it is not split into
/// a channel map and a spatial map.
/// - Paper: Zhu et al. 2021, AW-convolution: `Conv(I ⊗ A, K) = Conv(I, A ⊗ K)`,
///   A of the kernel's shape, generated per sample from the input.
/// - Deviation: the paper's generator output (how the pooled map reaches C2×C1×h×w, the
///   final activation) is not documented where we could read it; the additive-logit,
///   2σ-gated factorisation is our choice (paper/zhu-awconv.md).
public enum KernelAttention {
    /// A [N,O,C,k,k] from the gate logits z [N, O+C, k, k].
    public static func attention(logits z: Tensor, outChannels: Int, inChannels: Int) -> Tensor {
        let (n, t) = checkLogits(z, outChannels: outChannels, inChannels: inChannels)
        let o = outChannels, c = inChannels
        var out = [Float](repeating: 0, count: n * o * c * t)
        z.data.withUnsafeBufferPointer { zp in
            out.withUnsafeMutableBufferPointer { ap in
                for s in 0..<n {
                    let zs = s * (o + c) * t
                    for oo in 0..<o {
                        for cc in 0..<c {
                            let base = ((s * o + oo) * c + cc) * t
                            for q in 0..<t {
                                ap[base + q] = gate(zp[zs + oo * t + q] + zp[zs + (o + cc) * t + q])
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [n, o, c, z.shape[2], z.shape[3]], data: out)
    }

    /// The per-sample kernels W[n·O + o, c, i, j] = A[n,o,c,i,j] · K[o,c,i,j], stacked
    /// as the weight of a convolution with `groups = N` ([N·O, C, k, k]).
    public static func modulatedKernels(logits z: Tensor, kernel: Tensor) -> Tensor {
        let o = kernel.shape[0], c = kernel.shape[1]
        let (n, t) = checkLogits(z, outChannels: o, inChannels: c)
        precondition(kernel.shape[2] * kernel.shape[3] == t, "kernel \(kernel.shape) vs logits \(z.shape)")
        let per = o * c * t
        var out = [Float](repeating: 0, count: n * per)
        z.data.withUnsafeBufferPointer { zp in
            kernel.data.withUnsafeBufferPointer { kp in
                out.withUnsafeMutableBufferPointer { wp in
                    for s in 0..<n {
                        let zs = s * (o + c) * t
                        for oo in 0..<o {
                            for cc in 0..<c {
                                let kb = (oo * c + cc) * t
                                for q in 0..<t {
                                    let a = gate(zp[zs + oo * t + q] + zp[zs + (o + cc) * t + q])
                                    wp[s * per + kb + q] = a * kp[kb + q]
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [n * o, c, kernel.shape[2], kernel.shape[3]], data: out)
    }

    /// Backward of `modulatedKernels`: given dW [N·O, C, k, k], returns
    /// dK = Σ_n dW_n ⊙ A_n and dz with dz_a[n,o,t] = Σ_c g, dz_b[n,c,t] = Σ_o g,
    /// g = dW_n ⊙ K ⊙ A_n·(1 − A_n/2).
    ///
    /// NOTE: A is recomputed from `z` rather than kept from the forward: it is
    /// N·O·C·k² floats per layer (75 MB for a 128×128 3×3 conv at batch 128).
    public static func modulatedKernelsBackward(logits z: Tensor, kernel: Tensor,
                                                dWeights: Tensor) -> (dKernel: Tensor, dLogits: Tensor) {
        let o = kernel.shape[0], c = kernel.shape[1]
        let (n, t) = checkLogits(z, outChannels: o, inChannels: c)
        precondition(dWeights.shape == [n * o, c, kernel.shape[2], kernel.shape[3]],
                     "dWeights \(dWeights.shape) vs kernel \(kernel.shape) at batch \(n)")
        let per = o * c * t
        var dk = [Double](repeating: 0, count: per)
        var dz = [Float](repeating: 0, count: z.count)
        z.data.withUnsafeBufferPointer { zp in
            kernel.data.withUnsafeBufferPointer { kp in
                dWeights.data.withUnsafeBufferPointer { gp in
                    dz.withUnsafeMutableBufferPointer { dzp in
                        for s in 0..<n {
                            let zs = s * (o + c) * t
                            for oo in 0..<o {
                                for cc in 0..<c {
                                    let kb = (oo * c + cc) * t
                                    for q in 0..<t {
                                        let a = gate(zp[zs + oo * t + q] + zp[zs + (o + cc) * t + q])
                                        let dw = gp[s * per + kb + q]
                                        dk[kb + q] += Double(dw * a)
                                        let g = dw * kp[kb + q] * a * (1 - 0.5 * a)
                                        dzp[zs + oo * t + q] += g
                                        dzp[zs + (o + cc) * t + q] += g
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (Tensor(shape: kernel.shape, data: dk.map { Float($0) }), Tensor(shape: z.shape, data: dz))
    }

    /// 2·σ(u) = 2 / (1 + e^(−u)); exactly 1 at u = 0, 0 (not NaN) as u → −∞.
    @inline(__always) static func gate(_ u: Float) -> Float { 2 / (1 + exp(-u)) }

    private static func checkLogits(_ z: Tensor, outChannels o: Int, inChannels c: Int) -> (n: Int, taps: Int) {
        precondition(z.rank == 4 && z.shape[1] == o + c,
                     "gate logits must be [N, O+C, k, k] = [N, \(o + c), k, k], got \(z.shape)")
        return (z.shape[0], z.shape[2] * z.shape[3])
    }
}
