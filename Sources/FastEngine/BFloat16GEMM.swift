// bf16 GEMM for CPUs with AVX512_BF16: inputs rounded to bfloat16, products exact, sums in fp32
// (the arithmetic of PyTorch's CPU autocast through oneDNN), on AMX tiles where the CPU has them.
// The building block of the opt-in bf16 precision (issue 17 item 4); fp32 `sgemm` stays the
// default and the reference.

import Foundation

import BF16GEMM
import TensorCore

/// bfloat16: fp32's sign and 8-bit exponent with 7 stored mantissa bits (relative spacing 2⁻⁷).
public enum BFloat16 {
    /// Whether this CPU and OS run the bf16 kernels (AVX512F, AVX512BW, AVX512_BF16, ZMM state).
    public static let available: Bool = atkd_cpu_has_avx512_bf16() != 0

    /// Whether this CPU and OS also run AMX-BF16 tiles (Sapphire Rapids and later; on Linux the
    /// process asks for the tile state once, here).
    public static let amxAvailable: Bool = atkd_cpu_has_amx_bf16() != 0

    /// The instruction a bf16 GEMM multiplies with. Both take the same bf16 inputs and sum in fp32;
    /// their sums run in different orders, so their last bits differ.
    public enum Kernel: String, CaseIterable, Sendable {
        /// vdpbf16ps on zmm registers (`atkd_sgemm_bf16`): 16 lanes × 2 products an instruction.
        case avx512 = "avx512-bf16"
        /// tdpbf16ps on AMX tiles (`atkd_sgemm_bf16_amx`): 16 × 16 × 32 products an instruction.
        case amx
        /// Whether this CPU runs it.
        public var runs: Bool { self == .amx ? BFloat16.amxAvailable : BFloat16.available }
    }

    /// The kernel `sgemmBF16` uses: AMX where it runs, else vdpbf16ps; `ATKD_BF16_KERNEL=avx512-bf16`
    /// (or `amx`) picks one for comparisons, and a kernel this CPU cannot run falls back to the other.
    public static let kernel: Kernel = {
        if let name = ProcessInfo.processInfo.environment["ATKD_BF16_KERNEL"], let k = Kernel(rawValue: name), k.runs { return k }
        return amxAvailable ? .amx : .avx512
    }()

    /// x rounded to the nearest bfloat16 (ties to even; subnormals to ±0, as the hardware), as Float.
    @inlinable public static func rounded(_ x: Float) -> Float {
        Float(bitPattern: UInt32(atkd_bf16_from_float(x)) << 16)
    }

    /// Every element of `t` rounded to bf16 (vectorised where the CPU has AVX512_BF16), in one pass
    /// from `t` into the new tensor (a copy rounded in place read and wrote the data twice).
    public static func rounded(_ t: Tensor) -> Tensor {
        let count = t.count
        let data = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            t.data.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress, let d = out.baseAddress else { return }
                if available { atkd_round_to_bf16(s, d, count) } else { for i in 0..<count { d[i] = rounded(s[i]) } }
            }
            initialized = count
        }
        return Tensor(shape: t.shape, data: data)
    }
}

/// C[M,N] = α · bf16(op(A))[M,K] · bf16(op(B))[K,N] + β · C, row-major, the arguments of `sgemm`.
/// Single-threaded. Only where `BFloat16.available` (a precondition: callers check and say so).
/// `kernel` picks the instruction (default `BFloat16.kernel`; it must run on this CPU).
public func sgemmBF16(kernel: BFloat16.Kernel = BFloat16.kernel, transA: Bool = false, transB: Bool = false,
                      m: Int, n: Int, k: Int,
                      alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    precondition(BFloat16.available, "sgemmBF16: this CPU has no AVX512_BF16")
    precondition(lda >= (transA ? m : k) && ldb >= (transB ? k : n) && ldc >= n, "sgemmBF16: leading dimension too small")
    precondition(kernel.runs, "sgemmBF16: this CPU cannot run the \(kernel.rawValue) kernel")
    switch kernel {
    case .avx512:
        atkd_sgemm_bf16(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
                        a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    case .amx:
        atkd_sgemm_bf16_amx(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
                            a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// op(A) [M, K] packed once as AMX tiles (bf16) for many products with the same A — the weights of
/// a convolution's per-image GEMMs. `multiply` is `sgemmBF16(kernel: .amx)` with α = 1 and this A:
/// the same products and sums, so the same bits, without packing A again for every image.
public final class BF16PackedMatrix: @unchecked Sendable {
    public let m: Int, k: Int
    private let tiles: TileWords

    /// Only where `BFloat16.amxAvailable` (a precondition).
    public init(transA: Bool = false, m: Int, k: Int, a: UnsafePointer<Float>, lda: Int) {
        precondition(BFloat16.amxAvailable, "BF16PackedMatrix: this CPU has no AMX-BF16")
        precondition(m > 0 && k > 0 && lda >= (transA ? m : k), "BF16PackedMatrix: bad shape \(m) × \(k), lda \(lda)")
        self.m = m; self.k = k
        tiles = TileWords(count: atkd_bf16_amx_packed_a_words(Int32(m), Int32(k)))
        atkd_bf16_amx_pack_a(transA ? 1 : 0, Int32(m), Int32(k), a, Int32(lda), tiles.words)
    }

    /// C[M, N] = A · bf16(op(B))[K, N] + β·C (transB: B stored [N, K]). Single-threaded; threads may share A.
    public func multiply(transB: Bool = false, n: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
                         c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(ldb >= (transB ? k : n) && ldc >= n, "BF16PackedMatrix.multiply: leading dimension too small")
        atkd_sgemm_bf16_amx_packed(Int32(m), Int32(n), Int32(k), tiles.words, transB ? 1 : 0, b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// Packed AMX operand words on a 64-byte boundary, so each 64-byte tile row is one cache line.
/// NOTE: `UnsafeMutablePointer<UInt32>.allocate` (and an [UInt32]'s storage) is only 16-byte
/// aligned; tile rows then straddled two lines and the bf16 3 × 3 kernel's products ran 1.8×
/// slower (64 → 64 channels, 16 × 16: 20.5 → 11.5 µs an image, weights 16 bytes off vs aligned).
final class TileWords: @unchecked Sendable {
    let words: UnsafeMutablePointer<UInt32>
    private let raw: UnsafeMutableRawPointer

    init(count: Int) {
        raw = .allocate(byteCount: max(1, count) * MemoryLayout<UInt32>.stride, alignment: 64)
        words = raw.bindMemory(to: UInt32.self, capacity: max(1, count))
    }

    deinit { raw.deallocate() }
}
