// Ours beside the PyTorch peer: the ratio tables and the JSON lines `atkd bench` prints.

import Foundation

/// One model's row: our result, the peer's when it ran, and ours / PyTorch.
public struct ModelComparison: Sendable {
    public var ours: ModelBenchResult
    public var peer: PeerRecord?

    /// Alternated rounds this row was chosen from (`BenchRounds`), and their training-ratio range.
    public var rounds = 1
    public var trainRatioRange: ClosedRange<Double>?

    public init(ours: ModelBenchResult, peer: PeerRecord?) { self.ours = ours; self.peer = peer }

    public var trainRatio: Double? { peer?.trainImgS.map { ours.trainImgS / $0 } }
    public var inferRatio: Double? { peer?.inferImgS.map { ours.inferImgS / $0 } }
    /// False when the peer's architecture differs from ours (parameter or MAC count).
    public var definitionsMatch: Bool? {
        peer.map { $0.params == ours.params && ($0.macs == nil || $0.macs == ours.macs) }
    }
}

/// One pair's row.
public struct PairComparison: Sendable {
    public var ours: PairBenchResult
    public var peer: PeerRecord?
    public var rounds = 1
    public var ratioRange: ClosedRange<Double>?
    public init(ours: PairBenchResult, peer: PeerRecord?) { self.ours = ours; self.peer = peer }
    public var ratio: Double? { peer?.atkdStepImgS.map { ours.atkdStepImgS / $0 } }
}

/// Formats comparisons as text tables or JSON lines.
public enum BenchReport {
    /// Our record as one JSON object, with `torch_*` fields, ratios and `params_match` when the peer ran.
    public static func jsonLine(_ c: ModelComparison) -> String {
        var obj = encodeObject(c.ours)
        if let p = c.peer {
            obj["torch_train_img_s"] = p.trainImgS; obj["torch_infer_img_s"] = p.inferImgS
            obj["torch_params"] = p.params; obj["torch_peak_rss_mb"] = p.peakRssMb; obj["torch"] = p.torch
            obj["train_ratio"] = c.trainRatio; obj["infer_ratio"] = c.inferRatio
            obj["params_match"] = c.definitionsMatch
        }
        if c.rounds > 1 { obj["rounds"] = c.rounds }
        if let r = c.trainRatioRange, c.rounds > 1 { obj["train_ratio_min"] = r.lowerBound; obj["train_ratio_max"] = r.upperBound }
        return serialize(obj)
    }

    public static func jsonLine(_ r: ModuleCostResult) -> String { serialize(encodeObject(r)) }

    public static func jsonLine(_ c: PairComparison) -> String {
        var obj = encodeObject(c.ours)
        if let p = c.peer {
            obj["torch_atkd_step_img_s"] = p.atkdStepImgS; obj["torch_peak_rss_mb"] = p.peakRssMb
            obj["atkd_step_ratio"] = c.ratio
        }
        if c.rounds > 1 { obj["rounds"] = c.rounds }
        if let r = c.ratioRange, c.rounds > 1 { obj["atkd_step_ratio_min"] = r.lowerBound; obj["atkd_step_ratio_max"] = r.upperBound }
        return serialize(obj)
    }

    /// The side-by-side table of models; ratio = ours / PyTorch (> 1: we are faster). With several
    /// rounds a column gives the range of the training ratio over the rounds.
    public static func modelTable(_ rows: [ModelComparison]) -> String {
        let ranged = rows.contains { $0.rounds > 1 }
        var lines = [pad("model", 18) + lpad("params", 10) + lpad("train img/s", 13) + lpad("torch", 9) + lpad("ratio", 7)
                     + (ranged ? lpad("range", 12) : "")
                     + lpad("infer img/s", 13) + lpad("torch", 9) + lpad("ratio", 7) + lpad("RSS MB", 8) + lpad("torch", 8)]
        for r in rows {
            var line = pad(r.ours.model, 18) + lpad("\(r.ours.params)", 10)
            line += lpad(f1(r.ours.trainImgS), 13) + lpad(r.peer?.trainImgS.map(f1) ?? "—", 9) + lpad(r.trainRatio.map(f2) ?? "—", 7)
            if ranged { line += lpad(r.trainRatioRange.map(rangeText) ?? "—", 12) }
            line += lpad(f1(r.ours.inferImgS), 13) + lpad(r.peer?.inferImgS.map(f1) ?? "—", 9) + lpad(r.inferRatio.map(f2) ?? "—", 7)
            line += lpad(String(format: "%.0f", r.ours.peakRssMb), 8) + lpad(r.peer?.peakRssMb.map { String(format: "%.0f", $0) } ?? "—", 8)
            if r.definitionsMatch == false {
                line += "  DEFINITIONS DIFFER: torch params \(r.peer?.params ?? -1), macs \(r.peer?.macs ?? -1); ours macs \(r.ours.macs)"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// The attention module's cost on our side: for every `X-awconv` model whose plain `X` was measured
    /// too, step time with the module / without = plain img/s / AW-conv img/s, in training and in
    /// inference (issue 17: the AW-conv teacher's step ≤ 1.25× the plain one's). `rounds` holds each
    /// model's measurements in round order; round i of the two is one paired reading (`atkd bench`
    /// measures the twins one after the other in each round), and the line gives the median of the
    /// paired ratios (the lower one for an even count) with their range — not a ratio of two medians
    /// taken minutes apart, which this host's drift can move by a third. With `interleaved` (keyed by
    /// the twin's name; one `measureModuleCost` a round: the twins stepped alternately in one process)
    /// the line gives those ratios first and the rows' pairing after them as "measured apart".
    public static func moduleCostLines(_ rounds: [(model: String, results: [ModelBenchResult])],
                                       interleaved: [String: [ModuleCostResult]] = [:]) -> [String] {
        let byName = Dictionary(rounds.map { ($0.model, $0.results) }, uniquingKeysWith: { first, _ in first })
        return rounds.compactMap { entry -> String? in
            let name = entry.model, plainName = String(name.dropLast("-awconv".count))
            guard name.hasSuffix("-awconv"), let plain = byName[plainName],
                  let apart = apartSummary(plain, entry.results) else { return nil }
            let prefix = "\(name) / \(plainName) step time (ours)"
            guard let costs = interleaved[name], !costs.isEmpty else { return prefix + ": " + apart }
            let n = costs.count, pairs = costs.flatMap { [$0.trainPairs, $0.inferPairs] }.filter { $0 > 0 }.min() ?? 0
            return prefix + ", stepped alternately in one process: train \(medianAndRange(costs.map(\.trainRatio))), "
                + "inference \(medianAndRange(costs.map(\.inferRatio))) — median (range) of \(n) round\(n == 1 ? "" : "s")"
                + " (≥ \(pairs) pairs of steps each)\n  measured apart (the rows above): " + apart
        }
    }

    /// One interleaved measurement as text (`atkd bench X --module-cost`).
    public static func moduleCostText(_ r: ModuleCostResult) -> String {
        func ratio(_ x: Double) -> String { x.isFinite ? "\(f2(x))×" : "—" }
        return "\(r.twin) / \(r.plain) step time (ours), stepped alternately in one process: train \(ratio(r.trainRatio)) "
            + "(\(r.trainPairs) pairs of steps), inference \(ratio(r.inferRatio)) (\(r.inferPairs) pairs)"
    }

    /// "1.23× (1.10–1.31)" over the finite ratios: the lower median and the range; "—" with none.
    static func medianAndRange(_ ratios: [Double]) -> String {
        guard let range = BenchRounds.range(ratios) else { return "—" }
        let sorted = ratios.filter(\.isFinite).sorted()
        return sorted.count == 1 ? "\(f2(sorted[0]))×" : "\(f2(sorted[(sorted.count - 1) / 2]))× (\(rangeText(range)))"
    }

    /// The module cost from the models' own rows (separate processes, paired by round); nil with no rounds.
    private static func apartSummary(_ plain: [ModelBenchResult], _ twin: [ModelBenchResult]) -> String? {
        let pairs = Array(zip(plain, twin))
        guard !pairs.isEmpty else { return nil }
        // NOTE: a side without a number (training at batch 1: NaN img/s) has no ratio: "—", not NaN
        // (and a NaN in a range would trap).
        if pairs.count == 1, let (p, a) = pairs.first {
            func one(_ x: Double, _ y: Double) -> String {
                (x / y).isFinite ? "\(f1(x)) / \(f1(y)) = \(f2(x / y))×" : "—"
            }
            return "train \(one(p.trainImgS, a.trainImgS)), inference \(one(p.inferImgS, a.inferImgS))"
        }
        return "train " + medianAndRange(pairs.map { $0.0.trainImgS / $0.1.trainImgS })
            + ", inference " + medianAndRange(pairs.map { $0.0.inferImgS / $0.1.inferImgS })
            + " — median (range) of \(pairs.count) paired rounds"
    }

    /// The side-by-side table of pairs.
    public static func pairTable(_ rows: [PairComparison]) -> String {
        let ranged = rows.contains { $0.rounds > 1 }
        var lines = [pad("teacher → student (atkd step)", 38) + lpad("img/s", 9) + lpad("torch", 9) + lpad("ratio", 7)
                     + (ranged ? lpad("range", 12) : "") + lpad("RSS MB", 8) + lpad("torch", 8)]
        for r in rows {
            lines.append(pad("\(r.ours.teacher) → \(r.ours.student)", 38) + lpad(f1(r.ours.atkdStepImgS), 9)
                         + lpad(r.peer?.atkdStepImgS.map(f1) ?? "—", 9) + lpad(r.ratio.map(f2) ?? "—", 7)
                         + (ranged ? lpad(r.ratioRange.map(rangeText) ?? "—", 12) : "")
                         + lpad(String(format: "%.0f", r.ours.peakRssMb), 8)
                         + lpad(r.peer?.peakRssMb.map { String(format: "%.0f", $0) } ?? "—", 8))
        }
        return lines.joined(separator: "\n")
    }

    // MARK: helpers

    /// How a value that was not measured (NaN: the training step at batch 1) or is infinite travels in
    /// the JSON lines, which have no such numbers: as these strings (`FreshProcessMeasurement.decode`
    /// reads them back). NOTE: without them the encoder fails and the whole line was `{}`.
    public static let nonFiniteStrings = (positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

    static func encodeObject<T: Encodable>(_ value: T) -> [String: Any] {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        let n = nonFiniteStrings
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: n.positiveInfinity,
                                                                 negativeInfinity: n.negativeInfinity, nan: n.nan)
        guard let data = try? e.encode(value),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return obj
    }

    /// A JSON object with sorted keys on one line (`{}` if it cannot be serialised).
    public static func serialize(_ obj: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func f1(_ v: Double) -> String { String(format: "%.1f", v) }
    static func f2(_ v: Double) -> String { String(format: "%.2f", v) }
    static func rangeText(_ r: ClosedRange<Double>) -> String { f2(r.lowerBound) + "–" + f2(r.upperBound) }
    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
}
