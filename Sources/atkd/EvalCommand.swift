// `atkd eval CKPT`: metrics of a checkpoint on a split, or, with `--corruptions`,
// under the CIFAR-10-C corruptions of the test split.

import ArgumentParser
import Datasets
import Foundation
import Training
import Models

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint: top-1/top-5, NLL, ECE, per-class accuracy; or its accuracy under corruptions.",
        discussion: """
            --corruptions evaluates the clean test split and every corruption × severity of it \
            (CIFAR-10-C, Hendrycks & Dietterich 2019): \(Corruption.benchmark.map(\.rawValue).joined(separator: ", ")); \
            also available: \(Corruption.allCases.filter { !Corruption.benchmark.contains($0) }.map(\.rawValue).joined(separator: ", ")). \
            It prints top-1 per corruption and severity, the mean corruption accuracy (mCA), the mean ECE under \
            shift and mCA / clean top-1.
            """)

    @Argument(help: "Model checkpoint (.atkd).")
    var checkpoint: String

    @Option(help: "Spec whose dataset to use (default: CIFAR-10).")
    var spec: String?

    @Flag(help: "Print the metrics as one JSON object.")
    var json = false

    @Flag(help: "Evaluate under the benchmark corruptions (all severities unless --severities).")
    var corruptions = false

    @Option(help: "Comma-separated corruptions to evaluate (implies --corruptions), e.g. gaussian_noise,contrast.")
    var corruptionList: String?

    @Option(help: "Comma-separated severities 1–5 for --corruptions (default: 1,2,3,4,5).")
    var severities: String?

    @Option(help: "Seed of the noise corruptions' random draws.")
    var corruptionSeed: UInt64 = 0

    @Option(help: "Evaluate only the first N test images of each class (quick runs).")
    var testLimit: Int?

    @OptionGroup var data: DataOptions
    @OptionGroup var engine: EngineOptions

    var corruptionMode: Bool { corruptions || corruptionList != nil }

    func validate() throws {
        if severities != nil && !corruptionMode {
            throw ValidationError("--severities applies to --corruptions or --corruption-list")
        }
        if let n = testLimit, n < 1 { throw ValidationError("--test-limit must be ≥ 1 (got \(n))") }
        _ = try corruptionOptions()
    }

    /// The corruptions and severities the flags name.
    func corruptionOptions() throws -> CorruptionOptions {
        var options = CorruptionOptions(seed: corruptionSeed)
        if let list = corruptionList {
            let names = list.split(separator: ",").map(String.init)
            let parsed = names.map { Corruption(name: $0) }
            guard !names.isEmpty, !parsed.contains(where: { $0 == nil }) else {
                throw ValidationError("--corruption-list takes comma-separated names from: "
                                      + Corruption.allCases.map(\.rawValue).joined(separator: ", ") + " (got `\(list)`)")
            }
            options.corruptions = parsed.map { $0! }
        }
        if let text = severities {
            let parsed = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parsed.isEmpty, parsed.allSatisfy({ $0.map { Corruption.severities.contains($0) } ?? false }) else {
                throw ValidationError("--severities takes comma-separated integers in 1...5, e.g. 1,3,5 (got `\(text)`)")
            }
            options.severities = parsed.map { $0! }
        }
        return options
    }

    func run() throws {
        do {
            var s = try spec.map { try Session.loadSpec(path: $0) } ?? ExperimentSpec()
            if let n = testLimit { s.dataset.testPerClass = n }
            // The checkpoint first: a missing or corrupt file is reported before any data is loaded.
            _ = try ModelCheckpoint.metadata(of: checkpoint)
            let session = try Session(spec: s, dataRoot: data.dataRoot, cacheDir: data.cacheDir,
                                      threads: engine.threads, engine: engine.engine, precision: engine.precision, quiet: true)
            let e = JSONEncoder()
            e.keyEncodingStrategy = .convertToSnakeCase
            e.outputFormatting = [.sortedKeys]
            if corruptionMode {
                var options = try corruptionOptions()
                options.threads = session.spec.threads
                let report = try session.evaluateCorruptions(checkpoint: checkpoint, options: options) { line in
                    FileHandle.standardError.write(Data((line + "\n").utf8))
                }
                print(json ? String(decoding: try e.encode(report), as: UTF8.self) : report.table())
                return
            }
            let (name, metrics) = try session.evaluate(checkpoint: checkpoint)
            if json {
                print(String(decoding: try e.encode(metrics), as: UTF8.self))
            } else {
                print(String(format: "%@ on %d test images: top-1 %.2f%%  top-5 %.2f%%  NLL %.4f  ECE %.4f",
                             name, metrics.count, metrics.top1 * 100, metrics.top5 * 100, metrics.nll, metrics.ece))
                for (c, a) in zip(session.data.classNames, metrics.perClassAccuracy) {
                    print(a.map { String(format: "  %-12@ %.2f%%", c, $0 * 100) } ?? String(format: "  %-12@ — (no test images)", c))
                }
            }
        } catch let e as ValidationError { throw e } catch { fail(error) }
    }
}
