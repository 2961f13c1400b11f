// A run's metrics.tsv: a `# ` header naming the columns, then one row per epoch.

import Foundation
import Training

/// The parsed `metrics.tsv` of one run (`nan` marks a value that was not measured).
public struct MetricsTable: Equatable {
    public var columns: [String]
    /// One row per epoch, one value per column.
    public var rows: [[Double]]

    public init(columns: [String], rows: [[Double]]) {
        self.columns = columns; self.rows = rows
    }

    /// Parses the file text; `source` names the file in errors.
    /// Throws `ReportError` for a missing header or a row of the wrong width or with a non-number.
    public static func parse(_ text: String, source: String) throws -> MetricsTable {
        var columns: [String]? = nil
        var rows: [[Double]] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if let header = MetricsHeader.columns(of: raw) {
                columns = header
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let cols = columns else { throw ReportError("\(source): line \(i + 1): data before the `# ` header") }
            let fields = raw.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == cols.count else {
                throw ReportError("\(source): line \(i + 1) has \(fields.count) fields, the header \(cols.count)")
            }
            rows.append(try fields.map { f in
                let s = f.trimmingCharacters(in: .whitespaces)
                guard let v = Double(s) else { throw ReportError("\(source): line \(i + 1): `\(s)` is not a number") }
                return v
            })
        }
        guard let cols = columns else { throw ReportError("\(source): no `# epoch …` header line") }
        guard cols.first == "epoch" else { throw ReportError("\(source): first column is `\(cols.first ?? "")`, not `epoch`") }
        return MetricsTable(columns: cols, rows: rows)
    }

    public static func load(path: String) throws -> MetricsTable {
        guard let data = FileManager.default.contents(atPath: path) else { throw ReportError("\(path): cannot read") }
        return try parse(String(decoding: data, as: UTF8.self), source: path)
    }

    /// The values of one column, or nil when the column is absent.
    public func column(_ name: String) -> [Double]? {
        columns.firstIndex(of: name).map { i in rows.map { $0[i] } }
    }

    /// Epoch numbers (1-based) in row order.
    public var epochs: [Int] { rows.map { Int($0[0]) } }

    /// The last row's value of `name` that is finite (the last evaluated epoch), with its epoch.
    public func lastFinite(_ name: String) -> (epoch: Int, value: Double)? {
        guard let i = columns.firstIndex(of: name) else { return nil }
        return rows.last(where: { $0[i].isFinite }).map { (Int($0[0]), $0[i]) }
    }

    /// The names of the per-term loss columns (`loss_ce`, `loss_kd`, `loss_at`, …).
    public var lossTerms: [String] { columns.filter { $0.hasPrefix("loss_") } }
}
