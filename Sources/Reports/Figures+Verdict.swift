// The verdict figure: for every claim decided by a paired comparison, the mean per-seed
// difference with its 95 % interval, the claimed effect as a reference mark, verdict and n.

import Foundation

extension Figures {
    /// One row per claim with paired seeds: a point at the mean difference (points), a horizontal
    /// 95 % t-interval when n ≥ 2 (none drawn for n = 1, and the label says so), an open mark at
    /// the claimed effect d, and `verdict, n = k` beside it. Nil when no claim has paired seeds.
    public static func verdicts(_ verdicts: [ClaimVerdict]) -> Figure? {
        let rows = verdicts.compactMap { v -> (ClaimVerdict, PairedDifference, Double)? in
            guard let p = v.paired, p.n > 0, let d = v.claimedEffect else { return nil }
            return (v, p, d)
        }
        guard !rows.isEmpty else { return nil }
        let file = "verdicts.dat"
        var data = "# row\tmean_diff\tci_low\tci_high\tclaimed\tclaim\tlabel\tlabel_x\n"
        for (i, (v, p, d)) in rows.enumerated() {
            let ci = p.interval
            let label = "\(v.verdict), n = \(p.n)" + (ci == nil ? " (no interval)" : "")
            data += "\(i)\t\(PlotText.number(p.mean))\t\(PlotText.number(ci?.lower ?? p.mean))\t\(PlotText.number(ci?.upper ?? p.mean))"
                + "\t\(PlotText.number(d))\t\(PlotText.quoted(v.id))\t\(PlotText.quoted(label))"
                + "\t\(PlotText.number(max(ci?.upper ?? p.mean!, d)))\n"
        }
        let height = max(260, 90 + 46 * rows.count)
        let body = """
        set title "claims: paired difference per seed (points), mean and 95 % t-interval; ◇ = claimed effect"
        set grid xtics
        set xlabel "difference in test top-1 (points; mCA for the corruption claim)"
        set ytics nomirror font ",9"
        set yrange [-0.7:\(Double(rows.count) - 0.3)]
        set offsets graph 0.05, graph 0.55, 0, 0
        set arrow from 0, graph 0 to 0, graph 1 nohead dt 2 lc rgb "#888888"
        set key off
        plot "\(file)" using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 1.2 lc rgb "#1f4e9a" notitle, \\
             "\(file)" using 5:1 with points pt 12 ps 2 lc rgb "#c0392b" notitle, \\
             "\(file)" using 8:1:7 with labels offset char 2,0 left font ",9" notitle
        """
        return Figure(name: "verdicts", title: "the claims at a glance: paired differences with 95 % intervals",
                      width: 1000, height: height, data: [(file, data)], body: body)
    }
}
