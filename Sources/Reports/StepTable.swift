// A run's steps.tsv (`StepLog`): rows within epochs, turned into the points the curves plot.

import Foundation
import Training

/// The parsed `steps.tsv` of one run (`nan` where a value was not measured).
public struct StepTable: Equatable {
    public var columns: [String]
    /// One row per logged step, one value per column.
    public var rows: [[Double]]

    public init(columns: [String], rows: [[Double]]) { self.columns = columns; self.rows = rows }

    /// Parses the file text; throws `ReportError` naming `source` for a missing `step` header, a row
    /// of the wrong width or a non-number.
    public static func parse(_ text: String, source: String) throws -> StepTable {
        let lines = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard let head = lines.first else { throw ReportError("\(source): empty") }
        let columns = head.split(separator: "\t").map(String.init)
        guard columns.count >= 2, columns[0] == "step", columns[1] == "epoch" else {
            throw ReportError("\(source): first columns are not `step`, `epoch`")
        }
        var rows: [[Double]] = []
        for (i, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == columns.count else {
                throw ReportError("\(source): line \(i + 2) has \(fields.count) fields, the header \(columns.count)")
            }
            rows.append(try fields.map { f in
                guard let v = Double(f) else { throw ReportError("\(source): line \(i + 2): `\(f)` is not a number") }
                return v
            })
        }
        return StepTable(columns: columns, rows: rows)
    }

    public static func load(path: String) throws -> StepTable {
        guard let data = FileManager.default.contents(atPath: path) else { throw ReportError("\(path): cannot read") }
        return try parse(String(decoding: data, as: UTF8.self), source: path)
    }

    /// Steps per epoch, from any row (`step / epoch`).
    public var stepsPerEpoch: Int? {
        guard let i = columns.firstIndex(of: "epoch"),
              let r = rows.first(where: { $0[i] > 0 }) else { return nil }
        return Int((r[0] / r[i]).rounded())
    }

    /// The epoch (1-based) the first row falls in: epochs before it have only their `metrics.tsv` row.
    public var firstEpoch: Int? {
        guard let spe = stepsPerEpoch, let first = rows.first else { return nil }
        return (Int(first[0]) - 1) / spe + 1
    }

    /// `(epoch fraction, value)` per row of a running-mean column (`train_loss`, `loss_<t>`,
    /// `train_top1`) as the mean over the steps since the previous row of the same epoch:
    /// `(m₂·b₂ − m₁·b₁)/(b₂ − b₁)`, b the row's batch within its epoch (the epoch's first row:
    /// its own running mean). Other columns (`at_distance.<tap>`) are returned as logged.
    public func windowed(_ column: String) -> [(x: Double, value: Double)] {
        guard let c = columns.firstIndex(of: column), let spe = stepsPerEpoch, spe > 0 else { return [] }
        let running = column == "train_loss" || column == "train_top1" || column.hasPrefix("loss_")
        var out: [(Double, Double)] = []
        var previous: (epoch: Int, batch: Int, mean: Double)? = nil
        for r in rows {
            let step = Int(r[0]), epoch = (step - 1) / spe, batch = step - epoch * spe
            let m = r[c]
            var v = m
            if running, let p = previous, p.epoch == epoch, batch > p.batch {
                v = (m * Double(batch) - p.mean * Double(p.batch)) / Double(batch - p.batch)
            }
            previous = (epoch, batch, m)
            if v.isFinite { out.append((Double(step) / Double(spe), v)) }
        }
        return out
    }

    /// The AT-distance columns' tap names, in file order.
    public var atDistanceTaps: [String] {
        columns.filter { $0.hasPrefix("at_distance.") }.map { String($0.dropFirst("at_distance.".count)) }
    }
}
