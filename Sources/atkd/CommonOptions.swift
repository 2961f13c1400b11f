// Options shared by the commands that train or evaluate.

import ArgumentParser
import Foundation
import Training
import TensorCore
import Datasets
import Models
import FileIO
import FastEngine

struct DataOptions: ParsableArguments {
    @Option(help: "Dataset root folder (default: $ATKD_DATA, then ./data, then ../shared/datasets).")
    var dataRoot: String?

    @Option(help: "Cache folder for preprocessed image folders (default: $ATKD_CACHE, then ./cache).")
    var cacheDir: String?
}

struct EngineOptions: ParsableArguments {
    @Option(help: "Threads for the engine and OpenBLAS (default: the spec's `threads`, 2). Same seed + same threads ⇒ identical numbers.")
    var threads: Int?

    @Option(help: "Kernels: fast (OpenBLAS + SIMD) or reference (naive loops, slow; default: the spec's `engine`).")
    var engine: String?

    @Option(help: ArgumentHelp(
        "Convolution and linear products: fp32, or bf16 (bf16 inputs, fp32 sums; default: the spec's `precision`, fp32).",
        discussion: "bf16 needs a CPU with AVX512_BF16 and the fast engine; fp32 is the reference."))
    var precision: String?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads \(threads): must be at least 1") }
        if let engine, !["fast", "reference"].contains(engine) {
            throw ValidationError("--engine \(engine): must be fast or reference")
        }
        if let precision, Precision(rawValue: precision) == nil {
            throw ValidationError("--precision \(precision): must be fp32 or bf16")
        }
    }
}

struct RunLocationOptions: ParsableArguments {
    @Option(help: "Folder for run directories.")
    var runs: String = "runs"

    @Flag(help: "Start every run afresh instead of continuing unfinished ones and skipping finished ones.")
    var fresh = false

    @Flag(help: "Print only summaries, no progress.")
    var quiet = false

    /// The runner options these flags describe.
    func runOptions(retrainTeacher: Bool = false) -> RunOptions {
        var options = RunOptions()
        options.resume = !fresh
        options.retrainTeacher = retrainTeacher
        options.runsRoot = runs
        options.quiet = quiet
        return options
    }
}

/// Parses "1,2,3" into seeds.
func parseSeeds(_ text: String) throws -> [Int] {
    let seeds = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !seeds.isEmpty, seeds.allSatisfy({ $0 != nil }) else {
        throw SpecError("--seeds: takes comma-separated integers, e.g. 1,2,3 (got `\(text)`)")
    }
    return seeds.map { $0! }
}

/// Writes an error to stderr (`error: <file or key>: <what>`) and exits with its code. An interrupt
/// (Ctrl-C, SIGTERM) is not an error: it prints what was checkpointed and exits 130.
func fail(_ error: Error) -> Never {
    if case TrainingError.interrupted = error {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(130)
    }
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(ExitStatus.of(error))
}

/// The exit codes of `atkd` (sysexits.h), documented in the README and tested.
enum ExitStatus {
    /// A flag, spec key or value that cannot run (ArgumentParser's own usage errors are 64 too),
    /// or a run folder that holds another run.
    static let usage: Int32 = 64
    /// Input data that cannot be read as what it claims to be: a dataset, checkpoint or archive.
    static let data: Int32 = 65
    /// The operating system refused: a missing file, a failed read or write.
    static let io: Int32 = 74
    /// Interrupted by Ctrl-C or SIGTERM after checkpointing.
    static let interrupted: Int32 = 130
    /// This CPU lacks an instruction set the request needs (EX_UNAVAILABLE), e.g. bf16 without AVX512_BF16.
    static let unavailable: Int32 = 69

    static func of(_ error: Error) -> Int32 {
        switch error {
        case is SpecError: return usage
        case let e as TrainingError:
            switch e {
            case .identityMismatch: return usage
            case .interrupted: return interrupted
            case .data, .badCheckpoint, .nonFinite: return data
            }
        case let e as DatasetError: return e.kind == .io ? io : (e.kind == .invalidArgument ? usage : data)
        case let e as TensorArchiveError:
            if case .io = e.reason { return io }
            return data
        case is CheckpointError: return data
        case let e as PrecisionError: return e.cpuLacksInstruction ? unavailable : usage
        case let e as FileIOError: return e.kind == .io ? io : data
        default: return 1
        }
    }
}
