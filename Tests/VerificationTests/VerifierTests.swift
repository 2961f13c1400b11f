// Verifier: the committed fixtures pass; tampered or incomplete ones fail.

import FastEngine
import Foundation
import ReferenceEngine
import TensorCore
import TestSupport
import Verification
import XCTest

final class VerifierTests: XCTestCase {
    private var fixturesDir: String { packageRoot.appendingPathComponent("Fixtures").path }

    private func allFixtures() throws -> [String] {
        let paths = try Verifier.fixturePaths([fixturesDir])
        XCTAssertGreaterThan(paths.count, 40, "too few fixtures found under \(fixturesDir)")
        return paths
    }

    private func assertAllPass(_ engine: any Kernels, file: StaticString = #filePath, line: UInt = #line) throws {
        let verifier = Verifier(engine: engine)
        for path in try allFixtures() {
            let r = verifier.verify(path: path)
            XCTAssertTrue(r.passed, "\(engine.name): \(path): \(r.worstKey ?? "-") max error \(r.maxAbsError) "
                          + "\(r.note ?? "")", file: file, line: line)
        }
    }

    func testEveryFixturePassesUnderReferenceEngine() throws { try assertAllPass(ReferenceEngine()) }

    func testEveryFixturePassesUnderFastEngine() throws { try assertAllPass(TestEngines.fast()) }

    /// The fixture set covers every engine op (so "all pass" cannot be vacuous).
    func testFixturesCoverEveryEngineOp() throws {
        var seen = Set<String>()
        for path in try allFixtures() { seen.insert(try FixtureFile.load(path: path).fixture.op) }
        XCTAssertTrue(EngineOpsEvaluator.ops.isSubset(of: seen),
                      "no fixture for \(EngineOpsEvaluator.ops.subtracting(seen).sorted())")
    }

    /// Committed fixtures record a generator script that exists, relative to the package.
    func testFixturesHaveRelativeProvenance() throws {
        for path in try allFixtures() {
            let f = try FixtureFile.load(path: path)
            XCTAssertFalse(f.provenance.generator.hasPrefix("/"), "\(path): absolute generator path")
            XCTAssertTrue(FileManager.default.fileExists(
                atPath: packageRoot.appendingPathComponent(f.provenance.generator).path),
                "\(path): generator \(f.provenance.generator) not in the repository")
        }
    }

    /// The engine-op fixtures stay under the house limit of 100 KB each.
    // TODO: widen to all of Fixtures/ once the model fixtures fit (several are 180–390 KB).
    func testOpFixturesAreSmall() throws {
        let ops = try Verifier.fixturePaths([packageRoot.appendingPathComponent("Fixtures/ops").path])
        XCTAssertGreaterThan(ops.count, 40)
        for path in ops {
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            XCTAssertLessThan(size, 100 * 1024, "\(path) is \(size) bytes")
        }
    }

    func testTamperedExpectedValueFails() throws {
        let original = packageRoot.appendingPathComponent("Fixtures/ops/conv2d_k3_s2_p1_odd.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: original)) as! [String: Any]
        var expected = json["expected"] as! [String: Any]
        var grad = expected["grad.weight"] as! [String: Any]
        var data = grad["data"] as! [Double]
        data[5] += 1e-2
        grad["data"] = data; expected["grad.weight"] = grad; json["expected"] = expected
        let path = try writeTemp(json: json, name: "tampered.json")

        let untouched = Verifier(engine: ReferenceEngine()).verify(path: original.path)
        XCTAssertTrue(untouched.passed, untouched.note ?? "")
        let r = Verifier(engine: ReferenceEngine()).verify(path: path)
        XCTAssertFalse(r.passed)
        XCTAssertEqual(r.worstKey, "grad.weight")
        XCTAssertEqual(r.maxAbsError, 1e-2, accuracy: 1e-4)
    }

    func testExpectedKeyNotProducedFails() throws {
        var json = validConvFixture()
        var expected = json["expected"] as! [String: Any]
        expected["y_extra"] = ["shape": [1], "data": [0.0]]
        json["expected"] = expected
        let r = Verifier(engine: ReferenceEngine()).verify(path: try writeTemp(json: json, name: "extra_key.json"))
        XCTAssertFalse(r.passed)
        XCTAssertEqual(r.worstKey, "y_extra")
        XCTAssertTrue(r.note?.contains("not produced") ?? false, r.note ?? "")
    }

    func testGradientWithoutUpstreamFails() throws {
        var json = validConvFixture()
        var expected = json["expected"] as! [String: Any]
        expected["grad.x"] = ["shape": [1, 1, 3, 3], "data": [Double](repeating: 0, count: 9)]
        json["expected"] = expected
        let r = Verifier(engine: ReferenceEngine()).verify(path: try writeTemp(json: json, name: "no_upstream.json"))
        XCTAssertFalse(r.passed)
        XCTAssertEqual(r.worstKey, "grad.x")
    }

    func testHandWrittenFixturePasses() throws {
        let r = Verifier(engine: ReferenceEngine()).verify(path: try writeTemp(json: validConvFixture(), name: "ok.json"))
        XCTAssertTrue(r.passed, r.note ?? "")
        XCTAssertEqual(r.name, "tiny_conv")
        XCTAssertEqual(r.maxAbsError, 0, accuracy: 1e-6)
    }

    func testMalformedFileIsAFailureNamingTheFile() throws {
        let path = try writeTemp("not json", name: "garbage.json")
        let r = Verifier(engine: ReferenceEngine()).verify(path: path)
        XCTAssertFalse(r.passed)
        XCTAssertTrue(r.note?.contains("garbage.json") ?? false, r.note ?? "")
    }

    func testFixturePathsAreRecursiveSortedAndJSONOnly() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("atkd-paths-\(UUID().uuidString)")
        let sub = root.appendingPathComponent("b/c")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        for name in ["z.json", "b/c/a.json", "b/notes.txt", "a.json"] {
            try "{}".write(to: root.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let found = try Verifier.fixturePaths([root.path, root.appendingPathComponent("a.json").path])
        XCTAssertEqual(found.map { String($0.dropFirst(root.path.count + 1)) }, ["a.json", "b/c/a.json", "z.json"])
        XCTAssertThrowsError(try Verifier.fixturePaths([root.appendingPathComponent("missing").path]))
    }
}
