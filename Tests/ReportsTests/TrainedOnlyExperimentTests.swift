// A model trained on its own (`atkd train --spec SPEC --name NAME`) in the report: its folder
// records SPEC, students and all; none of them is planned.

import Foundation
import XCTest
import Training
import Reports

final class TrainedOnlyExperimentTests: XCTestCase {
    /// `atkd train --spec SPEC --name NAME` records SPEC (students and all) beside its teacher; none
    /// of those students is planned, so none is listed as missing. The same folder written by
    /// `atkd run` lists them.
    func testAModelTrainedOnItsOwnPlansNoStudents() throws {
        for (command, planned) in [("train", 0), ("run", 8)] {
            let scratch = try ScratchDir("trained-only-\(command)")
            let dir = "\(scratch.path)/control"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let provenance = RunProvenance(toolVersion: "0", commit: nil, dirty: nil,
                                           commandLine: ["atkd", command, "--spec", "x.json"], cpuModel: "cpu",
                                           processors: 2, threads: 1, engine: "fast", openblasCore: nil,
                                           openblasCoretypeEnv: nil)
            try SpecLoader.resolvedJSON(SyntheticRuns.spec(name: "control"), provenance: provenance)
                .write(to: URL(fileURLWithPath: "\(dir)/spec.json"))
            try SyntheticRuns.teacher(dir, top1: 0.88)
            let e = ExperimentResults.load(directory: dir)
            XCTAssertEqual(e.trainedOnly, command == "train", command)
            XCTAssertEqual(e.runs.count, planned, "\(command): \(e.runs.map(\.name))")
            XCTAssertEqual(e.teacher?.summary?.final.top1 ?? 0, 0.88, accuracy: 1e-9, command)
            let md = ReportMarkdown.experimentSection(e, figures: [], attentionNote: nil)
            XCTAssertEqual(md.contains("trained on its own"), command == "train", md)
            XCTAssertEqual(md.contains("ce-seed1 | missing"), command == "run", md)
            // No student has started: no AT distance "yet" (not "these runs predate steps.tsv").
            XCTAssertEqual(md.contains("No AT distance during training yet: no distillation run has started."),
                           command == "run", md)
            XCTAssertFalse(md.contains("predate"), md)
        }
    }
}
