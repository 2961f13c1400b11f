// One experiment directory (`runs/<name>/` or `reports/runs/<name>/`): its spec, teacher and
// every planned or found arm × seed run.

import Foundation
import Training

/// Everything the report reads from one experiment directory.
public struct ExperimentResults {
    /// `spec.name`, or the directory name when the spec is unreadable.
    public var name: String
    public var directory: String
    /// The resolved spec (`spec.json`), when readable.
    public var spec: ExperimentSpec?
    public var teacher: RunRecord?
    /// Student runs, by arm (in `arms` order) then seed.
    public var runs: [RunRecord]
    /// Arms in report order: the spec's, then any others found on disk.
    public var arms: [String]
    /// Problems found while reading (corrupt spec, unknown folders, corrupt runs).
    public var warnings: [String]
    /// The folder holds a model trained on its own by `atkd train` (its spec's students are not planned).
    public var trainedOnly = false

    /// The canonical order of the four arms when the spec does not give one.
    public static let canonicalArms = ["ce", "kd", "at", "atkd"]

    /// Reads `directory`; never throws — unreadable parts become warnings and statuses.
    public static func load(directory: String) -> ExperimentResults {
        let fm = FileManager.default
        let base = (directory as NSString).lastPathComponent
        var warnings: [String] = []
        var spec: ExperimentSpec? = nil
        var trainedOnly = false
        let specPath = "\(directory)/spec.json"
        if let data = fm.contents(atPath: specPath) {
            trainedOnly = madeByTrain(specJSON: data)
            do { spec = try SpecLoader.load(data, source: specPath) } catch {
                warnings.append("\(specPath): unreadable spec (\(RunRecord.shortReason(error)))")
            }
        } else {
            warnings.append("\(specPath): missing; arms and seeds are taken from the run folders")
        }

        // Run folders on disk: `<arm>-seed<k>` and `teacher`.
        var found: [(arm: String, seed: Int)] = []
        var hasTeacher = false
        for entry in ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).sorted() {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: "\(directory)/\(entry)", isDirectory: &isDir), isDir.boolValue else { continue }
            if entry == "teacher" { hasTeacher = true; continue }
            if let parsed = parseRunName(entry) { found.append(parsed) } else {
                warnings.append("\(directory)/\(entry): not a run folder (expected <arm>-seed<k> or teacher); ignored")
            }
        }

        // A model trained on its own (`atkd train --spec SPEC --name NAME`) records SPEC, students and
        // all; none of its students is planned there.
        let plannedArms = trainedOnly ? [] : spec?.arms ?? []
        var arms = plannedArms
        for a in canonicalArms + found.map(\.arm).sorted() where !arms.contains(a) && found.contains(where: { $0.arm == a }) {
            arms.append(a)
        }
        let plannedSeeds = spec?.seeds ?? []
        let studentEpochs = spec?.student.train.epochs
        var runs: [RunRecord] = []
        for arm in arms {
            var seeds = plannedArms.contains(arm) ? plannedSeeds : []
            for f in found where f.arm == arm && !seeds.contains(f.seed) { seeds.append(f.seed) }
            for seed in seeds.sorted() {
                let name = "\(arm)-seed\(seed)"
                runs.append(RunRecord.load(directory: "\(directory)/\(name)", name: name, arm: arm, seed: seed,
                                           plannedEpochs: studentEpochs))
            }
        }
        let needsTeacher = arms.contains { $0 != "ce" }
        let teacher: RunRecord? = hasTeacher || needsTeacher
            ? RunRecord.load(directory: "\(directory)/teacher", name: "teacher", arm: "teacher", seed: nil,
                             plannedEpochs: spec?.teacher.train.epochs)
            : nil
        for r in runs + (teacher.map { [$0] } ?? []) {
            if case .corrupt(let why) = r.status { warnings.append("\(r.directory): corrupt run directory — \(why)") }
            if let why = r.stepsProblem { warnings.append("\(r.directory): \(why); its curves use metrics.tsv alone") }
        }
        if spec == nil && runs.isEmpty && (teacher?.status == .missing || teacher == nil) {
            warnings.append("\(directory): empty or not an experiment directory (no spec.json, no run folders)")
        }
        return ExperimentResults(name: spec?.name ?? base, directory: directory, spec: spec, teacher: teacher,
                                 runs: runs, arms: arms, warnings: warnings, trainedOnly: trainedOnly)
    }

    /// Whether a folder's `spec.json` was written by `atkd train` (its provenance's command line
    /// names that subcommand): a teacher trained on its own, not an experiment with students.
    static func madeByTrain(specJSON data: Data) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let provenance = object["provenance"] as? [String: Any],
              let line = provenance["command_line"] as? [String], line.count > 1 else { return false }
        return line[1] == "train"
    }

    /// `kd-seed3` → (`kd`, 3); nil for anything else.
    public static func parseRunName(_ name: String) -> (arm: String, seed: Int)? {
        guard let r = name.range(of: "-seed", options: .backwards) else { return nil }
        let arm = String(name[..<r.lowerBound])
        guard !arm.isEmpty, let seed = Int(name[r.upperBound...]) else { return nil }
        return (arm, seed)
    }

    /// The runs of one arm, by seed.
    public func runs(arm: String) -> [RunRecord] { runs.filter { $0.arm == arm } }

    /// Per-arm aggregates in `arms` order.
    public var armSummaries: [ArmSummary] { arms.map { ArmSummary(arm: $0, runs: runs(arm: $0)) } }

    /// Class names from the first finished run (or the teacher); empty when nothing finished.
    public var classNames: [String] {
        (runs.compactMap { $0.summary?.classNames.isEmpty == false ? $0.summary?.classNames : nil }.first)
            ?? teacher?.summary?.classNames ?? []
    }

    /// How many finished student runs and how many epochs were recorded: the report prefers the
    /// copy of an experiment with more progress.
    public var progress: (finished: Int, epochs: Int) {
        let all = runs + (teacher.map { [$0] } ?? [])
        return (all.filter { $0.status == .finished }.count, all.reduce(0) { $0 + ($1.metrics?.rows.count ?? 0) })
    }
}
