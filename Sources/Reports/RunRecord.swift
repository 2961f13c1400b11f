// One run directory as the report sees it: finished, in progress, diverged, missing or corrupt.

import Foundation
import Training

/// What state a run directory is in; every state is shown in the report, none is dropped.
public enum RunStatus: Equatable {
    /// `final.json` is present and readable.
    case finished
    /// `metrics.tsv` without `final.json`: `epochs` rows written so far (of `planned`, when known).
    case inProgress(epochs: Int, planned: Int?)
    /// A non-finite loss stopped the run (`events.jsonl` has a `nonfinite` event, or the
    /// last loss in `metrics.tsv` is not finite) and no `final.json` exists.
    case diverged(String)
    /// The spec plans this arm × seed but its directory does not exist.
    case missing
    /// The directory exists but cannot be read as a run (empty, or files that do not parse).
    case corrupt(String)

    /// One short phrase for tables: `finished`, `in progress (3/30 epochs)`, ….
    public var label: String {
        switch self {
        case .finished: return "finished"
        case .inProgress(let e, let p): return "in progress (\(e)/\(p.map(String.init) ?? "?") epochs)"
        case .diverged(let why): return "diverged (\(why))"
        case .missing: return "missing"
        case .corrupt(let why): return "corrupt (\(why))"
        }
    }
}

/// A run directory (`<arm>-seed<k>/` or `teacher/`) and what could be read from it.
public struct RunRecord {
    /// Directory name: `kd-seed1`, `teacher`.
    public var name: String
    public var arm: String
    /// nil for the teacher.
    public var seed: Int?
    public var directory: String
    public var status: RunStatus
    /// `final.json`, when finished.
    public var summary: RunSummary?
    /// `metrics.tsv`, when present and readable.
    public var metrics: MetricsTable?
    /// `steps.tsv` (several rows per epoch), when present and readable; runs before the step log have none.
    public var steps: StepTable?
    /// Why a present `steps.tsv` could not be read (the curves then use `metrics.tsv` alone).
    public var stepsProblem: String?

    public init(name: String, arm: String, seed: Int?, directory: String, status: RunStatus,
                summary: RunSummary? = nil, metrics: MetricsTable? = nil) {
        self.name = name; self.arm = arm; self.seed = seed; self.directory = directory
        self.status = status; self.summary = summary; self.metrics = metrics
    }

    /// Reads `directory`; never throws: what cannot be read becomes `.corrupt` or `.missing`.
    /// `plannedEpochs` (from the spec) completes the in-progress label.
    public static func load(directory: String, name: String, arm: String, seed: Int?,
                            plannedEpochs: Int?) -> RunRecord {
        var record = RunRecord(name: name, arm: arm, seed: seed, directory: directory, status: .missing)
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir) else { return record }
        guard isDir.boolValue else { record.status = .corrupt("not a directory"); return record }
        let files = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
        if files.isEmpty { record.status = .corrupt("empty directory"); return record }

        var problems: [String] = []
        if files.contains("metrics.tsv") {
            do { record.metrics = try MetricsTable.load(path: "\(directory)/metrics.tsv") } catch {
                problems.append("metrics.tsv: \(shortReason(error))")
            }
        }
        if files.contains(StepLog.fileName) {
            do { record.steps = try StepTable.load(path: "\(directory)/\(StepLog.fileName)") } catch {
                record.stepsProblem = "\(StepLog.fileName): \(shortReason(error))"
            }
        }
        if files.contains("final.json") {
            do { record.summary = try RunSummary.load(path: "\(directory)/final.json") } catch {
                problems.append("final.json: \(shortReason(error))")
            }
        }
        let divergence = nonFiniteEvent(in: "\(directory)/events.jsonl") ?? nonFiniteLoss(record.metrics)
        if record.summary != nil {
            record.status = .finished
        } else if !problems.isEmpty {
            record.status = .corrupt(problems.joined(separator: "; "))
        } else if let why = divergence {
            record.status = .diverged(why)
        } else if let m = record.metrics {
            record.status = .inProgress(epochs: m.rows.count, planned: plannedEpochs)
        } else if files.contains(RunFingerprint.fileName) {
            // Started (a run records its identity first) but within its first epoch: metrics.tsv gets
            // its first row when that epoch ends.
            record.status = .inProgress(epochs: 0, planned: plannedEpochs)
        } else {
            record.status = .corrupt("no final.json or metrics.tsv (files: \(files.sorted().joined(separator: ", ")))")
        }
        return record
    }

    /// The first `nonfinite` event of an `events.jsonl`, as `term loss_kd at epoch 3`.
    static func nonFiniteEvent(in path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  obj["event"] as? String == "nonfinite" else { continue }
            let term = obj["term"] as? String ?? "?"
            let epoch = (obj["epoch"] as? NSNumber)?.intValue
            return "non-finite `\(term)`" + (epoch.map { " at epoch \($0)" } ?? "")
        }
        return nil
    }

    /// A non-finite training loss in the last metrics row.
    static func nonFiniteLoss(_ m: MetricsTable?) -> String? {
        guard let m, let last = m.rows.last, let i = m.columns.firstIndex(of: "train_loss"), !last[i].isFinite else {
            return nil
        }
        return "train_loss \(last[i]) at epoch \(Int(last[0]))"
    }

    static func shortReason(_ error: Error) -> String {
        let text = "\(error)"
        return text.count > 160 ? String(text.prefix(160)) + "…" : text
    }

    // MARK: numbers the report reads

    /// Final test top-1 (fraction): from `final.json`; nil when not finished.
    public var finalTop1: Double? { summary?.final.top1 }

    /// The last evaluated test top-1 in `metrics.tsv` (falls back to `final.json`), with its epoch.
    public var lastEvaluatedTop1: (epoch: Int, value: Double)? {
        metrics?.lastFinite("test_top1") ?? summary.map { ($0.epochs, $0.final.top1) }
    }

    /// Training accuracy of the last epoch (under augmentation), for the train–test gap.
    public var lastTrainTop1: Double? { metrics?.lastFinite("train_top1")?.value }

    /// Whether the run contributes to learning curves (finished or still running).
    public var hasCurves: Bool {
        switch status {
        case .finished, .inProgress: return metrics != nil
        default: return false
        }
    }
}
