// `atkd report`: find the experiments, archive their small files, draw every figure with
// gnuplot and write REPORT.md.

import Foundation
import Training

/// Where the report reads from and writes to.
public struct ReportOptions {
    /// Experiment directories (or folders of them); empty = every experiment under `runs/` and `<out>/runs/`.
    public var inputs: [String] = []
    /// Output folder: `REPORT.md`, `figures/`, `runs/` (the committed summaries).
    public var outputDirectory = "reports"
    public var claimsPath = "paper/claims.md"
    /// Base for the spec's relative teacher checkpoint path.
    public var projectRoot = "."
    /// Live run folder searched when `inputs` is empty.
    public var runsRoot = "runs"
    /// Test images whose attention maps are drawn (the first of the test split).
    public var attentionImages = 4
    public var gnuplot = "gnuplot"
    /// Copy spec/final/metrics/events of each run into `<out>/runs/`.
    public var archive = true
    /// Loads the test data for attention maps (tests pass a synthetic provider).
    public var loadData: (DatasetSpec) throws -> DataProvider = {
        try DatasetProvider.make($0, dataRoot: nil, cacheDir: nil, threads: 2, progress: false)
    }
    /// Progress and warning lines.
    public var log: (String) -> Void = { print($0) }
    /// A README whose results table (between `ReadmeResults`' markers) is rewritten from the same
    /// experiments; nil leaves every README alone.
    public var readmePath: String? = nil
    /// Rewrite the verdict cells of `claimsPath` for the claims the report measures
    /// (`ClaimsVerdictColumn`); false leaves the claims file alone.
    public var writeClaims = false

    public init() {}

    public var figuresDirectory: String { "\(outputDirectory)/figures" }
    public var archiveDirectory: String { "\(outputDirectory)/runs" }
    public var reportPath: String { "\(outputDirectory)/REPORT.md" }
}

/// What a report build produced.
public struct ReportOutcome {
    public var reportPath: String
    /// Figure names (each has `.gp`, `.png`, `.svg` in the figures folder).
    public var figures: [String]
    public var warnings: [String]
    public var experiments: [String]
}

public enum ReportBuilder {
    /// Builds the whole report. Throws only when it cannot work at all (no gnuplot, no input,
    /// unwritable output); partial, diverged and corrupt runs become warnings and statuses.
    @discardableResult
    public static func build(_ o: ReportOptions) throws -> ReportOutcome {
        let gnuplot = Gnuplot(executable: o.gnuplot)
        try gnuplot.check()
        let fm = FileManager.default
        var warnings: [String] = []
        func warn(_ s: String) { warnings.append(s); o.log("warning: \(s)") }

        // The committed summaries always; local run folders only when named (EXPERIMENTS=runs/x):
        // a fresh clone's `make report` then reads exactly what this machine's did.
        var (dirs, expandWarnings) = ExperimentLocator.expand([], roots: [o.archiveDirectory])
        if !o.inputs.isEmpty {
            let named = ExperimentLocator.expand(o.inputs, roots: [])
            dirs += named.directories
            expandWarnings += named.warnings
        }
        expandWarnings.forEach(warn)
        guard !dirs.isEmpty else {
            throw ReportError("no experiment directories: run `atkd run experiments/<x>.json` first, or pass run folders "
                              + "(looked in \(o.archiveDirectory)/\(o.inputs.isEmpty ? "; name local run folders with EXPERIMENTS=runs/<x>" : " and " + o.inputs.joined(separator: ", ")))")
        }
        let choices = ExperimentLocator.choose(dirs, archiveRoot: o.archiveDirectory)
        for ch in choices {
            ch.results.warnings.forEach(warn)
            o.log("\(ch.results.name): \(ch.results.directory) (\(ch.results.progress.finished) finished runs)")
            if o.archive {
                do {
                    if let dest = try RunArchive.copy(ch.results, into: o.archiveDirectory) { o.log("  summaries copied to \(dest)") }
                } catch { warn("\(ch.results.name): could not copy summaries (\(error))") }
            }
        }
        try fm.createDirectory(atPath: o.figuresDirectory, withIntermediateDirectories: true)
        let experiments = choices.map(\.results)

        var perExperiment: [String: [Figure]] = [:]
        var attentionNotes: [String: String] = [:]
        var all: [Figure] = []
        for e in experiments {
            var figs = [Figures.learningCurves(e), Figures.classGain(e), Figures.confusion(e)].compactMap { $0 }
            let (panels, inputs, note) = attention(for: e, options: o)
            attentionNotes[e.name] = note
            if !panels.isEmpty { figs += Figures.attention(e.name, panels: panels, inputs: inputs) }
            if let f = Figures.atDistance(e) { figs.append(f) }
            perExperiment[e.name] = figs
            all += figs
        }
        let claims = ClaimsFile.load(path: o.claimsPath)
        if claims == nil { warn("\(o.claimsPath): not found; the claims table lists the report's rules only") }
        let verdicts = ClaimVerdicts.table(claims: claims ?? [], experiments: experiments)
        let verdictFigure = Figures.verdicts(verdicts)
        let accuracy = Figures.finalAccuracy(experiments)
        let footprint = Figures.footprint(experiments)
        all += [verdictFigure, accuracy, footprint].compactMap { $0 }

        for f in all {
            try f.write(to: o.figuresDirectory)
            try gnuplot.render(f, in: o.figuresDirectory)
        }
        removeStale(in: o.figuresDirectory, keeping: Set(all.flatMap { f in
            ["\(f.name).gp", "\(f.name).png", "\(f.name).svg"] + f.data.map(\.file) + f.sharedData }))


        let content = ReportContent(choices: choices, verdictFigure: verdictFigure, experimentFigures: perExperiment,
                                    attentionNotes: attentionNotes,
                                    accuracyFigure: accuracy, footprintFigure: footprint, verdicts: verdicts,
                                    claimsPath: o.claimsPath, warnings: warnings)
        try AtomicFile.write(ReportMarkdown.render(content), to: o.reportPath)
        o.log("wrote \(o.reportPath) and \(all.count) figures in \(o.figuresDirectory)")
        if let readme = o.readmePath {
            try ReadmeResults.update(readmePath: readme, experiments: experiments)
            o.log("wrote the results table of \(readme)")
        }
        if o.writeClaims {
            try ClaimsVerdictColumn.update(claimsPath: o.claimsPath, verdicts: verdicts)
            o.log("wrote the measured claims' verdicts in \(o.claimsPath)")
        }
        return ReportOutcome(reportPath: o.reportPath, figures: all.map(\.name), warnings: warnings,
                             experiments: experiments.map(\.name))
    }

    /// Attention panels and input images from the checkpoints (writing both data files), else from
    /// the data files a previous report left in the figures folder (the images, when that file is
    /// missing, from the test data if it is here); with a note saying which, or why there are none.
    static func attention(for e: ExperimentResults, options o: ReportOptions)
        -> (panels: [AttentionPanel], inputs: [AttentionInput], note: String) {
        let path = "\(o.figuresDirectory)/\(Figures.attentionDataFile(e.name))"
        let inputsPath = "\(o.figuresDirectory)/\(Figures.attentionInputsFile(e.name))"
        let legend = "Rows: teacher then each arm's first finished seed; columns: the input image, then the feature taps "
            + "(q̂ = F(A)/‖F(A)‖₂ with F(A) = mean_c A_c^p), one colour scale per tap column; under each student map "
            + "d = ‖q̂_student − q̂_teacher‖₂ for that image (0 = the teacher's map, √2 = disjoint)."
        guard o.attentionImages > 0 else { return ([], [], "Attention maps not drawn (0 images asked for).") }
        let computeError: String
        do {
            let (panels, inputs) = try AttentionMaps.compute(e, images: o.attentionImages, projectRoot: o.projectRoot,
                                                              loadData: o.loadData)
            let source = "checkpoints under \(e.directory)"
            try AtomicFile.write(AttentionMaps.encode(panels, experiment: e.name, source: source), to: path)
            try AtomicFile.write(AttentionMaps.encodeInputs(inputs, experiment: e.name), to: inputsPath)
            return (panels, inputs, "Computed from the \(source) for the first \(o.attentionImages) test images; " + legend)
        } catch {
            computeError = "\(error)"
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return ([], [], "Attention maps unavailable: \(computeError).")
        }
        let panels: [AttentionPanel], source: String
        do {
            (panels, source) = try AttentionMaps.decode(String(decoding: data, as: UTF8.self), file: path)
        } catch {
            return ([], [], "Attention maps unavailable: \(computeError); the committed data file is unreadable (\(error)).")
        }
        guard !panels.isEmpty else { return ([], [], "Attention maps unavailable: \(computeError).") }
        var inputs: [AttentionInput] = []
        var inputsNote = ""
        if let text = FileManager.default.contents(atPath: inputsPath) {
            do { inputs = try AttentionMaps.decodeInputs(String(decoding: text, as: UTF8.self), file: inputsPath) } catch {
                inputsNote = " The input images are not shown: \(error)."
            }
        } else {
            var labels: [Int: String] = [:]
            for p in panels { labels[p.image] = PlotText.slug(p.label) }
            do {
                inputs = try AttentionMaps.loadInputs(e, count: labels.count, labels: labels, loadData: o.loadData)
                try AtomicFile.write(AttentionMaps.encodeInputs(inputs, experiment: e.name), to: inputsPath)
            } catch {
                inputsNote = " The input images are not shown: \(error)."
            }
        }
        return (panels, inputs, "Re-plotted from the committed data files `figures/\(Figures.attentionDataFile(e.name))`"
                + (inputs.isEmpty ? "" : " and `figures/\(Figures.attentionInputsFile(e.name))`")
                + " (recorded source: \(source)); not recomputed now: \(computeError). " + legend + inputsNote)
    }

    /// Deletes figure files (`.gp`, `.png`, `.svg`, `.dat`) this build did not write.
    static func removeStale(in folder: String, keeping: Set<String>) {
        let fm = FileManager.default
        for f in (try? fm.contentsOfDirectory(atPath: folder)) ?? []
        where !keeping.contains(f) && [".gp", ".png", ".svg", ".dat"].contains(where: { f.hasSuffix($0) }) {
            try? fm.removeItem(atPath: "\(folder)/\(f)")
        }
    }
}
