// What a campaign of experiments has done, what is running and what remains, with the measured
// cost of the rest: every unit (a teacher, an arm × seed) read from its run folder.

import Foundation
import Training

/// One unit of an experiment and what it still costs.
public struct CampaignUnit: Equatable {
    public var experiment: String
    /// `teacher` or `<arm>-seed<k>`.
    public var name: String
    public var status: String
    public var epochsDone: Int
    public var epochsPlanned: Int
    /// Median `epoch_seconds` measured for this unit, or for the same arm in another seed (`~`),
    /// or (`≈`, a distillation arm never measured) the median over the experiment's measured
    /// distillation units of other arms.
    public var secondsPerEpoch: Double?
    public var measuredHere: Bool
    public var done: Bool
    /// `secondsPerEpoch` comes from other arms (`≈`): an estimate, not this arm's cost.
    public var estimatedFromOtherArms = false
    /// `secondsPerEpoch` comes from the steps of the epoch in progress (`*`): no whole epoch of this
    /// unit is measured yet (the test pass is not included).
    public var fromEpochInProgress = false

    /// Seconds still to spend: remaining epochs × seconds per epoch (nil when not measured yet).
    public var remainingSeconds: Double? {
        done ? 0 : secondsPerEpoch.map { Double(max(epochsPlanned - epochsDone, 0)) * $0 }
    }
}

public enum CampaignStatus {
    /// The units of `spec` read from `<runsRoot>/<spec.name>/`; a teacher whose checkpoint exists at
    /// `projectRoot/<teacher.checkpoint>` counts as done (shipped).
    public static func units(of spec: ExperimentSpec, runsRoot: String, projectRoot: String) -> [CampaignUnit] {
        let dir = "\(runsRoot)/\(spec.name)"
        var out: [CampaignUnit] = []
        if spec.arms.contains(where: { $0 != "ce" }) {
            let record = RunRecord.load(directory: "\(dir)/teacher", name: "teacher", arm: "teacher", seed: nil,
                                        plannedEpochs: spec.teacher.train.epochs)
            let shipped = !spec.teacher.checkpoint.isEmpty
                && FileManager.default.fileExists(atPath: "\(projectRoot)/\(spec.teacher.checkpoint)")
            var unit = unit(record, experiment: spec.name, planned: spec.teacher.train.epochs)
            if shipped && !unit.done { unit.done = true; unit.status = "shipped (\(spec.teacher.checkpoint))" }
            out.append(unit)
        }
        var students: [CampaignUnit] = []
        for seed in spec.seeds {
            for arm in spec.arms {
                let name = "\(arm)-seed\(seed)"
                let record = RunRecord.load(directory: "\(dir)/\(name)", name: name, arm: arm, seed: seed,
                                            plannedEpochs: spec.student.train.epochs)
                students.append(unit(record, experiment: spec.name, planned: spec.student.train.epochs))
            }
        }
        // A unit not measured yet borrows the median of its arm's measured seeds.
        for i in students.indices where students[i].secondsPerEpoch == nil {
            let arm = String(students[i].name.split(separator: "-").first ?? "")
            let measured = students.filter { $0.measuredHere && $0.name.hasPrefix("\(arm)-") }.compactMap(\.secondsPerEpoch)
            if let m = median(measured) { students[i].secondsPerEpoch = m }
        }
        // A distillation arm never measured: the median of the experiment's measured distillation
        // units (also those of other specs in the same folder, e.g. an add-on spec's methods beside
        // (a)'s arms): they run the same teacher and student, so the same order of cost.
        let distilled = (students + otherStudentUnits(in: dir, besides: Set(students.map(\.name)), experiment: spec.name,
                                                      planned: spec.student.train.epochs))
            .filter { $0.measuredHere && !$0.name.hasPrefix("ce-") }.compactMap(\.secondsPerEpoch)
        if let m = median(distilled) {
            for i in students.indices where students[i].secondsPerEpoch == nil && !students[i].name.hasPrefix("ce-") {
                students[i].secondsPerEpoch = m
                students[i].estimatedFromOtherArms = true
            }
        }
        return out + students
    }

    /// Student units (`<arm>-seed<k>` folders) in `dir` that `besides` does not name.
    static func otherStudentUnits(in dir: String, besides: Set<String>, experiment: String, planned: Int) -> [CampaignUnit] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.sorted().compactMap { name in
            guard !besides.contains(name), let cut = name.range(of: "-seed", options: .backwards),
                  let seed = Int(name[cut.upperBound...]) else { return nil }
            let record = RunRecord.load(directory: "\(dir)/\(name)", name: name, arm: String(name[..<cut.lowerBound]),
                                        seed: seed, plannedEpochs: planned)
            return unit(record, experiment: experiment, planned: planned)
        }
    }

    /// A model trained on its own by `atkd train --spec SPEC --name NAME` (the campaign's control
    /// teacher): its folder `<runsRoot>/<NAME>/teacher`, planned epochs the spec's teacher epochs.
    public static func trainedUnit(name: String, spec: ExperimentSpec, runsRoot: String) -> CampaignUnit {
        let planned = spec.teacher.train.epochs
        let record = RunRecord.load(directory: "\(runsRoot)/\(name)/teacher", name: "teacher", arm: "teacher", seed: nil,
                                    plannedEpochs: planned)
        return unit(record, experiment: name, planned: planned)
    }

    static func unit(_ r: RunRecord, experiment: String, planned: Int) -> CampaignUnit {
        // NOTE: an epoch resumed mid-way records only the time after the resume: not an epoch's cost.
        let partial = partialEpochs(directory: r.directory)
        let epochs = r.metrics?.column("epoch") ?? []
        let measured = (r.metrics?.column("epoch_seconds") ?? []).enumerated().filter { i, s in
            s.isFinite && s > 0 && !(i < epochs.count && partial.contains(Int(epochs[i])))
        }.map(\.element)
        var seconds = median(measured), current = false
        if seconds == nil, case .inProgress = r.status, let rate = epochInProgressRate(directory: r.directory) {
            seconds = rate; current = true
        }
        let done: Bool
        var epochsDone = 0
        switch r.status {
        case .finished: done = true; epochsDone = r.summary?.epochs ?? planned
        case .inProgress(let e, _): done = false; epochsDone = e
        default: done = false
        }
        return CampaignUnit(experiment: experiment, name: r.name, status: r.status.label, epochsDone: epochsDone,
                            epochsPlanned: planned, secondsPerEpoch: seconds, measuredHere: seconds != nil, done: done,
                            fromEpochInProgress: current)
    }

    /// Seconds an epoch from the training steps logged since the run last started, resumed or finished
    /// an epoch, for a unit with no whole epoch measured: (modification time of steps.tsv − that
    /// event's time) / (epochs trained since, from steps.tsv's last `epoch`). Nil with under 2 % of an
    /// epoch to go on. An hour-long teacher epoch, or one resumed mid-way, gets a cost before it ends.
    static func epochInProgressRate(directory: String) -> Double? {
        guard let text = try? String(contentsOfFile: "\(directory)/events.jsonl", encoding: .utf8),
              let steps = try? String(contentsOfFile: "\(directory)/steps.tsv", encoding: .utf8),
              let modified = (try? FileManager.default.attributesOfItem(atPath: "\(directory)/steps.tsv"))?[.modificationDate] as? Date
        else { return nil }
        var stepsPerEpoch: Double? = nil, since: (time: Date, epoch: Double)? = nil
        let iso = ISO8601DateFormatter()
        for line in text.split(separator: "\n") {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let event = obj["event"] as? String else { continue }
            if let s = obj["steps_per_epoch"] as? Int, s > 0 { stepsPerEpoch = Double(s) }
            let time = (obj["time"] as? String).flatMap { iso.date(from: $0) }
            switch event {
            case "start": since = time.map { ($0, 0) }
            case "resume":
                let e = Double(obj["epoch"] as? Int ?? 0), b = Double(obj["batch"] as? Int ?? 0)
                since = time.flatMap { t in stepsPerEpoch.map { (t, e + b / $0) } }
            case "epoch": since = time.map { ($0, Double(obj["epoch"] as? Int ?? 0)) }   // written after its test pass
            default: break
            }
        }
        let rows = steps.split(separator: "\n")
        guard let since, let header = rows.first?.split(separator: "\t").map(String.init),
              let column = header.firstIndex(of: "epoch"), rows.count > 1 else { return nil }
        let last = rows[rows.count - 1].split(separator: "\t")
        guard column < last.count, let epoch = Double(last[column]) else { return nil }
        let trained = epoch - since.epoch, seconds = modified.timeIntervalSince(since.time)
        guard trained >= 0.02, seconds > 0 else { return nil }
        return seconds / trained
    }

    /// The (1-based) epochs a run resumed in the middle of, from its `events.jsonl` resume events
    /// (`epoch` there is the 0-based epoch, `batch` > 0 the batch it continued at).
    static func partialEpochs(directory: String) -> Set<Int> {
        guard let text = try? String(contentsOfFile: "\(directory)/events.jsonl", encoding: .utf8) else { return [] }
        var out = Set<Int>()
        for line in text.split(separator: "\n") where line.contains("\"resume\"") {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  obj["event"] as? String == "resume", let e = obj["epoch"] as? Int, let b = obj["batch"] as? Int, b > 0
            else { continue }
            out.insert(e + 1)
        }
        return out
    }

    static func median(_ v: [Double]) -> Double? {
        guard !v.isEmpty else { return nil }
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The seeds' teacher outputs kept on disk (`TeacherOutputStore`) under the experiments'
    /// folders in `runsRoot`, with their bytes: what a running or interrupted seed holds until its
    /// units finish.
    public static func teacherOutputFolders(experiments: [String], runsRoot: String) -> [(path: String, bytes: Int)] {
        let fm = FileManager.default
        return Array(Set(experiments)).sorted().flatMap { name -> [(path: String, bytes: Int)] in
            let root = "\(runsRoot)/\(name)/\(TeacherOutputStore.folderName)"
            return ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted().map { seed in
                let folder = "\(root)/\(seed)"
                let bytes = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).reduce(0) { sum, file in
                    sum + TeacherOutputStore.fileSize("\(folder)/\(file)")
                }
                return (folder, bytes)
            }
        }
    }

    /// A line per folder of `teacherOutputFolders` (none when there are none).
    public static func teacherOutputLines(_ folders: [(path: String, bytes: Int)]) -> [String] {
        folders.map { String(format: "teacher outputs on disk: %@ %.2f GB (removed when the seed's units finish)",
                             $0.path, Double($0.bytes) / 1e9) }
    }

    /// The table `atkd status` prints, and the totals under it.
    public static func table(_ units: [CampaignUnit]) -> String {
        func hours(_ s: Double) -> String { String(format: "%.2f h", s / 3600) }
        let width = max(20, units.map(\.experiment.count).max() ?? 0)
        var lines = ["experiment".padding(toLength: width, withPad: " ", startingAt: 0)
                     + " unit             status                         epochs   s/epoch   remaining"]
        for u in units {
            let mark = u.fromEpochInProgress ? "*" : u.measuredHere ? "" : u.estimatedFromOtherArms ? "≈" : "~"
            let perEpoch = u.secondsPerEpoch.map { String(format: "%@%.0f", mark, $0) } ?? "?"
            let remaining = u.remainingSeconds.map(hours) ?? "not measured"
            lines.append(u.experiment.padding(toLength: width, withPad: " ", startingAt: 0) + " "
                         + u.name.padding(toLength: 16, withPad: " ", startingAt: 0) + " "
                         + u.status.padding(toLength: 30, withPad: " ", startingAt: 0) + " "
                         + "\(u.epochsDone)/\(u.epochsPlanned)".padding(toLength: 8, withPad: " ", startingAt: 0) + " "
                         + perEpoch.padding(toLength: 9, withPad: " ", startingAt: 0) + " " + remaining)
        }
        let done = units.filter(\.done).count
        let known = units.filter { !$0.estimatedFromOtherArms }.compactMap(\.remainingSeconds).reduce(0, +)
        let estimated = units.filter(\.estimatedFromOtherArms)
        let unknown = units.filter { !$0.done && $0.remainingSeconds == nil }
        lines.append("")
        lines.append("\(done) of \(units.count) units done; measured cost of the rest: \(hours(known))"
                     + (estimated.isEmpty ? "" : " + \(hours(estimated.compactMap(\.remainingSeconds).reduce(0, +)))"
                        + " for \(estimated.count) units estimated from other arms (≈)")
                     + (unknown.isEmpty ? "" : " + \(unknown.count) units not measured yet ("
                        + unknown.map { "\($0.experiment)/\($0.name)" }.prefix(6).joined(separator: ", ")
                        + (unknown.count > 6 ? ", …" : "") + ")"))
        if units.contains(where: \.fromEpochInProgress) {
            lines.append("*: from the steps of the epoch in progress (no epoch finished yet; the test pass not included)")
        }
        return lines.joined(separator: "\n")
    }
}
