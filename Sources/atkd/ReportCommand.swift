// `atkd report [EXPERIMENT_DIRS...]`: figures and REPORT.md comparing CE, KD, AT and AT+KD.

import ArgumentParser
import Foundation
import Reports
import Training

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write gnuplot figures and REPORT.md comparing the arms, with attention maps and claim verdicts.",
        discussion: """
        Reads experiment folders (spec.json, <arm>-seed<k>/{metrics.tsv,final.json}, teacher/). With no \
        arguments: every experiment under runs/ and <out>/runs/, using for each the copy with the most \
        finished runs (then epochs). Copies each run's small files into <out>/runs/ so a fresh clone can \
        rebuild the report; runs in progress, diverged or corrupt are shown as such.
        """)

    @Argument(help: "Experiment folders (runs/<name>) or folders of them (default: runs/ and <out>/runs/).")
    var experiments: [String] = []

    @Option(help: "Output folder for REPORT.md, figures/ and runs/.")
    var out = "reports"

    @Option(help: "Claims table joined by id.")
    var claims = "paper/claims.md"

    @Option(help: "Test images whose attention maps are drawn (the first of the test split; 0: none).")
    var attentionImages = 4

    @Option(help: "Dataset root for the attention maps (default: $ATKD_DATA, then ./data, then ../shared/datasets).")
    var dataRoot: String?

    @Flag(help: "Do not copy run summaries into <out>/runs/.")
    var noArchive = false

    @Option(help: "A README whose results table (between its `<!-- results: … -->` and `<!-- /results -->` lines) is rewritten from the same runs.")
    var readme: String?

    @Flag(help: "Rewrite the verdict cells of --claims for the claims the report measures (the same verdicts as REPORT.md).")
    var writeClaims = false

    func validate() throws {
        guard attentionImages >= 0 else {
            throw ValidationError("--attention-images must be ≥ 0 (0: no attention maps), got \(attentionImages)")
        }
    }

    func run() throws {
        var o = ReportOptions()
        o.inputs = experiments
        o.outputDirectory = out
        o.claimsPath = claims
        o.attentionImages = attentionImages
        o.archive = !noArchive
        o.readmePath = readme
        o.writeClaims = writeClaims
        let root = dataRoot
        o.loadData = { try DatasetProvider.make($0, dataRoot: root, cacheDir: nil, threads: 2, progress: false) }
        do { try ReportBuilder.build(o) } catch let e as ReportError { fail(e) }
    }
}
