// The experiment section's header: it names the AT weight the runs used, resolution-fair or not.

import Foundation
import XCTest
import Training
import Reports

final class ReportMarkdownTests: XCTestCase {
    /// A spec with `distill.at_reference_pixels` S_ref says each tap's term is scaled by S/S_ref; one
    /// without says β alone (the authors' code form).
    func testTheHeaderNamesTheResolutionFairATWeight() throws {
        for reference in [0, 256] {
            let scratch = try ScratchDir("report-header-\(reference)")
            let dir = "\(scratch.path)/fair"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var spec = SyntheticRuns.spec(name: "fair")
            spec.distill.atReferencePixels = reference
            let provenance = RunProvenance(toolVersion: "0", commit: nil, dirty: nil, commandLine: ["atkd", "run", "x.json"],
                                           cpuModel: "cpu", processors: 2, threads: 1, engine: "fast", openblasCore: nil,
                                           openblasCoretypeEnv: nil)
            try SpecLoader.resolvedJSON(spec, provenance: provenance).write(to: URL(fileURLWithPath: "\(dir)/spec.json"))
            try SyntheticRuns.teacher(dir, top1: 0.8)
            let md = ReportMarkdown.experimentSection(ExperimentResults.load(directory: dir), figures: [], attentionNote: nil)
            XCTAssertTrue(md.contains("AT β = 1000, p = 2"), md)
            XCTAssertEqual(md.contains("(resolution-fair: each tap's term × S/256, S its H·W)"), reference == 256, md)
            XCTAssertEqual(md.contains("resolution-fair"), reference > 0, md)
        }
    }
}
