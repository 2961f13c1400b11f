// FastEngine: the `Kernels` contract with BLAS and vectorised loops,
// verified against ReferenceEngine; ops not optimised here forward to it.

import TensorCore
import ReferenceEngine
import CBLAS
import WinogradAVX512
#if canImport(Glibc)
import Glibc
#endif

/// BLAS / SIMD kernels with the reference semantics (PyTorch).
///
/// Work is split over `threads` threads in a fixed way (images, planes or
/// channels), reductions are summed in that fixed order, and OpenBLAS runs
/// one thread inside those regions: results are bit-for-bit reproducible for
/// a given thread count (and may differ in the last bits across counts).
public struct FastEngine: Kernels {
    /// Threads the kernels split work over (≥ 1).
    public var threads: Int
    let reference = ReferenceEngine()

    public init(threads: Int = FastEngine.defaultThreads) {
        precondition(threads >= 1, "FastEngine needs at least one thread")
        self.threads = threads
    }

    /// `fast`, or `fast-bf16` in bf16 precision, `fast-bf16-amx` where its GEMMs run on AMX tiles
    /// (so run fingerprints and provenance tell them apart: their sums differ in the last bits).
    public var name: String {
        guard Self.precision == .bf16 else { return "fast" }
        return BFloat16.kernel == .amx ? "fast-bf16-amx" : "fast-bf16"
    }

    /// 3×3 stride-1 convolutions with W % 8 = 0 run the direct kernel (`DirectConv3x3`) instead
    /// of im2col + GEMM (forward and input gradient); false forces the GEMM path everywhere
    /// (tests check both paths against the reference).
    /// NOTE: a process-wide switch, not a stored property: adding a stored `Bool` to this struct
    /// crashed swift-frontend 6.3.1 (signal 11 in GlobalPropertyOpt) when building the tests.
    nonisolated(unsafe) public static var useDirectConv3x3 = true

    /// 3×3 stride-1 pad-1 convolutions with ≥ 4 channels in and out run Winograd F(4×4, 3×3)
    /// (`Winograd4x4`) for the forward and both gradients; false leaves them to the direct kernel
    /// or im2col + GEMM. Process-wide for the same reason as `useDirectConv3x3`.
    nonisolated(unsafe) public static var useWinograd3x3 = true

    /// The forward takes Winograd only with at least this many 4×4 output tiles in the call
    /// (N·⌈H/4⌉·⌈W/4⌉); fewer go to im2col + GEMM. Winograd pays a weight transform per call and
    /// runs 36 GEMMs of `tiles` columns each: at batch 1 on 8×8 maps (4 tiles) a wrn-16-2
    /// 128→128 conv took 3.9 ms against 0.6 ms through im2col + GEMM (seventh session, layer
    /// profile at batch 1). Training (batch 128) and evaluation (batch 256) always have ≥ 64.
    /// Tests of the Winograd kernels set 0.
    nonisolated(unsafe) public static var winogradMinimumTiles = 64

    /// Per-image-kernel convolutions (`sampleKernelConv2d`, the AW-convolution) take Winograd
    /// with at least this many 4×4 tiles an image: each image pays its own kernel transform
    /// (O·C kernels), which on few tiles costs about what the products save (4×4 maps: one
    /// tile). Tests of the per-image Winograd kernels set 1.
    nonisolated(unsafe) public static var sampleKernelWinogradMinimumTiles = 16

    /// Per-image-kernel convolutions with factorised gates (`FactorisedSampleKernels`, the
    /// AW-convolution) on maps of 16 or 64 output pixels run their backward fused
    /// (`FastEngine+FactorisedGateBackward.swift`, AVX-512, the unfused path's bits); false keeps
    /// the im2col + GEMM path with `weightGradient` (tests compare the two).
    nonisolated(unsafe) public static var useFactorisedGateBackward = true

    /// Their forward too where OpenBLAS's blocked sums are known (`FastEngine+FactorisedGateForward`);
    /// false keeps `write` + im2col + GEMM.
    nonisolated(unsafe) public static var useFactorisedGateForward = true

    /// Per-image Winograd forwards of factorised kernels make the gates inside the kernel transform
    /// (`FastEngine+SampleKernelWinogradGated.swift`, the same bits); false keeps `write` + transform.
    nonisolated(unsafe) public static var useGatedKernelTransform = true

    /// 3×3 padding-1 im2col / col2im go through a padded copy of each plane
    /// (`Im2colPaddedPlane.swift`): the same bits as the general loops, which false forces
    /// (tests compare the two).
    nonisolated(unsafe) public static var usePaddedPlaneIm2col = true

    /// `conv2dBatchNormEval` applies the batch norm per chunk inside the Winograd and im2col + GEMM
    /// convolutions (`FastEngine+ConvBatchNorm.swift`); false runs the two ops one after the other
    /// (the same bits; tests compare the two).
    nonisolated(unsafe) public static var fusesConvBatchNorm = true

    /// `conv2dAdd` adds the shortcut per chunk inside the convolution (`FastEngine+ConvAdd.swift`);
    /// false runs `conv2d` then `add` (the same bits; tests compare the two).
    nonisolated(unsafe) public static var fusesConvAdd = true

    /// Stride-1 3×3 depthwise convolutions on planes at most 8 wide with C % 8 = 0 run eight
    /// channels in the lanes (`DepthwiseChannelLanes.swift`): the same bits as the plane-at-a-time
    /// kernels, which false forces (tests compare the two).
    nonisolated(unsafe) public static var useDepthwiseChannelLanes = true

    /// Train-mode batch norm on planes of fewer than 8 values with C % 8 = 0 runs eight channels in
    /// the lanes (`BatchNormChannelLanes.swift`): the same bits as the plane passes, which false
    /// forces (tests compare the two).
    nonisolated(unsafe) public static var useBatchNormChannelLanes = true

    /// Winograd's products run the AVX-512 kernel (`WinogradAVX512`) where the CPU has AVX-512
    /// (checked at run time; `ATKD_AVX512=0` opts out); false forces the AVX2 kernel. Both give
    /// the same bits (tested).
    nonisolated(unsafe) public static var useAVX512 = true

    public static var usesAVX512: Bool { useAVX512 && AVX512.isAvailable }

    nonisolated(unsafe) private static var configuredThreads = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    /// The thread count new engines use (set by `configureThreads`).
    public static var defaultThreads: Int { configuredThreads }

    /// Sets the default thread count of new engines and OpenBLAS's own thread
    /// count (used by GEMMs outside our parallel regions, e.g. `linear`).
    /// Call once at start-up, before kernels run.
    public static func configureThreads(_ n: Int) {
        precondition(n >= 1, "configureThreads needs n ≥ 1")
        configuredThreads = n
        openblas_set_num_threads(Int32(n))
    }

    // MARK: forwarded to the reference

    public func avgPool2d(_ x: Tensor, _ config: PoolConfig) -> Tensor { reference.avgPool2d(x, config) }
    public func avgPool2dBackward(inputShape: [Int], _ config: PoolConfig, dy: Tensor) -> Tensor {
        reference.avgPool2dBackward(inputShape: inputShape, config, dy: dy)
    }
    public func bilinearResize(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        reference.bilinearResize(x, outH: outH, outW: outW)
    }
    public func bilinearResizeBackward(inputShape: [Int], dy: Tensor) -> Tensor {
        reference.bilinearResizeBackward(inputShape: inputShape, dy: dy)
    }
    public func softmax(_ x: Tensor, temperature: Float) -> Tensor { reference.softmax(x, temperature: temperature) }
    public func logSoftmax(_ x: Tensor, temperature: Float) -> Tensor {
        reference.logSoftmax(x, temperature: temperature)
    }
    public func crossEntropy(_ logits: Tensor, labels: [Int], labelSmoothing: Float) -> (loss: Float, dLogits: Tensor) {
        reference.crossEntropy(logits, labels: labels, labelSmoothing: labelSmoothing)
    }
}
