// The AW-convolution's per-image kernels W_n = A_n ⊙ K, produced one image at a time for
// `Kernels.sampleKernelConv2d` (in cache, never all N at once), and their backward.
// N batch, O output channels, C input channels, T = k·k taps.

import TensorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `KernelAttention`'s modulation with the gate factorised:
///
///     A[n,o,c,t] = 2·σ(a[n,o,t] + b[n,c,t]) = 2 / (1 + e^(−a[n,o,t]) · e^(−b[n,c,t]))
///
/// so an image costs (O + C)·T exponentials (computed once, at construction, eight lanes at a
/// time by `VectorExponential`) instead of O·C·T; each element is then a multiply, an add and a
/// divide, eight lanes at a time.
/// Backward (per image, from ∂L/∂W_n): dK = Σ_n dW_n ⊙ A_n, and with g = dW_n ⊙ K ⊙ A_n·(1 − A_n/2),
/// dz_a[n,o,t] = Σ_c g, dz_b[n,c,t] = Σ_o g.
///
/// Range: the factorised form is exact algebra; in Float it is used for an image whose logits
/// all satisfy |z| ≤ 40 (then e^(−a)·e^(−b) ∈ [e^(−80), e^(80)], all normal floats). An image
/// with a larger logit takes `KernelAttention.gate` per element (no overflow, same values
/// within rounding). Verified against `KernelAttention` in `AWKernelModulationTests`.
public final class AWKernelModulation: FactorisedSampleKernels {
    public let count: Int
    public let kernelShape: [Int]
    /// Largest |logit| for which an image takes the factorised gate.
    public static let factorisedLogitLimit: Float = 40

    private let o: Int, c: Int, t: Int
    private let kernel: [Float]
    private let logits: [Float]
    /// e^(−z) [N, O+C, T].
    private let negExp: [Float]
    /// Per image: some |z| > `factorisedLogitLimit`, so the gate is taken per element.
    private let exact: [Bool]
    private var dKernelShares: UnsafeMutableBufferPointer<Float>?
    private var dLogitsBuffer: UnsafeMutableBufferPointer<Float>?
    private var shares = 0
    /// The shares hold ∂L/∂K tap-major [O, T, C] (`beginFactorisedBackward`), else [O, C, T].
    private var sharesTapMajor = false

    /// `logits` z [N, O+C, k, k] from the generator, `kernel` K [O, C, k, k].
    /// `engine`, when given, splits the images' exponentials over its threads (each value computed
    /// alone: the same bits with or without it).
    public init(logits z: Tensor, kernel: Tensor, engine: (any Kernels)? = nil) {
        let o = kernel.shape[0], c = kernel.shape[1]
        precondition(kernel.rank == 4 && z.rank == 4 && z.shape[1] == o + c
                     && z.shape[2] * z.shape[3] == kernel.shape[2] * kernel.shape[3],
                     "gate logits must be [N, O+C, k, k] = [N, \(o + c), k, k] for kernel \(kernel.shape), got \(z.shape)")
        let t = kernel.shape[2] * kernel.shape[3], n = z.shape[0]
        self.o = o; self.c = c; self.t = t
        count = n
        kernelShape = kernel.shape
        self.kernel = kernel.data
        logits = z.data
        let per = (o + c) * t, limit = Self.factorisedLogitLimit
        var exact = [Bool](repeating: false, count: n)
        negExp = [Float](unsafeUninitializedCapacity: z.count) { out, initialized in
            let op = out.baseAddress!
            z.data.withUnsafeBufferPointer { zb in
            exact.withUnsafeMutableBufferPointer { exactBuffer in
                let eb = exactBuffer.baseAddress!
                let images: (Range<Int>) -> Void = { range in
                    for image in range {
                        var large = false
                        var i = image &* per
                        let end = i &+ per
                        while i < end {
                            // Eight logits (the last group padded with zeros), e^(−z) of each stored;
                            // a NaN logit fails the comparison, so its image takes the exact gate.
                            let lanes = min(8, end &- i)
                            var zv = SIMD8<Float>()
                            if lanes == 8 {
                                zv = UnsafeRawPointer(zb.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                            } else {
                                for l in 0..<lanes { zv[l] = zb[i &+ l] }
                            }
                            let e = VectorExponential.exp(-zv)
                            if lanes == 8 {
                                UnsafeMutableRawPointer(op + i).storeBytes(of: e, as: SIMD8<Float>.self)
                            } else {
                                for l in 0..<lanes { op[i &+ l] = e[l] }
                            }
                            // NOTE: scalar compares: Swift's SIMD masks went through the stack lane by lane.
                            for l in i..<(i &+ lanes) where !(abs(zb[l]) <= limit) { large = true }
                            i &+= lanes
                        }
                        eb[image] = large
                    }
                }
                forEachRange(n, work: z.count &* 16, on: engine, images)
            }
            }
            initialized = z.count
        }
        self.exact = exact
    }

    deinit {
        dKernelShares?.deallocate()
        dLogitsBuffer?.deallocate()
    }

    /// The gate of one element: factorised, or per element for an `exact` image.
    @inline(__always)
    private func gate(_ n: Int, _ oo: Int, _ cc: Int, _ q: Int) -> Float {
        let za = (n &* (o &+ c) &+ oo) &* t &+ q, zb = (n &* (o &+ c) &+ o &+ cc) &* t &+ q
        if exact[n] { return 2 / (1 + exp(-(logits[za] + logits[zb]))) }
        return 2 / (1 + negExp[za] * negExp[zb])
    }

    // MARK: forward

    public func write(sample n: Int, into w: UnsafeMutablePointer<Float>) {
        let row = c &* t
        if exact[n] {
            for oo in 0..<o { for j in 0..<row { w[oo &* row &+ j] = gate(n, oo, j / t, j % t) * kernel[oo &* row &+ j] } }
            return
        }
        let lanes = 8, period = lanes &* t, vectorEnd = row - row % lanes
        var pattern = [Float](repeating: 0, count: period)
        negExp.withUnsafeBufferPointer { eb in
            kernel.withUnsafeBufferPointer { kb in
                let e = eb.baseAddress! + n &* (o &+ c) &* t, eIn = e + o &* t
                let rawIn = UnsafeRawPointer(eIn), rawK = UnsafeRawPointer(kb.baseAddress!)
                let rawW = UnsafeMutableRawPointer(w)
                let two = SIMD8<Float>(repeating: 2), one = SIMD8<Float>(repeating: 1)
                for oo in 0..<o {
                    // pattern[j] = e^(−a[n,oo, j mod T]) over one period of 8 lanes × T taps.
                    for j in 0..<period { pattern[j] = e[oo &* t &+ j % t] }
                    pattern.withUnsafeBytes { pb in
                        var j = 0, p = 0
                        let base = oo &* row
                        while j < vectorEnd {
                            let ea = pb.loadUnaligned(fromByteOffset: p &* 4, as: SIMD8<Float>.self)
                            let eb = rawIn.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
                            let k = rawK.loadUnaligned(fromByteOffset: (base &+ j) &* 4, as: SIMD8<Float>.self)
                            rawW.storeBytes(of: k * (two / (one + ea * eb)), toByteOffset: (base &+ j) &* 4,
                                            as: SIMD8<Float>.self)
                            j &+= lanes; p &+= lanes
                            if p == period { p = 0 }
                        }
                    }
                    for j in vectorEnd..<row { w[oo &* row &+ j] = gate(n, oo, j / t, j % t) * kernel[oo &* row &+ j] }
                }
            }
        }
    }

    // MARK: backward

    public func beginBackward(shares: Int) {
        precondition(shares >= 1, "at least one share")
        dKernelShares?.deallocate()
        dLogitsBuffer?.deallocate()
        let per = o * c * t
        dKernelShares = .allocate(capacity: shares * per)
        dKernelShares!.initialize(repeating: 0)
        dLogitsBuffer = .allocate(capacity: logits.count)
        dLogitsBuffer!.initialize(repeating: 0)
        self.shares = shares
        sharesTapMajor = false
    }

    // MARK: the factorised form, for engines that fuse the gates

    public var isFactorised: Bool { !exact.contains(true) }

    public func withFactors<R>(_ body: (_ kernel: UnsafePointer<Float>, _ factors: UnsafePointer<Float>) -> R) -> R {
        kernel.withUnsafeBufferPointer { k in negExp.withUnsafeBufferPointer { eb in body(k.baseAddress!, eb.baseAddress!) } }
    }

    public func beginFactorisedBackward(shares: Int) -> (dKernelShares: UnsafeMutablePointer<Float>,
                                                         dLogits: UnsafeMutablePointer<Float>) {
        precondition(isFactorised, "an image's gates do not factorise: use beginBackward and weightGradient")
        beginBackward(shares: shares)
        sharesTapMajor = true
        return (dKernelShares!.baseAddress!, dLogitsBuffer!.baseAddress!)
    }

    public func weightGradient(sample n: Int, share: Int, _ dW: UnsafePointer<Float>) {
        weightGradient(sample: n, share: share, dW, kernelOut: nil)
    }

    /// The backward's pass also writes W_n = K ⊙ A_n (the same products as `write`, the same bits),
    /// so an engine that needs W_n after the gradient (dx = W_nᵀ dy) skips a second pass of gates.
    public func weightGradient(sample n: Int, share: Int, _ dW: UnsafePointer<Float>,
                               writingKernelInto w: UnsafeMutablePointer<Float>) {
        weightGradient(sample: n, share: share, dW, kernelOut: w)
    }

    private func weightGradient(sample n: Int, share: Int, _ dW: UnsafePointer<Float>,
                                kernelOut w: UnsafeMutablePointer<Float>?) {
        precondition(share >= 0 && share < shares, "share \(share) outside 0..<\(shares): call beginBackward first")
        precondition(!sharesTapMajor, "this backward began with beginFactorisedBackward: the engine writes the gradients")
        let row = c &* t
        let dk = dKernelShares!.baseAddress! + share &* o &* row
        let dz = dLogitsBuffer!.baseAddress! + n &* (o &+ c) &* t, dzIn = dz + o &* t
        let vectorEnd = exact[n] ? 0 : row - row % 8
        let period = 8 &* t
        var pattern = [Float](repeating: 0, count: period)
        var rowSums = [SIMD8<Float>](repeating: .zero, count: t)
        negExp.withUnsafeBufferPointer { eb in
            kernel.withUnsafeBufferPointer { kb in
                let e = eb.baseAddress! + n &* (o &+ c) &* t
                let rawIn = UnsafeRawPointer(e + o &* t), rawK = UnsafeRawPointer(kb.baseAddress!)
                let rawG = UnsafeRawPointer(dW), rawDK = UnsafeMutableRawPointer(dk)
                let rawDzIn = UnsafeMutableRawPointer(dzIn), rawW = w.map { UnsafeMutableRawPointer($0) }
                let two = SIMD8<Float>(repeating: 2), one = SIMD8<Float>(repeating: 1), half = SIMD8<Float>(repeating: 0.5)
                for oo in 0..<o {
                    let b0 = oo &* row
                    if vectorEnd > 0 {
                        for j in 0..<period { pattern[j] = e[oo &* t &+ j % t] }
                        for i in 0..<t { rowSums[i] = .zero }
                        pattern.withUnsafeBytes { pb in
                            rowSums.withUnsafeMutableBufferPointer { sums in
                                var j = 0, p = 0
                                while j < vectorEnd {
                                    let off = (b0 &+ j) &* 4
                                    let ea = pb.loadUnaligned(fromByteOffset: p &* 4, as: SIMD8<Float>.self)
                                    let eIn = rawIn.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
                                    let a = two / (one + ea * eIn)
                                    let g = rawG.loadUnaligned(fromByteOffset: off, as: SIMD8<Float>.self)
                                    let k = rawK.loadUnaligned(fromByteOffset: off, as: SIMD8<Float>.self)
                                    rawW?.storeBytes(of: k * a, toByteOffset: off, as: SIMD8<Float>.self)
                                    let acc = rawDK.loadUnaligned(fromByteOffset: off, as: SIMD8<Float>.self)
                                    rawDK.storeBytes(of: acc + g * a, toByteOffset: off, as: SIMD8<Float>.self)
                                    let d = g * k * a * (one - half * a)
                                    let zin = rawDzIn.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
                                    rawDzIn.storeBytes(of: zin + d, toByteOffset: j &* 4, as: SIMD8<Float>.self)
                                    sums[p / 8] += d
                                    j &+= 8; p &+= 8
                                    if p == period { p = 0 }
                                }
                            }
                        }
                        // rowSums[i] lane l holds position 8i + l of the period, tap (8i + l) mod T.
                        for i in 0..<t { for l in 0..<8 { dz[oo &* t &+ (8 &* i &+ l) % t] += rowSums[i][l] } }
                    }
                    for j in vectorEnd..<row {
                        let a = gate(n, oo, j / t, j % t)
                        w?[b0 &+ j] = a * kernel[b0 &+ j]
                        let g = dW[b0 &+ j]
                        dk[b0 &+ j] += g * a
                        let d = g * kernel[b0 &+ j] * a * (1 - 0.5 * a)
                        dz[oo &* t &+ j % t] += d
                        dzIn[j] += d
                    }
                }
            }
        }
    }

    /// dK = Σ over shares (in share order, in Double) of the shares' Σ_n dW_n ⊙ A_n.
    public func dKernel() -> Tensor {
        guard let parts = dKernelShares else { preconditionFailure("no backward has run") }
        let per = o * c * t
        var sum = [Double](repeating: 0, count: per)
        for s in 0..<shares { for i in 0..<per { sum[i] += Double(parts[s * per + i]) } }
        if sharesTapMajor {
            var natural = [Float](repeating: 0, count: per)
            for oo in 0..<o { for q in 0..<t { for cc in 0..<c { natural[(oo * c + cc) * t + q] = Float(sum[(oo * t + q) * c + cc]) } } }
            return Tensor(shape: kernelShape, data: natural)
        }
        return Tensor(shape: kernelShape, data: sum.map { Float($0) })
    }

    /// ∂L/∂z [N, O+C, k, k].
    public func dLogits(shape: [Int]) -> Tensor {
        guard let dz = dLogitsBuffer else { preconditionFailure("no backward has run") }
        return Tensor(shape: shape, data: Array(dz))
    }
}
