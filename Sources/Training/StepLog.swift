// steps.tsv: about eight rows per epoch (step, epoch fraction, lr, the epoch's running means of the
// loss and each term, train top-1, the AT distance per tap on fixed test images), so a short run
// still shows its shape. It reads the trainer's state and never writes it: trained numbers are unchanged.

import Foundation
import TensorCore
import NN
import ZagoruykoAT

/// Writes a run's `steps.tsv` as training goes; a resumed run first drops the rows written after
/// the checkpoint it resumes from, so no row is duplicated or lost.
///
/// Columns (plain header row, tab-separated: pandas `read_csv(sep="\t")`, gnuplot `columnhead`):
/// - `step`: optimisation steps done; `epoch`: `step / steps per epoch` (1.0 = end of epoch 1);
/// - `lr`: the learning rate of that step;
/// - `train_loss`, `loss_<term>`, `train_top1`: means over the epoch's steps so far (the trainer's
///   running sums; the epoch's last row equals its `metrics.tsv` row). A window's mean between two
///   rows b₁ < b₂ of one epoch is `(m₂·b₂ − m₁·b₁)/(b₂ − b₁)` with b the row's batch in its epoch;
/// - `at_distance.<tap>` (runs with a teacher): `(1/N) Σ_n ‖q̂_S,n − q̂_T,n‖₂` over `probeImages`
///   test images spread evenly over the test split, student in eval mode, q̂ the L2-normalised
///   map of `ATLossOptions.authorsCode` (p = 2, channel mean, teacher pooled to the student's size).
///   0 = identical maps, √2 = disjoint support.
/// - Deviation: the probe uses test images (fixed, never trained on); it measures attention
///   agreement, not accuracy.
public final class StepLog {
    public static let fileName = "steps.tsv"
    /// About this many rows per epoch: one every ⌈steps per epoch / pointsPerEpoch⌉ steps and one at
    /// each epoch's last step; 0 turns the log off.
    public var pointsPerEpoch = 8
    /// Test images the AT distance is measured on; 0 = no AT distance columns.
    public var probeImages = 32
    public let path: String
    /// Whether rows past the resumed checkpoint have been dropped (done before the first append).
    var trimmed = false
    /// The probe images and the teacher's normalised maps, made at the first row (nil: no teacher).
    var probe: Probe??

    struct Probe {
        var x: Tensor
        /// Per student tap: the teacher's target map, nil where the taps cannot be paired.
        var targets: [Tensor?]
        var tapNames: [String]
    }

    public init(directory: String) { path = "\(directory)/\(Self.fileName)" }

    /// Called after every optimisation step (`state.batch` already counts it).
    func record(_ run: TrainingRun, lr: Float) throws {
        guard pointsPerEpoch > 0 else { return }
        let perEpoch = run.stepsPerEpoch, batch = run.state.batch
        let step = run.state.epoch * perEpoch + batch
        if !trimmed {
            try keepRows(through: step - 1)
            trimmed = true
        }
        let every = max(1, (perEpoch + pointsPerEpoch - 1) / pointsPerEpoch)
        guard batch % every == 0 || batch == perEpoch else { return }

        let s = run.state
        let n = Double(max(batch, 1))
        let terms = s.termSums.keys.sorted()
        var columns = ["step", "epoch", "lr", "train_loss", "train_top1"] + terms.map { "loss_\($0)" }
        var values = ["\(step)", String(format: "%.6g", Double(step) / Double(perEpoch)), String(format: "%.6g", Double(lr)),
                      Self.number(s.lossSum / n), Self.number(Double(s.correct) / Double(max(s.seen, 1)))]
            + terms.map { Self.number(s.termSums[$0]! / n) }
        for (tap, d) in atDistances(run) {
            columns.append("at_distance.\(tap)")
            values.append(d.map { Self.number($0) } ?? "nan")
        }
        try append(values, under: columns)
    }

    static func number(_ v: Double) -> String { v.isFinite ? String(format: "%.8g", v) : "nan" }

    /// The AT distance per student tap on the probe images (empty without a teacher).
    func atDistances(_ run: TrainingRun) -> [(String, Double?)] {
        if probe == nil { probe = makeProbe(run) }
        guard let p = probe!, !p.tapNames.isEmpty else { return [] }
        let taps = run.model.forward(p.x, ForwardContext(engine: run.engine, training: false)).taps
        var options = ATLossOptions.authorsCode
        options.form = .paper
        return p.tapNames.indices.map { j in
            guard j < taps.count, let target = p.targets[j] else { return (p.tapNames[j], nil) }
            // The paper form is (1/2)(1/N) Σ_n ‖q̂_S − q̂_T‖₂: twice it is the mean distance.
            let half = ZagoruykoAT.loss(student: taps[j].value, teacherTarget: target, options: options, engine: run.engine).value
            return (p.tapNames[j], 2 * Double(half))
        }
    }

    /// Probe images evenly spaced over the test split, the teacher's maps on them, and the pairs
    /// of student and teacher taps that can be compared (same count; one larger on both axes).
    func makeProbe(_ run: TrainingRun) -> Probe? {
        guard probeImages > 0, let teacher = run.teacher, run.data.testCount > 0 else { return nil }
        let count = run.data.testCount, k = min(probeImages, count)
        var wanted = Set((0..<k).map { $0 * count / k })
        var pixels: [Float] = [], shape: [Int] = []
        var offset = 0
        let batches = run.data.testBatches(batchSize: 256)
        while !wanted.isEmpty, let b = batches.next() {
            let n = b.labels.count, size = b.x.count / max(n, 1)
            shape = Array(b.x.shape.dropFirst())
            for i in 0..<n where wanted.remove(offset + i) != nil {
                pixels += b.x.data[(i * size)..<((i + 1) * size)]
            }
            offset += n
        }
        guard !pixels.isEmpty else { return nil }
        let x = Tensor(shape: [pixels.count / shape.reduce(1, *)] + shape, data: pixels)
        let context = ForwardContext(engine: run.engine, training: false)
        let studentTaps = run.model.forward(x, context).taps
        let teacherTaps = teacher.forward(x, context).taps
        var targets: [Tensor?] = []
        for (j, s) in studentTaps.enumerated() {
            guard studentTaps.count == teacherTaps.count, s.value.rank == 4, teacherTaps[j].value.rank == 4 else {
                targets.append(nil); continue
            }
            let (hs, ws) = (s.value.shape[2], s.value.shape[3])
            let (ht, wt) = (teacherTaps[j].value.shape[2], teacherTaps[j].value.shape[3])
            guard (hs >= ht && ws >= wt) || (ht >= hs && wt >= ws) else { targets.append(nil); continue }
            targets.append(ZagoruykoAT.teacherTarget(teacher: teacherTaps[j].value, studentShape: s.value.shape,
                                                     options: .authorsCode, engine: run.engine))
        }
        return Probe(x: x, targets: targets, tapNames: studentTaps.map(\.name))
    }

    // MARK: the file

    /// Keeps the rows of steps ≤ `step` (and drops torn or foreign lines); removes the file when none is left.
    func keepRows(through step: Int) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let (header, rows) = Self.parse(text)
        guard let header else { try? FileManager.default.removeItem(atPath: path); return }
        let kept = rows.filter { (Int($0[0]) ?? Int.max) <= step }
        if kept.isEmpty { try? FileManager.default.removeItem(atPath: path); return }
        guard kept.count != rows.count || text.split(separator: "\n").count != rows.count + 1 else { return }
        try AtomicFile.write(([header] + kept).map { $0.joined(separator: "\t") }.joined(separator: "\n") + "\n", to: path)
    }

    /// Appends one row; rows written under another header (a term or tap that appeared later) are
    /// rewritten by column name, `nan` where a column is new, so no value shifts under another name.
    func append(_ values: [String], under columns: [String]) throws {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let (header, rows) = Self.parse(text)
        var lines = [columns]
        for r in rows {
            guard let h = header, h != columns else { lines.append(r); continue }
            let byName = Dictionary(zip(h, r), uniquingKeysWith: { a, _ in a })
            lines.append(columns.map { byName[$0] ?? "nan" })
        }
        lines.append(values)
        try AtomicFile.write(lines.map { $0.joined(separator: "\t") }.joined(separator: "\n") + "\n", to: path)
    }

    /// The header and the rows whose field count matches it.
    static func parse(_ text: String) -> (header: [String]?, rows: [[String]]) {
        var lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        guard let first = lines.first, first.first == "step" else { return (nil, []) }
        lines.removeFirst()
        return (first, lines.filter { $0.count == first.count && Int($0[0]) != nil })
    }
}
