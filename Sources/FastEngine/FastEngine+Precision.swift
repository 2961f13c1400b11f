// bf16 mixed precision in the fast engine: every GEMM through `sgemmBF16`, and the product kernels
// that are not GEMMs (Winograd, direct 3×3, depthwise) on bf16-rounded copies of their inputs, so
// each convolution and linear product sees bf16 inputs and sums in fp32 whichever path it takes.

import TensorCore

extension FastEngine {
    /// The products' arithmetic for every engine in the process (set by `configurePrecision`).
    /// NOTE: process-wide like `useWinograd3x3`, for the same reason (a stored property on the
    /// struct crashed swift-frontend 6.3.1); a run has one engine, and tests set it back.
    nonisolated(unsafe) public private(set) static var precision: Precision = .fp32

    /// Sets `precision`. bf16 needs AVX512_BF16 (`cpuHasBF16`: this CPU's, or a stand-in for tests);
    /// elsewhere this throws before any work is done and leaves the precision as it was.
    public static func configurePrecision(_ p: Precision, cpuHasBF16: Bool = BFloat16.available) throws {
        if p == .bf16 && !cpuHasBF16 {
            throw PrecisionError("precision bf16 needs a CPU with AVX512_BF16 (vdpbf16ps: Intel Cooper Lake, "
                                 + "Sapphire Rapids or later, AMD Zen 4 or later); this one has none. "
                                 + "Use precision fp32 (the default).", cpuLacksInstruction: true)
        }
        precision = p
    }

    /// `t` in fp32 mode; `t` rounded to bf16 in bf16 mode: the inputs of the non-GEMM product kernels.
    static func productInput(_ t: Tensor) -> Tensor { precision == .bf16 ? BFloat16.rounded(t) : t }
}

/// A precision that cannot run: on this CPU (`cpuLacksInstruction`), or with this engine.
public struct PrecisionError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public let cpuLacksInstruction: Bool
    public init(_ description: String, cpuLacksInstruction: Bool = false) {
        self.description = description; self.cpuLacksInstruction = cpuLacksInstruction
    }
}
