// Options shared by the commands that train or evaluate.

import ArgumentParser
import Foundation
import Training

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
        throw ValidationError("--seeds takes comma-separated integers, e.g. 1,2,3 (got `\(text)`)")
    }
    return seeds.map { $0! }
}

/// Writes an error to stderr and exits non-zero, for errors users cause. An interrupt (Ctrl-C,
/// SIGTERM) is not an error: it prints what was checkpointed and exits 130, the shell's code for SIGINT.
func fail(_ error: Error) -> Never {
    if case TrainingError.interrupted = error {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(130)
    }
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
