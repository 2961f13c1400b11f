// swift-tools-version:6.0
// ATKD — knowledge distillation with attention transfer, reproduced on the CPU.
import PackageDescription

/// Release builds of numeric code: no overflow traps in hot loops are added by
/// hand (`&+`), so -O is enough; AVX2/FMA are enabled for SIMD code paths.
let fastFlags: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "haswell"]),
]

let package = Package(
    name: "ATKD",
    products: [
        .executable(name: "atkd", targets: ["atkd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: system libraries
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg",
                       providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),

        // MARK: engine
        .target(name: "TensorCore", swiftSettings: fastFlags),
        .target(name: "ReferenceEngine", dependencies: ["TensorCore"]),
        .target(name: "FastEngine", dependencies: ["TensorCore", "ReferenceEngine", "CBLAS", "WinogradAVX512",
                                                   "VectorShuffles", "BF16GEMM", "WinogradTransforms512",
                                                   "AdaptivePooling512"],
                swiftSettings: fastFlags),
        // Lane shuffles Swift's SIMD types lack (header-only C, inlined into FastEngine).
        .target(name: "VectorShuffles"),
        // bf16 GEMM with vdpbf16ps (C intrinsics; AVX512_BF16 per function, checked at run time).
        .target(name: "BF16GEMM"),
        // The Winograd tile transforms 16 tiles a vector (C intrinsics; AVX-512 per function, checked at run time).
        .target(name: "WinogradTransforms512"),
        // Adaptive average pooling 8 planes a vector (C intrinsics; AVX-512 per function, checked at run time).
        .target(name: "AdaptivePooling512"),
        // Built for AVX-512 on its own; FastEngine calls it only where the CPU has it (run-time check).
        .target(name: "WinogradAVX512", swiftSettings: [.unsafeFlags(["-target-cpu", "skylake-avx512"])]),
        .target(name: "NN", dependencies: ["TensorCore", "ReferenceEngine", "FastEngine"]),
        .target(name: "Optim", dependencies: ["TensorCore", "NN"]),

        // MARK: claims (one target per paper)
        .target(name: "HintonKD", dependencies: ["TensorCore"], path: "Sources/Claims/HintonKD",
                exclude: ["README.md"]),
        .target(name: "ZagoruykoAT", dependencies: ["TensorCore"], path: "Sources/Claims/ZagoruykoAT",
                exclude: ["README.md"], swiftSettings: fastFlags),
        .target(name: "ZhuAttention", dependencies: ["TensorCore", "NN"], path: "Sources/Claims/ZhuAttention",
                exclude: ["README.md"], swiftSettings: fastFlags),
        // The methods the proposal compares against (DKD, RKD, SP, PKT, …): one file per paper.
        .target(name: "RelatedMethods", dependencies: ["TensorCore"], path: "Sources/Claims/RelatedMethods",
                exclude: ["README.md"], swiftSettings: fastFlags),

        // MARK: models, objectives, data
        .target(name: "FileIO", dependencies: ["CZstd"]),
        .target(name: "Cluster", dependencies: ["CMPI"]),
        .target(name: "Models", dependencies: ["TensorCore", "NN", "ZhuAttention", "FileIO"]),
        .target(name: "Objectives", dependencies: ["TensorCore", "NN", "HintonKD", "ZagoruykoAT", "RelatedMethods"]),
        .target(name: "Datasets", dependencies: ["TensorCore", "FileIO", "CTurboJPEG"],
                swiftSettings: fastFlags),

        // ONNX messages through protobuf-c (libprotobuf-c-dev); the code generated from onnx.proto is committed.
        .target(name: "CONNX", path: "Sources/CONNX", exclude: ["onnx.proto", "README.md"],
                linkerSettings: [.linkedLibrary("protobuf-c")]),
        .target(name: "ONNXExport", dependencies: ["TensorCore", "NN", "Models", "ZhuAttention", "CONNX"]),

        // MARK: tools
        .target(name: "Verification", dependencies: [
            "TensorCore", "ReferenceEngine", "FastEngine", "HintonKD", "ZagoruykoAT", "ZhuAttention", "RelatedMethods",
            "Models", "Objectives"]),
        .target(name: "Training", dependencies: [
            "TensorCore", "ReferenceEngine", "FastEngine", "NN", "Optim", "Models", "Objectives", "Datasets", "FileIO",
            "ZagoruykoAT", "RelatedMethods"]),
        // gnuplot driven through gnuplot-iostream (C++ and Boost, libgnuplot-iostream-dev); Reports calls its C interface.
        .target(name: "GnuplotStream", path: "Sources/GnuplotStream",
                linkerSettings: [.linkedLibrary("boost_iostreams"), .linkedLibrary("boost_filesystem"),
                                 .linkedLibrary("boost_system")]),
        .target(name: "Reports", dependencies: [
            "TensorCore", "NN", "Models", "ZagoruykoAT", "Datasets", "Training", "GnuplotStream"]),
        .executableTarget(name: "atkd", dependencies: [
            "TensorCore", "ReferenceEngine", "FastEngine", "NN", "Models", "Objectives", "Datasets", "FileIO",
            "Training", "Reports", "Verification", "ONNXExport", "Cluster",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: tests
        .target(name: "TestSupport", dependencies: ["TensorCore", "ReferenceEngine", "FastEngine", "NN"],
                path: "Tests/TestSupport"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "ReferenceEngine", "TestSupport"]),
        .testTarget(name: "ReferenceEngineTests", dependencies: ["ReferenceEngine", "TestSupport"]),
        .testTarget(name: "FastEngineTests", dependencies: ["FastEngine", "ReferenceEngine", "WinogradAVX512", "CBLAS",
                                                             "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "ReferenceEngine", "FastEngine", "TestSupport"]),
        .testTarget(name: "OptimTests", dependencies: ["Optim", "NN", "ReferenceEngine", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "NN", "ZhuAttention", "FileIO", "TestSupport"]),
        .testTarget(name: "ONNXExportTests", dependencies: ["ONNXExport", "Models", "NN", "TestSupport"]),
        .testTarget(name: "ClaimsTests", dependencies: [
            "HintonKD", "ZagoruykoAT", "ZhuAttention", "RelatedMethods", "Objectives", "ReferenceEngine", "FastEngine", "WinogradAVX512", "TestSupport"]),
        .testTarget(name: "FileIOTests", dependencies: ["FileIO", "TestSupport"]),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "Training"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "FileIO", "TestSupport"]),
        .testTarget(name: "VerificationTests", dependencies: ["Verification", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "Objectives", "Reports", "Datasets", "FileIO",
                                                  "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: [
            "Reports", "Training", "Models", "NN", "TensorCore", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5],
    cxxLanguageStandard: .cxx17
)
