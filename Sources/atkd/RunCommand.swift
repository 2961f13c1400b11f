// `atkd run SPEC`: a whole experiment — teacher, then every arm × seed.

import ArgumentParser
import Foundation
import Training

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment spec: obtain the teacher, then train every arm for every seed.",
        discussion: """
        Runs are resumable: run the same command again to continue unfinished runs (finished ones are \
        skipped). Ctrl-C checkpoints and exits. Results: runs/<name>/<arm>-seed<k>/{metrics.tsv, final.json}.
        """)

    @Argument(help: "Experiment spec (JSON), e.g. experiments/cifar-cpu.json.")
    var spec: String

    @Option(help: "Comma-separated seeds overriding the spec's `seeds` (e.g. 1,2,3).")
    var seeds: String?

    @Option(help: "Comma-separated arms overriding the spec's `arms` (ce, kd, at, atkd; dkd, rkd, sp, pkt, fitnet, crd, crdkd).")
    var arms: String?

    @Flag(help: "Train the teacher even when its checkpoint exists.")
    var retrainTeacher = false

    @OptionGroup var location: RunLocationOptions
    @OptionGroup var data: DataOptions
    @OptionGroup var engine: EngineOptions

    func run() throws {
        do {
            var s = try Session.loadSpec(path: spec)
            if let seeds { s.seeds = try parseSeeds(seeds) }
            if let arms { s.arms = arms.split(separator: ",").map(String.init); try Session.validate(s, source: "--arms") }
            let session = try Session(spec: s, dataRoot: data.dataRoot, cacheDir: data.cacheDir,
                                      threads: engine.threads, engine: engine.engine, quiet: location.quiet)
            let options = location.runOptions(retrainTeacher: retrainTeacher)
            let runner = ExperimentRunner(spec: session.spec, data: session.data, engine: session.engine, options: options)
            InterruptHandler.install()
            let summaries = try runner.runAll()
            print(Session.table(summaries))
        } catch let e as ValidationError { throw e } catch { fail(error) }
    }
}
