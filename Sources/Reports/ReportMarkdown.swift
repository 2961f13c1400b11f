// REPORT.md: the numbers of every experiment, the figures, the footprint and the claims table.

import Foundation
import Training

/// What REPORT.md is written from.
public struct ReportContent {
    public var choices: [ExperimentChoice]
    /// The claims at a glance (paired differences with intervals); nil when no claim has paired seeds.
    public var verdictFigure: Figure?
    /// Figures by experiment name (curves, class gain, confusion, attention), in display order.
    public var experimentFigures: [String: [Figure]]
    /// Why attention maps are missing or where they came from, by experiment name.
    public var attentionNotes: [String: String]
    public var accuracyFigure: Figure?
    public var footprintFigure: Figure?
    public var verdicts: [ClaimVerdict]
    public var claimsPath: String
    public var warnings: [String]
}

public enum ReportMarkdown {
    static func render(_ c: ReportContent) -> String {
        var md = "# ATKD report: CE, KD, AT and AT+KD\n\n"
        md += "Written by `atkd report` from the run summaries listed below (re-run `make report` to refresh). "
        md += "Accuracies are percent on the test split; `a ± b` is the mean ± sample standard deviation over "
        md += "finished seeds (one seed: the value alone). Every figure has its gnuplot script and data beside it in `figures/`.\n\n"
        if let f = c.verdictFigure {
            md += "## The claims at a glance\n\n"
            md += "Each row: the per-seed difference of two arms run with the same seeds (same data order and "
            md += "augmentation), its mean (dot) and 95 % t-interval (bar; none for one seed), and the claimed "
            md += "effect (◇). Reproduced when the bar lies at or right of ◇, refuted when wholly left of it, "
            md += "otherwise inconclusive (§ Claims has every number).\n\n" + Markdown.figure(f) + "\n"
        }
        md += "## Inputs\n\n"
        md += Markdown.table(["experiment", "read from", "other copies (not used)", "finished runs", "epochs recorded"],
                             c.choices.map { ch in
                                 let p = ch.results.progress
                                 return [ch.results.name, "`\(ch.results.directory)`",
                                         ch.alternatives.isEmpty ? "—" : ch.alternatives.map { "`\($0)`" }.joined(separator: ", "),
                                         "\(p.finished)", "\(p.epochs)"]
                             }) + "\n"
        if !c.warnings.isEmpty {
            md += "### Warnings\n\n" + c.warnings.map { "- \($0)" }.joined(separator: "\n") + "\n\n"
        }
        if let f = c.accuracyFigure { md += "## Final accuracy\n\n" + Markdown.figure(f) + "\n" }
        for ch in c.choices { md += experimentSection(ch.results, figures: c.experimentFigures[ch.results.name] ?? [],
                                                      attentionNote: c.attentionNotes[ch.results.name]) }
        md += footprintSection(c.choices.map(\.results), figure: c.footprintFigure)
        md += paperSection(c.choices.map(\.results))
        md += claimsSection(c.verdicts, claimsPath: c.claimsPath)
        return md
    }

    public static func experimentSection(_ e: ExperimentResults, figures: [Figure], attentionNote: String?) -> String {
        var md = "## Experiment `\(e.name)`\n\n"
        if let s = e.spec, e.trainedOnly {
            md += "Data `\(s.dataset.kind)` `\(s.dataset.path)` at \(s.dataset.resolution)×\(s.dataset.resolution); "
            md += "`\(s.teacher.model)` trained on its own (`atkd train`) for \(s.teacher.train.epochs) epochs "
            md += "(batch \(s.teacher.train.batchSize), lr \(s.teacher.train.lr), \(s.teacher.train.schedule)), "
            md += "with the recipe of the spec it names; no students.\n\n"
        } else if let s = e.spec {
            md += "Data `\(s.dataset.kind)` `\(s.dataset.path)` at \(s.dataset.resolution)×\(s.dataset.resolution)"
            md += " (train per class: \(s.dataset.trainPerClass == 0 ? "all" : "\(s.dataset.trainPerClass)"),"
            md += " test per class: \(s.dataset.testPerClass == 0 ? "all" : "\(s.dataset.testPerClass)")); "
            md += "teacher `\(s.teacher.model)`, student `\(s.student.model)` for \(s.student.train.epochs) epochs "
            md += "(batch \(s.student.train.batchSize), lr \(s.student.train.lr)); "
            md += String(format: "T = %g, kd weight %g, ce weight %g, AT β = %g, p = %g",
                         s.distill.temperature, s.distill.kdWeight, s.distill.ceWeight, s.distill.atWeight, s.distill.atP)
            md += s.distill.atReferencePixels > 0
                ? " (resolution-fair: each tap's term × S/\(s.distill.atReferencePixels), S its H·W); " : "; "
            md += "arms \(s.arms.joined(separator: ", ")); seeds \(s.seeds.map(String.init).joined(separator: ", ")).\n\n"
        } else {
            md += "No readable `spec.json`: arms and seeds are those found on disk.\n\n"
        }
        if !e.warnings.isEmpty { md += e.warnings.map { "- ⚠ \($0)" }.joined(separator: "\n") + "\n\n" }

        if e.runs.isEmpty && e.teacher == nil { return md + "No runs found.\n\n" }
        md += "### Methods (mean ± std over finished seeds)\n\n"
        var rows: [[String]] = []
        if let t = e.teacher {
            let s = t.summary
            rows.append(["teacher `\(s?.model ?? e.spec?.teacher.model ?? "?")`", t.status.label, Markdown.pct(s?.final.top1),
                         Markdown.pct(s?.final.top5), Markdown.pct(s?.bestTop1), Markdown.epoch(s?.bestEpoch),
                         Markdown.pct(t.lastEvaluatedTop1?.value), "—", Markdown.number(s?.final.ece, "%.4f"),
                         Markdown.number(s?.final.nll, "%.4f"), "—", Markdown.duration(s?.wallSeconds),
                         Markdown.number(s?.trainImagesPerSecond, "%.0f")])
        }
        for a in e.armSummaries {
            rows.append([a.arm, a.seedStatus, a.top1.formatted(), a.top5.formatted(), a.bestTop1.formatted(),
                         Markdown.epochs(a.bestEpoch), a.lastEpochTop1.formatted(), a.agreement.formatted(),
                         a.ece.formatted(scale: 1, decimals: 4), a.nll.formatted(scale: 1, decimals: 4),
                         a.generalisationGap.formatted(), Markdown.duration(a.wallSeconds.mean),
                         a.imagesPerSecond.formatted(scale: 1, decimals: 0)])
        }
        md += Markdown.table(["method", "seeds", "top-1 %", "top-5 %", "best top-1 %", "best epoch", "last-epoch top-1 % (incl. running)",
                              "teacher agreement %", "ECE", "NLL", "train−test gap (points)", "wall time", "train img/s"], rows) + "\n"

        md += pairedAgainstBaselines(e)

        md += "### Runs\n\n"
        let runRows = (e.teacher.map { [$0] } ?? []) + e.runs
        md += Markdown.table(["run", "status", "top-1 %", "top-5 %", "best top-1 % (epoch)", "last evaluated top-1 % (epoch)",
                              "agreement %", "ECE", "wall time", "img/s"],
                             runRows.map { r in
                                 let s = r.summary
                                 let last = r.lastEvaluatedTop1
                                 return [r.name, r.status.label, Markdown.pct(s?.final.top1), Markdown.pct(s?.final.top5),
                                         s.map { "\(Markdown.pct($0.bestTop1))" + ($0.bestEpoch > 0 ? " (\($0.bestEpoch))" : "") } ?? "—",
                                         last.map { "\(Markdown.pct($0.value)) (\($0.epoch))" } ?? "—",
                                         Markdown.pct(s?.final.teacherAgreement), Markdown.number(s?.final.ece, "%.4f"),
                                         Markdown.duration(s?.wallSeconds), Markdown.number(s?.trainImagesPerSecond, "%.0f")]
                             }) + "\n"
        md += corruptionSection(e)
        md += perClassSection(e)
        func isAttention(_ f: Figure) -> Bool { f.name.hasPrefix("attention-") || f.name.hasPrefix("atdistance-") }
        for f in figures where !isAttention(f) { md += Markdown.figure(f) + "\n" }
        md += "### Attention maps\n\n"
        if let note = attentionNote { md += note + "\n\n" }
        for f in figures where f.name.hasPrefix("attention-") { md += Markdown.figure(f) + "\n" }
        if let f = figures.first(where: { $0.name.hasPrefix("atdistance-") }) {
            md += "AT distance to the teacher per tap during training, from each run's `steps.tsv` (the mean over 32 "
            md += "fixed test images of ‖q̂_student − q̂_teacher‖₂, student in eval mode; arms without a teacher — ce — "
            md += "have none).\n\n" + Markdown.figure(f) + "\n"
        } else if e.arms.contains(where: { $0 != "ce" }) {
            let started = e.arms.filter { $0 != "ce" }.flatMap { e.runs(arm: $0) }.contains {
                if case .missing = $0.status { return false } else { return true }
            }
            md += started ? "No AT distance during training: these runs predate `steps.tsv` (the step log).\n\n"
                          : "No AT distance during training yet: no distillation run has started.\n\n"
        }
        return md
    }

    /// Per-class accuracy of every arm, classes sorted by KD (or the first arm) accuracy, hardest first.
    static func perClassSection(_ e: ExperimentResults) -> String {
        let arms = e.armSummaries.filter { !$0.finished.isEmpty }
        let names = e.classNames
        guard !arms.isEmpty, !names.isEmpty else { return "" }
        let base = arms.first { $0.arm == "kd" } ?? arms[0]
        let acc = base.perClass
        let order = names.indices.sorted { (c1, c2) in
            let a1 = c1 < acc.count ? acc[c1].mean ?? 0 : 0, a2 = c2 < acc.count ? acc[c2].mean ?? 0 : 0
            return (a1, c1) < (a2, c2)
        }
        let teacher = e.teacher?.summary?.final.perClassAccuracy
        let gainArm = arms.first { $0.arm == "atkd" }
        var header = ["class"] + (teacher != nil ? ["teacher"] : []) + arms.map(\.arm)
        if gainArm != nil && base.arm == "kd" { header.append("atkd − kd (points, 95 % interval)") }
        let rows: [[String]] = order.map { c in
            var row = [names[c]]
            if let t = teacher { row.append(c < t.count ? t[c].map(Markdown.pct) ?? "—" : "—") }
            for a in arms { row.append(c < a.perClass.count ? a.perClass[c].formatted() : "—") }
            if let g = gainArm, base.arm == "kd" { row.append(ClassGain.of(g, over: base, class: c).formatted) }
            return row
        }
        var md = "### Per-class test top-1 % (sorted by \(base.arm) accuracy, hardest first)\n\n"
        if gainArm != nil && base.arm == "kd" {
            md += "The atkd − kd interval is a 95 % t-interval over paired seeds, or for one seed Newcombe's interval from "
            md += "the Wilson intervals of each arm's hits among the class's test images.\n\n"
        }
        return md + Markdown.table(header, rows) + "\n"
    }

    static func footprintSection(_ exps: [ExperimentResults], figure: Figure?) -> String {
        let points = Figures.footprintPoints(exps)
        guard !points.isEmpty else { return "" }
        var md = "## Footprint (accuracy against size and speed)\n\n"
        md += "Latency: one value per architecture — the fastest of the batch-1 eval latencies its finished runs "
        md += "recorded (each the median of 51 forwards after 5 warm-ups, with the run's threads), so two arms "
        md += "of one architecture show the same number. Runs differ only by what else the machine was doing "
        md += "(other load only adds time), so the fastest is the least disturbed; the slowest is shown beside it.\n\n"
        let measured = Figures.latencies(exps)
        md += Markdown.table(["experiment", "model", "parameters", "MACs / image", "latency ms (batch 1)",
                              "runs measured (slowest ms)", "checkpoint bytes", "top-1 %"],
                             points.map { p in
                                 let all = measured[p.model] ?? []
                                 return [p.experiment, p.label, "\(p.params)", "\(p.macs)", Markdown.number(p.latencyMs, "%.2f"),
                                         all.isEmpty ? "—" : "\(all.count) (\(String(format: "%.2f", all.max()!)))",
                                         "\(p.bytes)", p.top1.formatted()]
                             }) + "\n"
        if let f = figure { md += Markdown.figure(f) + "\n" }
        return md
    }

    static func claimsSection(_ verdicts: [ClaimVerdict], claimsPath: String) -> String {
        var md = "## Claims\n\n"
        md += "Joined with `\(claimsPath)` by id. Rules (experiment, arms, comparison) live in `Sources/Reports/ClaimRules.swift`; "
        md += "a rule's verdict is `not measured` until every arm it reads has a finished seed. Claims without a rule keep the verdict recorded in the claims file.\n\n"
        md += Markdown.table(["id", "claim", "paper", "ours", "verdict", "evidence"],
                             verdicts.map { ["`\($0.id)`", $0.claim, $0.paperValue, $0.ourValue, "**\($0.verdict)**", $0.evidence] })
        return md + "\n"
    }

    /// Robustness under corruption (CIFAR-10-C style, `corruption_per_class`): per method, the
    /// clean top-1 on the same test images, the mean corruption accuracy (mCA) and ECE under
    /// shift, mean ± std over the finished seeds that recorded it. Empty when no run did.
    public static func corruptionSection(_ e: ExperimentResults) -> String {
        var rows: [[String]] = []
        func row(_ name: String, _ reports: [CorruptionReport]) {
            guard let first = reports.first else { return }
            let clean = MeanStd(reports.map(\.clean.top1)), mca = MeanStd(reports.map(\.meanCorruptionAccuracy))
            let ece = MeanStd(reports.map(\.meanECEUnderShift)), rel = MeanStd(reports.map(\.relativeRobustness))
            rows.append([name, "\(reports.count)", "\(first.images)", clean.formatted(), mca.formatted(),
                         ece.formatted(scale: 1, decimals: 4), rel.formatted()])
        }
        if let t = e.teacher?.summary?.corruptions { row("teacher", [t]) }
        for a in e.armSummaries { row(a.arm, a.finished.compactMap(\.corruptions)) }
        guard !rows.isEmpty else { return "" }
        return "### Robustness under corruption (Hendrycks & Dietterich 2019 style: 8 corruptions × 5 severities)\n\n"
            + Markdown.table(["method", "seeds", "test images", "clean top-1 %", "mCA %", "ECE under shift",
                              "mCA / clean %"], rows) + "\n"
    }
}
