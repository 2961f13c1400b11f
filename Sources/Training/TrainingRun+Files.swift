// The files of a run: resumable state, metrics.tsv rows, and final.json.

import Foundation
import TensorCore
import NN
import Models

extension TrainingRun {
    /// Weights, buffers, momentum and progress, written atomically.
    func saveState() throws {
        guard writes else { return }
        var tensors: [(String, Tensor)] = model.parameters.map { ($0.name, $0.value) }
        tensors += model.buffers.map { ($0.name, $0.value) }
        tensors += sgd.stateTensors()
        // The objective's parts (none for CE, KD, AT, AT+KD: their state files are as before).
        tensors += objective.parameters.map { ($0.name, $0.value) } + objective.buffers.map { ($0.name, $0.value) }
        let progress = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        var metadata = ["kind": "training-state", "architecture": model.name, "arm": arm, "seed": String(seed),
                        "progress": progress]
        let record = objective.stateRecord()
        if !record.isEmpty {
            metadata["objective_state"] = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        }
        try TensorArchive.write(tensors: tensors, metadata: metadata, to: statePath)
    }

    func loadState() throws {
        let archive = try TensorArchive.read(from: statePath)
        let meta = archive.metadata
        guard meta["kind"] == "training-state", meta["architecture"] == model.name else {
            throw TrainingError.badCheckpoint("\(statePath) holds \(meta["kind"] ?? "?") for \(meta["architecture"] ?? "?"), not the training state of \(model.name)")
        }
        let byName = archive.tensors
        for p in model.parameters {
            guard let t = byName[p.name], t.shape == p.value.shape else {
                throw TrainingError.badCheckpoint("\(statePath): parameter \(p.name) missing or misshaped")
            }
            p.value = t
        }
        for b in model.buffers {
            guard let t = byName[b.name], t.shape == b.value.shape else {
                throw TrainingError.badCheckpoint("\(statePath): buffer \(b.name) missing or misshaped")
            }
            b.value = t
        }
        for p in objective.parameters {
            guard let t = byName[p.name], t.shape == p.value.shape else {
                throw TrainingError.badCheckpoint("\(statePath): objective `\(objective.name)` parameter \(p.name) missing or misshaped")
            }
            p.value = t
        }
        for b in objective.buffers {
            guard let t = byName[b.name], t.shape == b.value.shape else {
                throw TrainingError.badCheckpoint("\(statePath): objective `\(objective.name)` state \(b.name) missing or misshaped")
            }
            b.value = t
        }
        try sgd.restore(from: byName)
        do {
            let record = try meta["objective_state"].map {
                try JSONDecoder().decode([String: String].self, from: Data($0.utf8))
            } ?? [:]
            try objective.restore(stateRecord: record)
        } catch {
            throw TrainingError.badCheckpoint("\(statePath): \(error)")
        }
        guard let progress = meta["progress"]?.data(using: .utf8),
              let s = try? JSONDecoder().decode(TrainingState.self, from: progress) else {
            throw TrainingError.badCheckpoint("\(statePath): unreadable progress record")
        }
        state = s
        try truncateMetrics(beforeEpoch: state.epoch + 1)
    }

    /// Keeps the header and the rows of epochs before `epoch` (1-based): rows written
    /// after the last checkpoint belong to work the resumed run will redo.
    func truncateMetrics(beforeEpoch epoch: Int) throws {
        guard writes else { return }
        guard let text = try? String(contentsOfFile: metricsPath, encoding: .utf8) else { return }
        let kept = text.split(separator: "\n").filter { line in
            MetricsHeader.columns(of: line) != nil || (Int(line.split(separator: "\t").first ?? "") ?? Int.max) < epoch
        }
        try AtomicFile.write(kept.joined(separator: "\n") + "\n", to: metricsPath)
    }

    /// One row per epoch under a plain header row naming the columns (pandas `read_csv(sep="\t")`
    /// and gnuplot `set key autotitle columnhead` both read it). Rows written under another header
    /// (an older version's, or before a loss term appeared) are rewritten by column name, `nan`
    /// where a column is new, so no row ever shifts under the wrong column.
    func appendMetricsRow(epoch: Int, metrics: ClassificationMetrics?, validation: ClassificationMetrics? = nil,
                          seconds: Double) throws {
        guard writes else { return }
        let termNames = state.termSums.keys.sorted()
        let n = Double(max(state.batch, 1))
        func f(_ v: Double?) -> String { v.map { String(format: "%.6g", $0) } ?? "nan" }
        let header = "epoch\tlr\ttrain_loss\ttrain_top1\t" + termNames.map { "loss_\($0)" }.joined(separator: "\t")
            + "\tval_top1\tval_nll\tval_ece"
            + "\ttest_top1\ttest_top5\ttest_nll\ttest_ece\tteacher_agreement\tepoch_seconds\ttrain_img_per_s"
        let lr = schedule.lr(at: epoch * stepsPerEpoch - 1)
        let row = ["\(epoch)", f(Double(lr)), f(state.lossSum / n), f(Double(state.correct) / Double(max(state.seen, 1)))]
            + termNames.map { f(state.termSums[$0]! / n) }
            + [f(validation?.top1), f(validation?.nll), f(validation?.ece)]
            + [f(metrics?.top1), f(metrics?.top5), f(metrics?.nll), f(metrics?.ece), f(metrics?.teacherAgreement),
               f(seconds), f(Double(state.trainImages) / max(state.trainSeconds, 1e-9))]
        var lines = MetricsHeader.rows(of: (try? String(contentsOfFile: metricsPath, encoding: .utf8)) ?? "",
                                       under: header.split(separator: "\t").map(String.init))
        lines.append(row.joined(separator: "\t"))
        try AtomicFile.write(([header] + lines).joined(separator: "\n") + "\n", to: metricsPath)
    }

    /// Saves the final model, measures its footprint and writes `final.json`.
    /// In a data-parallel run only rank 0 writes (and runs the corruption suite); the others return the summary.
    func finish(_ metrics: ClassificationMetrics, validation: ClassificationMetrics? = nil) throws -> RunSummary {
        if let dp = dataParallel {
            labels["data_parallel"] = dp.description
            if state.trainImages > 0 {
                labels["allreduce_ms_per_step"] = String(format: "%.2f", state.communicationSeconds * 1000
                    / Double(max(1, state.trainImages / train.batchSize)))
            }
        }
        if writes { try ModelCheckpoint.save(model: model, metadata: [
            "architecture": model.name, "classes": String(model.numClasses), "arm": arm, "seed": String(seed),
            "epochs": String(train.epochs), "test_top1": String(metrics.top1),
            "train_seconds": String(state.trainSeconds),
            "train_img_per_s": String(Double(state.trainImages) / max(state.trainSeconds, 1e-9))],
            to: modelPath) }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: modelPath)[.size] as? Int) ?? 0
        let shape = [1] + data.imageShape
        let summary = RunSummary(
            arm: arm, seed: Int(seed), model: model.name, epochs: train.epochs,
            final: metrics, classNames: data.classNames,
            bestTop1: validation == nil ? max(state.bestTop1, metrics.top1) : state.bestTop1,
            bestEpoch: state.bestEpoch == 0 ? train.epochs : state.bestEpoch,
            params: model.parameterCount, trainingOnlyParams: objective.parameterCount > 0 ? objective.parameterCount : nil,
            macs: ModelZoo.macs(model, input: data.imageShape[1], engine: engine),
            checkpointBytes: bytes, latencyMs: Footprint.latencyMs(model, inputShape: shape, engine: engine),
            trainImagesPerSecond: Double(state.trainImages) / max(state.trainSeconds, 1e-9),
            trainSeconds: state.trainSeconds, wallSeconds: state.wallSeconds, labels: labels,
            provenance: RunProvenance.current(threads: engine.threads, engine: engine.name),
            validation: validation, corruptions: writes ? try corruptionReport() : nil)
        guard writes else { return summary }
        try AtomicFile.write(summary.jsonData(), to: finalPath)
        events.log("done", ["test_top1": metrics.top1, "best_top1": summary.bestTop1])
        reporter.note(String(format: "%@ seed %d: test top-1 %.2f%% (best %.2f%% at epoch %d), %.0f img/s",
                             arm, Int(seed), metrics.top1 * 100, summary.bestTop1 * 100, summary.bestEpoch,
                             summary.trainImagesPerSecond))
        return summary
    }
}

extension TrainingRun {
    /// The final model on the corruption suite when `corruptionPerClass` > 0 and the data is a
    /// real dataset (synthetic providers have no images to corrupt).
    func corruptionReport() throws -> CorruptionReport? {
        guard corruptionPerClass > 0, let provider = data as? DatasetProvider else { return nil }
        reporter.note("\(arm) seed \(seed): corruption suite on the first \(corruptionPerClass) test images per class")
        var options = CorruptionOptions(testPerClass: corruptionPerClass, threads: max(1, engine.threads))
        options.seed = 0
        let total = 1 + options.corruptions.count * Set(options.severities).count, started = Date()
        var done = 0
        let report = try CorruptionEvaluation.run(model: model, name: model.name, engine: engine, data: provider,
                                                  options: options) { _ in
            done += 1
            self.reporter.phase("corruption suite", done: done, total: total, started: started)
        }
        events.log("corruptions", ["mca": report.meanCorruptionAccuracy, "clean_top1": report.clean.top1])
        return report
    }
}

/// The header row of `metrics.tsv`: `epoch\t…` (or `# epoch\t…`, as versions before 0.6 wrote it).
public enum MetricsHeader {
    /// The column names when `line` is a header row, else nil.
    public static func columns<S: StringProtocol>(of line: S) -> [String]? {
        var text = Substring(line)
        if text.hasPrefix("#") { text = text.dropFirst().drop(while: { $0 == " " }) }
        guard text.hasPrefix("epoch\t") || text == "epoch" else { return nil }
        return text.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The data rows of a metrics file, each rewritten under `columns` by name (`nan` for a column
    /// its header lacks); rows whose field count disagrees with their header are kept as they are.
    public static func rows(of text: String, under columns: [String]) -> [String] {
        var header: [String]? = nil
        var out: [String] = []
        for line in text.split(separator: "\n") {
            if let cols = self.columns(of: line) { header = cols; continue }
            if line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard let old = header, old != columns, old.count == fields.count else { out.append(String(line)); continue }
            let byName = Dictionary(zip(old, fields), uniquingKeysWith: { a, _ in a })
            out.append(columns.map { byName[$0] ?? "nan" }.joined(separator: "\t"))
        }
        return out
    }
}

/// What `final.json` holds for one run.
public struct RunSummary: Codable, Equatable {
    public var arm: String
    public var seed: Int
    public var model: String
    public var epochs: Int
    /// Metrics of the final model on the test split.
    public var final: ClassificationMetrics
    public var classNames: [String]
    public var bestTop1: Double
    public var bestEpoch: Int
    public var params: Int
    /// Trainable values of the objective's own parts (FitNets' regressor, CRD's heads), trained with
    /// the student and discarded after training: not in `params` or the saved model; nil = none.
    public var trainingOnlyParams: Int? = nil
    public var macs: Int
    public var checkpointBytes: Int
    /// Median single-image forward latency on this CPU (ms).
    public var latencyMs: Double
    public var trainImagesPerSecond: Double
    public var trainSeconds: Double
    public var wallSeconds: Double
    public var labels: [String: String]
    /// Code, command, machine and OpenBLAS core of the process that finished the run (nil in
    /// summaries written before it was recorded).
    public var provenance: RunProvenance? = nil
    /// Final-epoch metrics on the held-out validation split (nil without one); `best_top1` and
    /// `best_epoch` are then the validation's.
    public var validation: ClassificationMetrics? = nil
    /// The final model on the corruption suite (`corruption_per_class` > 0), nil otherwise.
    public var corruptions: CorruptionReport? = nil

    public func jsonData() throws -> Data {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(self)
    }

    public static func load(path: String) throws -> RunSummary {
        guard let data = FileManager.default.contents(atPath: path) else { throw SpecError("\(path): cannot read") }
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        do { return try d.decode(RunSummary.self, from: data) } catch {
            throw SpecError("\(path): not a run summary (\(error))")
        }
    }
}
