// paper/claims.md's verdict column for the claims the report measures (those with a rule in
// `ClaimRule.all`), written from the report's own verdicts by `atkd report --write-claims`, so
// claims.md and REPORT.md cannot disagree; the other rows keep their hand-written verdicts.
// `ClaimsVerdictColumnTests` checks the committed claims.md against the committed reports/runs.

import Foundation
import Training

public enum ClaimsVerdictColumn {
    /// Ends every generated cell, so a reader (and an editor) knows `make report` owns it.
    public static let mark = "(written by `make report` from reports/runs)"

    /// `**reproduced**: at − ce: +1.63 ± 0.36 points, … (…); experiment `evidence-wrn16` (written by …)`,
    /// or `**not measured**: <why>` for a rule with nothing measured to show.
    public static func cell(_ v: ClaimVerdict) -> String {
        let parts = v.evidence.components(separatedBy: "; ")
        let experiment = parts.first { $0.hasPrefix("experiment `") }
        var text = "**\(v.verdict)**"
        if v.ourValue != "—" {
            text += ": \(v.ourValue)"
        } else if v.verdict == ClaimVerdicts.notMeasured, let why = parts.first, !why.isEmpty, why != experiment {
            text += ": \(why)"
        }
        if let experiment { text += "; \(experiment)" }
        // claims.md is read by splitting rows on `|` (`ClaimsFile.parse`): a cell never holds one.
        return (text + " " + mark).replacingOccurrences(of: "|", with: "/").replacingOccurrences(of: "\n", with: " ")
    }

    /// `text` with the verdict cell of every claims-table row whose id has a rule replaced by
    /// `cell(verdict)`; every other line byte for byte. Throws when `text` has no claims table.
    public static func rewrite(_ text: String, verdicts: [ClaimVerdict], rules: [ClaimRule] = ClaimRule.all) throws -> String {
        let measured = Set(rules.map(\.id))
        let byId = Dictionary(verdicts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var lines = text.components(separatedBy: "\n")
        var header: [String]? = nil
        for (i, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("|") else {
                if header != nil { break }   // the table ended (ClaimsFile.parse reads the first one)
                continue
            }
            var cells = ClaimsFile.cells(ofRow: trimmed)
            guard let h = header else {
                header = ClaimsFile.claimsHeader(cells)
                continue
            }
            guard let idAt = h.firstIndex(of: "id"), let verdictAt = h.firstIndex(of: "verdict"),
                  cells.count == h.count else { continue }
            let id = cells[idAt].replacingOccurrences(of: "`", with: "")
            guard measured.contains(id), let v = byId[id] else { continue }
            cells[verdictAt] = cell(v)
            lines[i] = "| " + cells.joined(separator: " | ") + " |"
        }
        guard header != nil else {
            throw ReportError("the claims file has no table with `id` and `verdict` columns")
        }
        return lines.joined(separator: "\n")
    }

    /// Rewrites the verdict cells of the claims file at `path` (atomically; unchanged text stays byte for byte).
    public static func update(claimsPath path: String, verdicts: [ClaimVerdict]) throws {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ReportError("\(path): cannot read the claims file")
        }
        let updated = try rewrite(text, verdicts: verdicts)
        if updated != text { try AtomicFile.write(Data(updated.utf8), to: path) }
    }
}
