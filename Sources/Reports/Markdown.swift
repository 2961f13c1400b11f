// Small Markdown and number-format helpers for REPORT.md.

import Foundation

enum Markdown {
    /// A pipe table; cells have `|` escaped and newlines flattened.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        func clean(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var out = "| " + header.map(clean).joined(separator: " | ") + " |\n"
        out += "|" + header.map { _ in "---" }.joined(separator: "|") + "|\n"
        for r in rows { out += "| " + r.map(clean).joined(separator: " | ") + " |\n" }
        return out
    }

    /// `![title](figures/name.png)` plus links to the SVG and the script.
    static func figure(_ f: Figure) -> String {
        "![\(f.title)](figures/\(f.name).png)\n\n"
            + "*\(f.title)* — [SVG](figures/\(f.name).svg), re-plot: `gnuplot figures/\(f.name).gp`\n"
    }

    /// Percent of a fraction, two decimals; `—` for nil.
    static func pct(_ v: Double?) -> String { v.map { String(format: "%.2f", $0 * 100) } ?? "—" }

    static func number(_ v: Double?, _ format: String) -> String { v.flatMap { $0.isFinite ? String(format: format, $0) : nil } ?? "—" }

    /// A best epoch: `—` for none (0: a reused checkpoint, not trained here).
    static func epoch(_ e: Int?) -> String { e.map { $0 > 0 ? "\($0)" : "—" } ?? "—" }

    /// Best epochs over seeds: the epoch alone when every seed agrees (or for one seed), `mean ± std`
    /// (one decimal) otherwise.
    static func epochs(_ s: MeanStd) -> String {
        guard let m = s.mean, m > 0 else { return "—" }
        return s.min == s.max ? String(format: "%.0f", m) : s.formatted(scale: 1, decimals: 1)
    }

    /// `1h02m`, `3m05s`, `12.3 s`; `—` for none or zero (a reused checkpoint was not trained here).
    static func duration(_ seconds: Double?) -> String {
        guard let s = seconds, s.isFinite, s > 0 else { return "—" }
        if s < 60 { return String(format: "%.1f s", s) }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, t % 3600 / 60) : String(format: "%dm%02ds", t / 60, t % 60)
    }

    /// `1.23M`, `456.7k`, `89`.
    static func count(_ n: Int?) -> String {
        guard let n else { return "—" }
        let d = Double(n)
        if d >= 1e9 { return String(format: "%.2fG", d / 1e9) }
        if d >= 1e6 { return String(format: "%.2fM", d / 1e6) }
        if d >= 1e3 { return String(format: "%.1fk", d / 1e3) }
        return "\(n)"
    }
}
