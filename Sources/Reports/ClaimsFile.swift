// paper/claims.md read as a table keyed by claim id (the report joins its verdicts on it).

import Foundation

/// One row of the claims table.
public struct ClaimEntry: Equatable {
    public var id: String
    public var claim: String
    public var paperNumber: String
    /// The verdict recorded in claims.md (`formula verified`, `not yet measured`, `not testable here: …`).
    public var verdict: String
    public init(id: String, claim: String, paperNumber: String, verdict: String) {
        self.id = id; self.claim = claim; self.paperNumber = paperNumber; self.verdict = verdict
    }
}

public enum ClaimsFile {
    /// Parses the first Markdown table whose header has `id` and `verdict` columns; the paper's
    /// number is the column whose header contains `number`. Backticks around ids are removed.
    public static func parse(_ text: String) -> [ClaimEntry] {
        var header: [String]? = nil
        var out: [ClaimEntry] = []
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("|") else { if header != nil && !out.isEmpty { break }; continue }
            let cells = cells(ofRow: line)
            if header == nil {
                header = claimsHeader(cells)
                continue
            }
            if cells.allSatisfy({ $0.allSatisfy { "-: ".contains($0) } }) { continue }
            let h = header!
            func cell(_ where_: (String) -> Bool) -> String {
                guard let i = h.firstIndex(where: where_), i < cells.count else { return "" }
                return cells[i]
            }
            let id = cell { $0 == "id" }.replacingOccurrences(of: "`", with: "")
            guard !id.isEmpty else { continue }
            out.append(ClaimEntry(id: id, claim: cell { $0.hasPrefix("claim") }, paperNumber: cell { $0.contains("number") },
                                  verdict: cell { $0 == "verdict" }))
        }
        return out
    }

    /// The cells of one table row `| a | b |` (already trimmed), each trimmed.
    static func cells(ofRow row: String) -> [String] {
        row.dropFirst().dropLast(row.hasSuffix("|") ? 1 : 0)
            .split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The lowercased header when `cells` head a claims table (an `id` and a `verdict` column), else nil.
    static func claimsHeader(_ cells: [String]) -> [String]? {
        let lower = cells.map { $0.lowercased() }
        return lower.contains("id") && lower.contains("verdict") ? lower : nil
    }

    /// Reads `path`; nil when it does not exist.
    public static func load(path: String) -> [ClaimEntry]? {
        FileManager.default.contents(atPath: path).map { parse(String(decoding: $0, as: UTF8.self)) }
    }
}
