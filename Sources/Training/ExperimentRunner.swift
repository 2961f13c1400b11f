// Runs a whole experiment: obtain the teacher (reuse its checkpoint or train it),
// then every arm × seed, each in its own resumable run folder.

import Foundation
import TensorCore
import NN
import Models
import Objectives

/// How an experiment is run (not part of the spec: they don't change results).
public struct RunOptions {
    /// Continue unfinished runs and skip finished ones (false: start every run afresh).
    public var resume = true
    /// Train the teacher even when its checkpoint exists.
    public var retrainTeacher = false
    /// Where run folders go: `<runsRoot>/<spec.name>/<arm>-seed<k>/`.
    public var runsRoot = "runs"
    /// Base for relative checkpoint paths in the spec.
    public var projectRoot = "."
    public var quiet = false
    /// Bytes of teacher outputs kept for the distillation arms of a seed (0: none; numbers are the same).
    public var teacherCacheBytes = TeacherOutputCache.defaultCapacityBytes
    /// Bytes of a seed's teacher outputs kept on disk for a later process of the seed
    /// (`TeacherOutputStore`, under `<experiment>/teacher-outputs/seed<k>/`, removed when the seed's
    /// units here have finished); 0: none; nil: `TeacherOutputStore.defaultCapacityBytes`. Numbers are the same.
    public var teacherCacheDiskBytes: Int?
    /// Every run spread over the processes of a group (`atkd … --data-parallel` under mpirun); nil: one process.
    public var dataParallel: DataParallel?
    /// Whether this process writes files (false on ranks other than 0 of a data-parallel job).
    public var writes: Bool { dataParallel?.writes ?? true }
    public init() {}
}

public final class ExperimentRunner {
    public let spec: ExperimentSpec
    public let data: DataProvider
    public let engine: any Kernels
    public let options: RunOptions
    public let reporter: ProgressReporter

    public init(spec: ExperimentSpec, data: DataProvider, engine: any Kernels, options: RunOptions) {
        self.spec = spec; self.data = data; self.engine = engine; self.options = options
        reporter = ProgressReporter(quiet: options.quiet)
    }

    public var experimentDirectory: String { "\(options.runsRoot)/\(spec.name)" }

    /// How these runs are made (code, command, machine, OpenBLAS core), recorded beside the spec.
    var provenance: RunProvenance { RunProvenance.current(threads: engine.threads, engine: spec.engine) }

    /// The experiment's units in order: every arm of the first seed, then of the next, …
    public var units: [(arm: String, seed: Int)] { spec.seeds.flatMap { seed in spec.arms.map { (arm: $0, seed: seed) } } }

    /// Whether some arm needs the teacher.
    public var needsTeacher: Bool { spec.arms.contains(where: { $0 != "ce" }) }

    /// Runs the teacher, then the units of `shard` (all by default), in order; returns their summaries.
    ///
    /// `teacherReady` separates obtaining the teacher from using it in a multi-process sweep: the
    /// first shard obtains (trains or evaluates) the teacher, then every shard calls `teacherReady`
    /// (a barrier), and the other shards load the teacher the first one made (`teacherLoadOnly`).
    @discardableResult
    public func runAll(shard: UnitShard = .whole, teacherLoadOnly: Bool = false,
                       teacherReady: (() throws -> Void)? = nil) throws -> [RunSummary] {
        try FileManager.default.createDirectory(atPath: experimentDirectory, withIntermediateDirectories: true)
        if options.writes {
            try AtomicFile.write(SpecLoader.resolvedJSON(folderSpec(), provenance: provenance), to: "\(experimentDirectory)/spec.json")
        }
        _ = try tapStates()
        var teacher: (any Model)? = nil
        if needsTeacher && !teacherLoadOnly { teacher = try obtainTeacher() }
        try teacherReady?()
        if needsTeacher && teacherLoadOnly { teacher = try loadObtainedTeacher() }
        var out: [RunSummary] = []
        let units = self.units
        let mine = units.indices.filter { shard.owns(unit: $0) }
        var eta = ExperimentETA()
        var cache: (seed: Int, cache: TeacherOutputCache)? = nil
        for (position, k) in mine.enumerated() {
            let (arm, seed) = units[k]
            // The distillation arms of a seed see the same batches: one teacher pass serves them all.
            if cache?.seed != seed {
                let fresh = TeacherOutputCache(atOptions: ObjectiveFactory.atOptions(distill: spec.distill),
                                               capacityBytes: options.teacherCacheBytes)
                fresh.alsoKeepIsEverythingAhead = true
                cache = (seed, fresh)
            }
            // What this arm and the seed's arms after it read: a pass keeps that for them. Narrowed
            // unit by unit, so an arm that recomputes the teacher (FitNets' raw hint tap is never kept
            // ahead) does not also remake what only finished arms read (SP's G_t, an N²·D product).
            cache?.cache.alsoKeep = try ObjectiveFactory.teacherNeeds(
                ofArms: mine[position...].filter { units[$0].seed == seed }.map { units[$0].arm },
                distill: spec.distill, train: spec.student.train, engine: engine)
            let rest = mine[position...].map { units[$0].arm }
            var line = eta.line(unit: position + 1, of: mine.count, arm: arm, seed: seed, remaining: rest)
            if shard.count > 1 { line = "shard \(shard): " + line }
            reporter.note(line)
            let summary = try runStudent(arm: arm, seed: seed, teacher: teacher, shard: shard, teacherCache: cache?.cache)
            eta.finished(arm: arm, wallSeconds: summary.wallSeconds)
            out.append(summary)
            if let store = cache?.cache.store { reporter.note(store.summary) }
            // The seed's units here have all finished: nothing will read its outputs on disk again.
            if mine[(position + 1)...].first.map({ units[$0].seed != seed }) ?? true {
                cache?.cache.store = nil  // releases this process's locks on the folder
                if shard.count == 1, options.dataParallel == nil, options.writes {
                    try TeacherOutputStore.removeUnlessUsed(teacherOutputDirectory(seed: seed))
                }
            }
        }
        return out
    }

    /// The spec the experiment folder records: this one, or — when the folder already records another
    /// spec of the same experiment (an add-on spec whose arms land beside the first one's, as issue
    /// 22's methods beside (a)) — that spec with this one's arms and seeds added, so the record names
    /// every unit in the folder and keeps the settings of the spec that made it. Each unit's own
    /// `spec.json` has exactly what it ran with.
    public func folderSpec() -> ExperimentSpec {
        guard let recorded = try? SpecLoader.load(path: "\(experimentDirectory)/spec.json"), recorded.name == spec.name
        else { return spec }
        var merged = recorded
        merged.arms += spec.arms.filter { !recorded.arms.contains($0) }
        merged.seeds = Array(Set(recorded.seeds).union(spec.seeds)).sorted()
        return merged
    }

    /// The summaries of every finished unit on disk, in unit order (what a sweep's shards produced).
    public func finishedSummaries() -> [RunSummary] {
        units.compactMap { try? RunSummary.load(path: "\(experimentDirectory)/\($0.arm)-seed\($0.seed)/final.json") }
    }

    /// The teacher another process obtained: its checkpoint (spec path), else the experiment's trained
    /// teacher; an error naming both when neither exists (train it first: `atkd run SPEC --teacher-only`).
    public func loadObtainedTeacher() throws -> any Model {
        var rng = SeededRNG(seed: 0)
        let model = try ModelZoo.make(spec.teacher.model, classes: data.classes, input: spec.dataset.resolution, rng: &rng)
        let ckpt = spec.teacher.checkpoint.isEmpty ? "" : resolve(spec.teacher.checkpoint)
        let trained = "\(experimentDirectory)/teacher/model.atkd"
        for path in [ckpt, trained] where !path.isEmpty && FileManager.default.fileExists(atPath: path) {
            _ = try ModelCheckpoint.load(into: model, from: path)
            reporter.note("teacher: loaded \(path)")
            return model
        }
        throw TrainingError.data("no trained teacher for \(spec.name): neither \(ckpt.isEmpty ? "(no checkpoint in the spec)" : ckpt) "
                                 + "nor \(trained) exists; obtain it first with `atkd run SPEC --teacher-only`")
    }

    /// `teacher→student` tap activation states (e.g. `post→pre`) when an arm transfers attention;
    /// throws before any training when they differ and the spec keeps `distill.at_tap_states = same`,
    /// or when teacher and student have different numbers of taps (`checkTapPairing`).
    public func tapStates() throws -> String? {
        guard spec.arms.contains(where: { $0 == "at" || $0 == "atkd" }) else { return nil }
        var rng = SeededRNG(seed: 0)
        let input = spec.dataset.resolution
        let t = try ModelZoo.build(ModelSpec(parsing: spec.teacher.model), classes: data.classes, input: input, rng: &rng)
        let s = try ModelZoo.build(ModelSpec(parsing: spec.student.model), classes: data.classes, input: input, rng: &rng)
        try Self.checkTapPairing(teacher: t, student: s)
        let (ts, ss) = (Set(t.stages.map(\.activation)), Set(s.stages.map(\.activation)))
        func word(_ set: Set<TapActivation>) -> String { set.map(\.rawValue).sorted().joined(separator: "+") }
        let states = "\(word(ts))→\(word(ss))"
        if ts != ss && spec.distill.atTapStates == "same" {
            throw SpecError("distill.at_tap_states = same, but \(spec.teacher.model)'s taps are \(word(ts))-activation and "
                            + "\(spec.student.model)'s are \(word(ss))-activation; set distill.at_tap_states to mixed "
                            + "to transfer attention between them anyway (as RepDistiller does)")
        }
        return states
    }

    /// The AT arms pair the teacher's and the student's taps by position (stage j with stage j):
    /// a clear error, before anything trains, when the counts differ (else the first AT step
    /// would stop the run on a precondition, after the teacher has trained).
    public static func checkTapPairing(teacher: TappedNetwork, student: TappedNetwork) throws {
        guard teacher.stages.count == student.stages.count else {
            throw SpecError("the at and atkd arms pair the teacher's and the student's taps by position, but "
                            + "\(teacher.name) has \(teacher.stages.count) taps and \(student.name) has "
                            + "\(student.stages.count); choose models with as many stages, or drop those arms")
        }
    }

    /// The trained teacher: its checkpoint when present (and not `retrainTeacher`), else trained now.
    public func obtainTeacher() throws -> any Model {
        let dir = "\(experimentDirectory)/teacher"
        try FileManager.default.createDirectory(atPath: experimentDirectory, withIntermediateDirectories: true)
        if options.writes {
            try AtomicFile.write(SpecLoader.resolvedJSON(folderSpec(), provenance: provenance), to: "\(experimentDirectory)/spec.json")
        }
        var rng = SeededRNG(seed: 0)
        let model = try ModelZoo.make(spec.teacher.model, classes: data.classes, input: spec.dataset.resolution, rng: &rng)
        let ckpt = spec.teacher.checkpoint.isEmpty ? "" : resolve(spec.teacher.checkpoint)
        if !ckpt.isEmpty, FileManager.default.fileExists(atPath: ckpt), !options.retrainTeacher {
            let meta = try ModelCheckpoint.load(into: model, from: ckpt)
            reporter.note("teacher: reusing \(spec.teacher.checkpoint) (\(meta["architecture"] ?? "?"))")
            if options.writes, !FileManager.default.fileExists(atPath: "\(dir)/final.json") {
                try recordReusedTeacher(model, directory: dir, checkpoint: ckpt, metadata: meta)
            }
            return model
        }
        reporter.setPrefix("teacher \(spec.teacher.model)")
        let objective = try ObjectiveFactory.make("ce", distill: spec.distill, train: spec.teacher.train, engine: engine)
        let run = try TrainingRun(directory: dir, arm: "teacher", seed: 0, train: spec.teacher.train, model: model,
                                  teacher: nil, objective: objective, data: data, engine: engine,
                                  evalEvery: spec.evalEvery, reporter: reporter)
        run.labels = ["experiment": spec.name, "role": "teacher"]
        run.dataParallel = options.dataParallel
        run.corruptionPerClass = spec.corruptionPerClass
        run.identityComponents = ["experiment": spec.name, "dataset": RunFingerprint.digest(spec.dataset)]
        if options.resume { try run.checkIdentity() }
        if options.resume, FileManager.default.fileExists(atPath: run.finalPath),
           FileManager.default.fileExists(atPath: run.modelPath) {
            _ = try ModelCheckpoint.load(into: model, from: run.modelPath)
        } else {
            try run.run(resume: options.resume)
        }
        if !ckpt.isEmpty, options.writes {
            try FileManager.default.createDirectory(atPath: (ckpt as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try AtomicFile.write(Data(contentsOf: URL(fileURLWithPath: run.modelPath)), to: ckpt)
            reporter.note("teacher: saved \(spec.teacher.checkpoint)")
        }
        return model
    }

    /// Trains one student arm for one seed (skipped when already finished and resuming).
    @discardableResult
    public func runStudent(arm: String, seed: Int, teacher: (any Model)?, shard: UnitShard = .whole,
                           teacherCache: TeacherOutputCache? = nil) throws -> RunSummary {
        let dir = "\(experimentDirectory)/\(arm)-seed\(seed)"
        // Same seed ⇒ same initial student weights in every arm.
        var rng = SeededRNG(seed: mixSeed(UInt64(seed), 0x5EED))
        let model = try ModelZoo.make(spec.student.model, classes: data.classes, input: spec.dataset.resolution, rng: &rng)
        let objective = try ObjectiveFactory.make(arm, distill: spec.distill, train: spec.student.train, engine: engine)
        reporter.setPrefix("\(arm) seed \(seed)")
        let run = try TrainingRun(directory: dir, arm: arm, seed: UInt64(seed), train: spec.student.train,
                                  model: model, teacher: objective.needsTeacher ? teacher : nil,
                                  objective: objective, data: data, engine: engine,
                                  evalEvery: spec.evalEvery, reporter: reporter)
        run.labels = ["experiment": spec.name, "role": "student", "teacher": spec.teacher.model]
        if shard.count > 1 { run.labels["shard"] = shard.description }  // provenance only: not in the fingerprint
        if arm == "at" || arm == "atkd", let states = try tapStates() { run.labels["at_tap_states"] = states }
        run.teacherCache = teacherCache
        run.dataParallel = options.dataParallel
        run.corruptionPerClass = spec.corruptionPerClass
        run.identityComponents = ["experiment": spec.name, "dataset": RunFingerprint.digest(spec.dataset)]
        if objective.needsTeacher { run.identityComponents["distill"] = RunFingerprint.digest(distill: spec.distill) }
        // Before anything in the folder is read as this run's or rewritten: another run's folder is an error.
        if options.resume {
            try run.checkIdentity()
            if let done = try? RunSummary.load(path: "\(dir)/final.json") {
                reporter.note("\(arm) seed \(seed): already finished (\(String(format: "%.2f", done.final.top1 * 100))%)")
                return done
            }
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if options.writes { try AtomicFile.write(SpecLoader.resolvedJSON(spec, provenance: provenance), to: "\(dir)/spec.json") }
        if let cache = teacherCache, objective.needsTeacher { try attachStore(to: cache, run: run, seed: seed, shard: shard) }
        return try run.run(resume: options.resume)
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : "\(options.projectRoot)/\(path)"
    }

    /// Evaluates a reused teacher checkpoint and records it like a finished run.
    /// A cached evaluation (`TeacherEvaluationCache`, beside the checkpoint) is used when its key matches.
    func recordReusedTeacher(_ model: any Model, directory: String, checkpoint: String, metadata: [String: String]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let key = TeacherEvaluationCache.Key(
            weights: RunFingerprint.digest(floats: model.parameters.map(\.value.data) + model.buffers.map(\.value.data)),
            data: data.identity, engine: engine.name, threads: engine.threads, corruptionPerClass: spec.corruptionPerClass)
        if let (found, file) = TeacherEvaluationCache.lookup(checkpoint: checkpoint, runsRoot: options.runsRoot, key: key) {
            var cached = found
            cached.labels["experiment"] = spec.name
            cached.labels["evaluation"] = "cached in " + file
            try AtomicFile.write(cached.jsonData(), to: "\(directory)/final.json")
            reporter.note(String(format: "teacher: test top-1 %.2f%% (cached evaluation in %@)", cached.final.top1 * 100, file))
            return
        }
        let objective = try ObjectiveFactory.make("ce", distill: spec.distill, train: spec.teacher.train, engine: engine)
        let run = try TrainingRun(directory: directory, arm: "teacher", seed: 0, train: spec.teacher.train, model: model,
                                  teacher: nil, objective: objective, data: data, engine: engine, reporter: reporter)
        let metrics = try run.evaluate(model, teacherPredictions: nil)
        let shape = [1] + data.imageShape
        let bytes = (try? FileManager.default.attributesOfItem(atPath: checkpoint)[.size] as? Int) ?? 0
        var summary = RunSummary(
            arm: "teacher", seed: 0, model: model.name, epochs: Int(metadata["epochs"] ?? "") ?? spec.teacher.train.epochs,
            final: metrics, classNames: data.classNames, bestTop1: metrics.top1, bestEpoch: 0,
            params: model.parameterCount, macs: ModelZoo.macs(model, input: data.imageShape[1], engine: engine), checkpointBytes: bytes,
            latencyMs: Footprint.latencyMs(model, inputShape: shape, engine: engine),
            trainImagesPerSecond: Double(metadata["train_img_per_s"] ?? "") ?? 0,
            trainSeconds: Double(metadata["train_seconds"] ?? "") ?? 0, wallSeconds: 0,
            labels: ["experiment": spec.name, "role": "teacher", "reused_checkpoint": spec.teacher.checkpoint],
            provenance: provenance)
        run.corruptionPerClass = spec.corruptionPerClass
        summary.corruptions = try run.corruptionReport()
        try AtomicFile.write(summary.jsonData(), to: "\(directory)/final.json")
        try TeacherEvaluationCache.store(summary, checkpoint: checkpoint, runsRoot: options.runsRoot, key: key)
        reporter.note(String(format: "teacher: test top-1 %.2f%%", metrics.top1 * 100))
    }
}
