// `atkd eval CKPT`: metrics of a checkpoint on a split.

import ArgumentParser
import Foundation
import Training

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint: top-1/top-5, NLL, ECE, per-class accuracy.")

    @Argument(help: "Model checkpoint (.atkd).")
    var checkpoint: String

    @Option(help: "Spec whose dataset to use (default: CIFAR-10).")
    var spec: String?

    @Flag(help: "Print the metrics as one JSON object.")
    var json = false

    @OptionGroup var data: DataOptions
    @OptionGroup var engine: EngineOptions

    func run() throws {
        do {
            let s = try spec.map { try Session.loadSpec(path: $0) } ?? ExperimentSpec()
            let session = try Session(spec: s, dataRoot: data.dataRoot, cacheDir: data.cacheDir,
                                      threads: engine.threads, engine: engine.engine, quiet: true)
            let (name, metrics) = try session.evaluate(checkpoint: checkpoint)
            if json {
                let e = JSONEncoder()
                e.keyEncodingStrategy = .convertToSnakeCase
                e.outputFormatting = [.sortedKeys]
                print(String(decoding: try e.encode(metrics), as: UTF8.self))
            } else {
                print(String(format: "%@ on %d test images: top-1 %.2f%%  top-5 %.2f%%  NLL %.4f  ECE %.4f",
                             name, metrics.count, metrics.top1 * 100, metrics.top5 * 100, metrics.nll, metrics.ece))
                for (c, a) in zip(session.data.classNames, metrics.perClassAccuracy) {
                    print(String(format: "  %-12@ %.2f%%", c, a * 100))
                }
            }
        } catch let e as ValidationError { throw e } catch { fail(error) }
    }
}
