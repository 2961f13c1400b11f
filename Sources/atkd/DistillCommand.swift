// `atkd distill`: train one student from a trained teacher with one objective.

import ArgumentParser
import Foundation
import Training
import Models

struct DistillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Train a student with one arm (ce, kd, at, atkd, dkd, rkd, sp, pkt, fitnet, crd, crdkd) from a teacher checkpoint.")

    @Option(name: [.customLong("arm"), .customLong("method")],
            help: "The arm (training objective), as in specs' `arms`: ce (labels only), kd (Hinton), at (Zagoruyko), atkd (both), or a related method: dkd, rkd, sp, pkt, fitnet, crd, crdkd. --method is the old name.")
    var method: String

    @Option(help: "Teacher checkpoint: .atkd (its architecture is read from the file) or .safetensors (a PyTorch state_dict; give --teacher-model unless its metadata names the architecture).")
    var teacher: String

    @Option(help: "Teacher architecture of a .safetensors teacher (see `atkd models`).")
    var teacherModel: String?

    @Option(help: "Student architecture (default: the spec's student.model, mobilenetv2-half).")
    var student: String?

    @Option(help: "Spec whose dataset, student training and distillation settings to use (default: built-in defaults).")
    var spec: String?

    @Option(help: "Epochs (default: the spec's student.train.epochs).")
    var epochs: Int?

    @Option(help: "Seed for the student's initial weights, data order and augmentation.")
    var seed: Int = 1

    @Option(help: "Run name (folder under --runs; default: distill-<student>).")
    var name: String?

    @OptionGroup var location: RunLocationOptions
    @OptionGroup var data: DataOptions
    @OptionGroup var engine: EngineOptions
    @OptionGroup var parallel: ParallelOptions

    func run() throws {
        do {
            let launch = try parallel.join()
            var s = try spec.map { try Session.loadSpec(path: $0) } ?? ExperimentSpec()
            let meta = try ModelCheckpoint.metadata(of: teacher)
            guard let arch = teacherModel ?? meta["architecture"] else {
                throw ValidationError("\(teacher): no architecture in its header; give --teacher-model")
            }
            s.teacher.model = arch
            s.teacher.checkpoint = teacher
            if let student { s.student.model = student }
            if let epochs { s.student.train.epochs = epochs }
            s.arms = [method]
            s.seeds = [seed]
            s.name = name ?? "distill-\(s.student.model)"
            try Session.validate(s, source: "command line")
            let session = try Session(spec: s, dataRoot: data.dataRoot, cacheDir: data.cacheDir,
                                      threads: engine.threads, engine: engine.engine, precision: engine.precision,
                                      quiet: location.quiet || (launch?.world.rank ?? 0) != 0)
            var options = location.runOptions()
            if let launch { options.dataParallel = launch.dataParallel; options.quiet = options.quiet || launch.world.rank != 0 }
            InterruptHandler.install()
            let runner = ExperimentRunner(spec: session.spec, data: session.data, engine: session.engine, options: options)
            if let launch { runDataParallel(launch.world) { Session.table(try runner.runAll()) }; return }
            print(Session.table(try runner.runAll()))
        } catch let e as ValidationError { throw e } catch { fail(error) }
    }
}
