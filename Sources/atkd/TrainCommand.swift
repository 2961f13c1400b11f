// `atkd train`: train one model from scratch with cross-entropy (teachers, baselines).

import ArgumentParser
import Foundation
import Training

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from scratch with cross-entropy and save its checkpoint.")

    @Option(help: "Architecture (see `atkd models`).")
    var model: String

    @Option(help: "Spec whose dataset and training settings to use (default: the built-in defaults).")
    var spec: String?

    @Option(help: "Epochs (default: the spec's teacher.train.epochs).")
    var epochs: Int?

    @Option(help: "Peak learning rate (default: the spec's teacher.train.lr).")
    var lr: Float?

    @Option(help: "Batch size (default: the spec's teacher.train.batch_size).")
    var batchSize: Int?

    @Option(help: "Where to save the trained checkpoint (default: runs/<name>/teacher/model.atkd only).")
    var out: String?

    @Option(help: "Run name (folder under --runs; default: train-<model>).")
    var name: String?

    @OptionGroup var location: RunLocationOptions
    @OptionGroup var data: DataOptions
    @OptionGroup var engine: EngineOptions
    @OptionGroup var parallel: ParallelOptions

    func run() throws {
        do {
            let launch = try parallel.join()
            var s = try spec.map { try Session.loadSpec(path: $0) } ?? ExperimentSpec()
            s.name = name ?? "train-\(model)"
            s.teacher.model = model
            s.teacher.checkpoint = out ?? ""
            if let epochs { s.teacher.train.epochs = epochs }
            if let lr { s.teacher.train.lr = lr }
            if let batchSize { s.teacher.train.batchSize = batchSize }
            try Session.validate(s, source: "command line")
            let session = try Session(spec: s, dataRoot: data.dataRoot, cacheDir: data.cacheDir,
                                      threads: engine.threads, engine: engine.engine, precision: engine.precision,
                                      quiet: location.quiet || (launch?.world.rank ?? 0) != 0)
            var options = location.runOptions(retrainTeacher: true)
            if let launch { options.dataParallel = launch.dataParallel; options.quiet = options.quiet || launch.world.rank != 0 }
            InterruptHandler.install()
            let runner = ExperimentRunner(spec: session.spec, data: session.data, engine: session.engine, options: options)
            let body = { () throws -> String in
                _ = try runner.obtainTeacher()
                guard options.writes else { return "" }
                return Session.table([try RunSummary.load(path: "\(runner.experimentDirectory)/teacher/final.json")])
            }
            if let launch { runDataParallel(launch.world, body); return }
            print(try body())
        } catch let e as ValidationError { throw e } catch { fail(error) }
    }
}
