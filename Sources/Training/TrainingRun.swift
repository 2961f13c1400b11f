// One training run (a teacher, or a student under one objective and seed):
// the loop, checkpoints every epoch (and on Ctrl-C), exact resume, metrics files.

import Foundation
import TensorCore
import NN
import Optim
import Objectives

/// Trains `model` with `objective` on `data`, writing into `directory`:
/// `metrics.tsv`, `events.jsonl`, `state.atkd` (resumable), `model.atkd` and `final.json`.
public final class TrainingRun {
    public let directory: String
    public let arm: String
    public let seed: UInt64
    public let train: TrainSpec
    public let model: any Model
    public let teacher: (any Model)?
    public let objective: any Objective
    public let data: DataProvider
    public let engine: any Kernels
    public let evalEvery: Int
    public var reporter: ProgressReporter
    /// Extra fields recorded in `final.json` (teacher name, spec name, …).
    public var labels: [String: String] = [:]
    /// Mid-epoch checkpoint interval; epoch ends always checkpoint.
    public var checkpointSeconds = 300.0
    /// Called after every optimisation step with the global step count (tests, tools).
    public var afterStep: ((Int) -> Void)?
    /// Teacher outputs shared with the other arms of this seed (nil: computed every step).
    public var teacherCache: TeacherOutputCache?
    /// Metrics of the last validation evaluation (nil without a validation split).
    var lastValidation: ClassificationMetrics?
    /// The teacher's predictions on the validation split, once computed.
    var teacherValidation: [Int]?
    /// First this many test images per class make the corruption suite evaluated after training
    /// (0 = none); needs a `DatasetProvider`.
    public var corruptionPerClass = 0
    /// Components of the fingerprint the caller adds (spec parts the run cannot see: dataset, distill).
    public var identityComponents: [String: String] = [:]
    /// Spread over the processes of a group (nil: this process alone); see `DataParallel`.
    public var dataParallel: DataParallel?
    /// Whether this process writes the run's files (all but rank 1… of a data-parallel run).
    public var writes: Bool { dataParallel?.writes ?? true }
    /// The group's decisions from the last step (data-parallel runs).
    var lastStep: DataParallel.StepTotals?
    /// When the run last wrote its checkpoint.
    var lastSave = Date()

    let sgd: SGD
    let schedule: LearningRateSchedule
    let stepsPerEpoch: Int
    var state = TrainingState()
    let events: EventLog
    /// `steps.tsv`: several rows per epoch (`StepLog`); `stepLog.pointsPerEpoch = 0` turns it off.
    public lazy var stepLog = StepLog(directory: directory)

    public init(directory: String, arm: String, seed: UInt64, train: TrainSpec, model: any Model,
                teacher: (any Model)?, objective: any Objective, data: DataProvider, engine: any Kernels,
                evalEvery: Int = 1, reporter: ProgressReporter = ProgressReporter()) throws {
        self.directory = directory; self.arm = arm; self.seed = seed; self.train = train
        self.model = model; self.teacher = teacher; self.objective = objective; self.data = data
        self.engine = engine; self.evalEvery = evalEvery; self.reporter = reporter
        if objective.needsTeacher && teacher == nil {
            throw SpecError("objective `\(objective.name)` needs a teacher")
        }
        stepsPerEpoch = data.batchesPerEpoch(batchSize: train.batchSize)
        guard stepsPerEpoch > 0 else {
            throw TrainingError.data("\(data.trainCount) training images make no full batch of \(train.batchSize)")
        }
        if objective.needsSetup {
            try objective.prepare(Self.setup(model: model, teacher: teacher, data: data, seed: seed, engine: engine))
        }
        let studentNames = Set(model.parameters.map(\.name) + model.buffers.map(\.name))
        if let clash = (objective.parameters.map(\.name) + objective.buffers.map(\.name)).first(where: studentNames.contains) {
            throw TrainingError.data("objective `\(objective.name)` part \(clash) has the name of a \(model.name) tensor")
        }
        // The objective's trainable parts (FitNets' regressor, CRD's heads) follow the student's
        // parameters in one SGD, with its learning rate, momentum and weight decay (RepDistiller's
        // `trainable_list`); CE, KD, AT and AT+KD have none, so their optimiser is unchanged.
        sgd = SGD(parameters: model.parameters + objective.parameters, momentum: train.momentum,
                  nesterov: train.nesterov, weightDecay: train.weightDecay)
        schedule = LearningRateSchedule(
            kind: train.schedule, baseLR: train.lr, totalSteps: stepsPerEpoch * train.epochs,
            stepsPerEpoch: stepsPerEpoch, warmupSteps: train.warmupEpochs * stepsPerEpoch,
            milestones: train.milestones, gamma: train.gamma)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        events = EventLog(path: "\(directory)/events.jsonl")
    }

    var statePath: String { "\(directory)/state.atkd" }
    var metricsPath: String { "\(directory)/metrics.tsv" }
    public var finalPath: String { "\(directory)/final.json" }
    public var modelPath: String { "\(directory)/model.atkd" }

    /// Trains to the end (or continues from `state.atkd` when `resume`), then evaluates and
    /// writes `final.json`. Returns the final summary.
    /// What defines this run: arm, seed, model, training settings, evaluation cadence, engine,
    /// threads, the data's identity, the teacher's weights, and `identityComponents`.
    public func fingerprint() -> RunFingerprint {
        var c = identityComponents
        c["arm"] = arm
        c["seed"] = String(seed)
        c["model"] = model.name
        c["training"] = RunFingerprint.digest(train)
        c["eval_every"] = String(evalEvery)
        c["engine"] = engine.name
        c["threads"] = String(engine.threads)
        c["data"] = data.identity
        if let dp = dataParallel { c["data_parallel"] = dp.description }
        if let t = teacher {
            c["teacher"] = "\(t.name) weights md5 "
                + RunFingerprint.digest(floats: t.parameters.map(\.value.data) + t.buffers.map(\.value.data))
        }
        return RunFingerprint(components: c)
    }

    /// Throws when this folder holds a run (a checkpoint or a final result) whose recorded
    /// fingerprint differs from this run's, naming each difference; records the fingerprint
    /// when the folder has none yet. Nothing in the folder is changed when it throws.
    public func checkIdentity() throws {
        let fm = FileManager.default
        let current = fingerprint()
        let holdsRun = fm.fileExists(atPath: statePath) || fm.fileExists(atPath: finalPath)
        if holdsRun, let recorded = try RunFingerprint.load(directory: directory) {
            let diff = current.differences(from: recorded)
            if !diff.isEmpty {
                throw TrainingError.identityMismatch("\(directory) holds another run (" + diff.joined(separator: "; ")
                    + "); run with --fresh to start it over, or use another --runs folder")
            }
            return
        }
        guard writes else { return }
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try current.save(directory: directory)
    }

    @discardableResult
    public func run(resume: Bool) throws -> RunSummary {
        events.enabled = writes
        if let dp = dataParallel { try checkDataParallel(dp) }
        if resume { try checkIdentity() } else if writes {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try fingerprint().save(directory: directory)
        }
        // Every process of a group resumes, or none: they decide from the same file before any writes it.
        let resuming = try agreed(resume && FileManager.default.fileExists(atPath: statePath), "whether to resume")
        if resuming {
            try loadState()
            events.log("resume", ["epoch": state.epoch, "batch": state.batch, "commit": GitState.shared.commit ?? "unknown"])
            reporter.note("resuming \(arm) seed \(seed) at epoch \(state.epoch + 1), batch \(state.batch)")
        } else if writes {
            try? FileManager.default.removeItem(atPath: metricsPath)
            try? FileManager.default.removeItem(atPath: "\(directory)/events.jsonl")
            try? FileManager.default.removeItem(atPath: finalPath)
            var fields: [String: Any] = ["arm": arm, "seed": Int(seed), "model": model.name,
                                         "params": model.parameterCount, "steps_per_epoch": stepsPerEpoch]
            if objective.parameterCount > 0 { fields["training_only_params"] = objective.parameterCount }
            events.log("start", fields)
        }
        let teacherPredictions = try teacher.map { t in
            if let cached = teacherCache?.testPredictions { return cached }
            let p = try predictions(of: t)
            teacherCache?.testPredictions = p
            return p
        }
        var lastMetrics: ClassificationMetrics? = nil
        lastValidation = nil
        let wallStart = Date()
        let wallBase = state.wallSeconds
        lastSave = Date()

        while state.epoch < train.epochs {
            let epochStart = Date()
            // A data-parallel rank draws only its share of each global batch.
            let batches = dataParallel.flatMap { $0.group.size > 1 ? $0 : nil }.map {
                data.trainBatches(seed: seed, epoch: state.epoch, startBatch: state.batch, batchSize: train.batchSize,
                                  rows: $0.rows(batchSize: train.batchSize))
            } ?? data.trainBatches(seed: seed, epoch: state.epoch, startBatch: state.batch, batchSize: train.batchSize)
            while let batch = batches.next() {
                let t0 = Date()
                let lr = schedule.lr(at: state.epoch * stepsPerEpoch + state.batch)
                try step(batch, lr: lr)
                state.trainSeconds += Date().timeIntervalSince(t0)
                state.trainImages += train.batchSize  // the global batch, also in a data-parallel rank
                state.batch += 1
                afterStep?(state.epoch * stepsPerEpoch + state.batch)
                if writes { try stepLog.record(self, lr: lr) }
                state.wallSeconds = wallBase + Date().timeIntervalSince(wallStart)
                reporter.step(epoch: state.epoch + 1, epochs: train.epochs, batch: state.batch, batches: stepsPerEpoch, batchSize: train.batchSize,
                              imagesPerSecond: Double(state.trainImages) / max(state.trainSeconds, 1e-9),
                              terms: state.termSums.mapValues { $0 / Double(max(state.batch, 1)) }, lr: lr)
                if lastStep?.interrupt ?? (interruptRequested != 0) {
                    try saveState()
                    events.log("interrupt", ["epoch": state.epoch, "batch": state.batch])
                    throw TrainingError.interrupted("\(directory) checkpointed at epoch \(state.epoch + 1), batch \(state.batch)")
                }
                let due = lastStep?.checkpointDue ?? (Date().timeIntervalSince(lastSave) > checkpointSeconds)
                if state.batch < stepsPerEpoch, due {
                    try saveState(); lastSave = Date()
                }
            }
            let epoch = state.epoch + 1
            var metrics: ClassificationMetrics? = nil, validation: ClassificationMetrics? = nil
            if epoch % evalEvery == 0 || epoch == train.epochs {
              do {
                if data.validationCount > 0 {
                    // Choices are made on validation; the test split is evaluated once, at the end.
                    validation = try evaluate(model, split: .validation, teacherPredictions: teacherValidationPredictions())
                    lastValidation = validation
                    if let v = validation, v.top1 > state.bestTop1 { state.bestTop1 = v.top1; state.bestEpoch = epoch }
                    if epoch == train.epochs { metrics = try evaluate(model, teacherPredictions: teacherPredictions) }
                } else {
                    metrics = try evaluate(model, teacherPredictions: teacherPredictions)
                    if let m = metrics, m.top1 > state.bestTop1 { state.bestTop1 = m.top1; state.bestEpoch = epoch }
                }
                if metrics != nil { lastMetrics = metrics }
              } catch TrainingError.interrupted {
                // The epoch's steps are done: checkpoint them; a resume re-runs only the evaluation.
                try saveState()
                events.log("interrupt", ["epoch": state.epoch, "batch": state.batch, "phase": "evaluation"])
                throw TrainingError.interrupted("\(directory) checkpointed after the steps of epoch \(epoch), before its evaluation")
              }
            }
            try appendMetricsRow(epoch: epoch, metrics: metrics, validation: validation,
                                 seconds: Date().timeIntervalSince(epochStart))
            events.log("epoch", ["epoch": epoch, "train_loss": state.lossSum / Double(max(state.batch, 1)),
                                 "test_top1": metrics?.top1 ?? -1, "val_top1": validation?.top1 ?? -1])
            reporter.epochDone(epoch: epoch, epochs: train.epochs, trainLoss: state.lossSum / Double(max(state.batch, 1)),
                               testTop1: metrics?.top1, validationTop1: validation?.top1)
            state.epoch += 1
            state.resetEpochSums()
            try saveState(); lastSave = Date()
        }
        let finalMetrics = try lastMetrics ?? evaluate(model, teacherPredictions: teacherPredictions)
        if data.validationCount > 0, lastValidation == nil {
            lastValidation = try evaluate(model, split: .validation, teacherPredictions: teacherValidationPredictions())
        }
        return try finish(finalMetrics, validation: lastValidation)
    }

    /// The split an evaluation reads.
    public enum Split { case test, validation }

    /// Metrics of `net` in eval mode on the test split (or the validation split).
    /// Ctrl-C stops it within a batch (`TrainingError.interrupted`): nothing of it is kept.
    /// In a data-parallel run the ranks evaluate every N-th batch each and sum their accumulators.
    public func evaluate(_ net: any Model, split: Split = .test, teacherPredictions: [Int]?) throws -> ClassificationMetrics {
        var acc = MetricsAccumulator(classes: data.classes)
        var offset = 0
        let batches = batchesOf(split)
        let total = ((split == .test ? data.testCount : data.validationCount) + 255) / 256, started = Date()
        var done = 0
        let dp = dataParallel.flatMap { $0.group.size > 1 ? $0 : nil }
        var index = -1
        while let b = batches.next() {
            if interruptRequested != 0 { throw TrainingError.interrupted("\(directory): stopped during evaluation") }
            index += 1
            if let dp, index % dp.group.size != dp.group.rank { offset += b.labels.count; continue }
            done += 1
            reporter.phase(split == .test ? "evaluating (test)" : "evaluating (validation)", done: done, total: total,
                           started: started)
            let logits = net.forward(b.x, ForwardContext(engine: engine, training: false)).logits
            let tp = teacherPredictions.map { Array($0[offset..<(offset + b.labels.count)]) }
            acc.add(logits: logits, labels: b.labels, teacherPredictions: tp)
            offset += b.labels.count
        }
        if let dp {
            var sums = acc.sums
            dp.group.sum(&sums)
            acc = MetricsAccumulator(classes: data.classes, sums: sums)
        }
        return acc.summary()
    }

    func batchesOf(_ split: Split) -> AnyIterator<LabeledBatch> {
        switch split {
        case .test: return data.testBatches(batchSize: 256)
        case .validation: return data.validationBatches(batchSize: 256) ?? AnyIterator { nil }
        }
    }

    /// The teacher's validation predictions, computed once per run (nil without a teacher).
    func teacherValidationPredictions() -> [Int]? {
        guard let t = teacher else { return nil }
        if let p = teacherValidation { return p }
        let p = try? predictions(of: t, split: .validation)  // an interrupt here surfaces at the next step
        teacherValidation = p
        return p
    }

    /// In a data-parallel run the ranks predict every N-th batch each; the others' entries are
    /// filled by one sum (each entry is predicted by exactly one rank, the rest add 0).
    func predictions(of net: any Model, split: Split = .test) throws -> [Int] {
        var out: [Int] = []
        let batches = batchesOf(split)
        let total = ((split == .test ? data.testCount : data.validationCount) + 255) / 256, started = Date()
        var done = 0
        let dp = dataParallel.flatMap { $0.group.size > 1 ? $0 : nil }
        var index = -1
        while let b = batches.next() {
            if interruptRequested != 0 { throw TrainingError.interrupted("\(directory): stopped computing the teacher's predictions") }
            index += 1
            if let dp, index % dp.group.size != dp.group.rank { out += Array(repeating: -1, count: b.labels.count); continue }
            done += 1
            reporter.phase(split == .test ? "teacher predictions (test)" : "teacher predictions (validation)",
                           done: done, total: total, started: started)
            out += net.forward(b.x, ForwardContext(engine: engine, training: false)).logits.argmaxRows()
        }
        if let dp {
            var shifted = out.map { Double($0 + 1) }  // −1 (another rank's) → 0
            dp.group.sum(&shifted)
            out = shifted.map { Int($0) - 1 }
        }
        return out
    }
}
