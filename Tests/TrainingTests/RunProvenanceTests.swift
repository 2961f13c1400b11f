// Provenance: recorded beside the spec and in final.json, ignored when a spec is read back,
// and the regression names the OpenBLAS core of baseline and run.

import XCTest
import Training

final class RunProvenanceTests: XCTestCase {
    func testCurrentNamesMachineThreadsEngineAndVersion() {
        let p = RunProvenance.current(threads: 2, engine: "fast")
        XCTAssertEqual(p.threads, 2)
        XCTAssertEqual(p.engine, "fast")
        XCTAssertEqual(p.toolVersion, ATKDVersion.string)
        XCTAssertFalse(p.cpuModel.isEmpty)
        XCTAssertGreaterThanOrEqual(p.processors, 1)
        XCTAssertFalse(p.commandLine.isEmpty)
    }

    func testSpecWithProvenanceReadsBackAsTheSameSpec() throws {
        var spec = ExperimentSpec()
        spec.name = "provenance-roundtrip"
        spec.seeds = [1, 2, 3]
        let p = RunProvenance(toolVersion: "9", commit: String(repeating: "a", count: 40), dirty: false,
                              commandLine: ["atkd", "run"], cpuModel: "cpu", processors: 2, threads: 2,
                              engine: "fast", openblasCore: "Haswell", openblasCoretypeEnv: "Haswell")
        let data = SpecLoader.resolvedJSON(spec, provenance: p)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let recorded = try XCTUnwrap(object["provenance"] as? [String: Any])
        XCTAssertEqual(recorded["openblas_core"] as? String, "Haswell")
        XCTAssertEqual(try SpecLoader.load(data, source: "spec.json"), spec)
    }

    func testRegressionCoreLineSaysWhetherTheCoresMatch() {
        var b = Regression.makeBaseline(spec: "s", seed: 1, threads: 2, recorded: ["ce": 30], repeatIdentical: true,
                                        spreadRuns: [1: ["ce": 30]], commit: "c")
        b.openblasCore = "SkylakeX"
        XCTAssertTrue(Regression.coreLine(baseline: b, now: "SkylakeX").contains("same"))
        XCTAssertTrue(Regression.coreLine(baseline: b, now: "Haswell").contains("different"))
        b.openblasCore = nil
        XCTAssertTrue(Regression.coreLine(baseline: b, now: "Haswell").contains("not recorded"))
    }
}
