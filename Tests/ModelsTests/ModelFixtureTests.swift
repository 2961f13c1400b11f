// Whole-model golden fixtures (Fixtures/models, PyTorch float64) under both engines.

import Foundation
import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import Models
import TestSupport

final class ModelFixtureTests: XCTestCase {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/models")
    }

    func testEveryModelFixtureMatchesPyTorchUnderTheReferenceEngine() throws {
        try runAll(engine: ReferenceEngine())
    }

    func testEveryModelFixtureMatchesPyTorchUnderTheFastEngine() throws {
        try runAll(engine: TestEngines.fast())
    }

    func runAll(engine: any Kernels, file: StaticString = #filePath, line: UInt = #line) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 9, "model fixtures missing", file: file, line: line)
        var families = Set<String>()
        for name in files {
            let f = try ModelFixtureFile(url: Self.directory.appendingPathComponent(name))
            let got = try ModelFixtureEvaluator.evaluate(f.fixture, engine: engine)
            XCTAssertEqual(Set(got.keys), Set(f.expected.keys), "\(name): output keys", file: file, line: line)
            XCTAssertTrue(f.expected.keys.contains { $0.hasPrefix("grad.layer") || $0.hasPrefix("grad.block")
                || $0.hasPrefix("grad.layers") || $0.hasPrefix("grad.model") }, name)
            for (key, want) in f.expected {
                guard let have = got[key] else { continue }
                assertClose(have, want, rtol: f.rtol, atol: f.atol, "\(name): \(key) [\(engine.name)]",
                            file: file, line: line)
            }
            families.insert(try f.fixture.string("arch").split(separator: "-").first.map(String.init) ?? "")
        }
        XCTAssertTrue(families.isSuperset(of: ["resnet8", "resnet18", "resnet50", "wrn", "mobilenetv1", "mobilenetv2"]),
                      "families covered: \(families.sorted())", file: file, line: line)
    }

    func testEvaluatorRejectsAMissingWeight() throws {
        let url = Self.directory.appendingPathComponent("resnet8_w8_optionA.json")
        var f = try ModelFixtureFile(url: url)
        f.fixture.inputs["layer2.0.conv1.weight"] = nil
        XCTAssertThrowsError(try ModelFixtureEvaluator.evaluate(f.fixture, engine: ReferenceEngine())) { e in
            XCTAssertTrue("\(e)".contains("layer2.0.conv1.weight"), "\(e)")
        }
    }
}

/// A fixture file read with Foundation (format v1), independent of the Verification module.
struct ModelFixtureFile {
    var fixture: FixtureCase
    var expected: [String: Tensor]
    var rtol: Float
    var atol: Float

    init(url: URL) throws {
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
        func tensors(_ any: Any?) throws -> [String: Tensor] {
            try (any as? [String: Any] ?? [:]).mapValues { v in
                guard let t = v as? [String: Any], let shape = t["shape"] as? [Int], let data = t["data"] as? [NSNumber]
                else { throw FixtureError("\(url.lastPathComponent): malformed tensor") }
                return try Tensor.validated(shape: shape, data: data.map(\.floatValue))
            }
        }
        var params: [String: FixtureParam] = [:]
        for (k, v) in doc["params"] as? [String: Any] ?? [:] {
            if let s = v as? String { params[k] = .string(s) }
            // NOTE: JSON true/false arrive as NSNumber; `training` is the only boolean param here.
            else if k == "training", let b = v as? Bool { params[k] = .bool(b) }
            else if let n = v as? NSNumber { params[k] = .number(n.doubleValue) }
        }
        fixture = FixtureCase(name: doc["name"] as? String ?? url.lastPathComponent, op: doc["op"] as? String ?? "",
                              params: params, inputs: try tensors(doc["inputs"]), upstream: try tensors(doc["upstream"]))
        expected = try tensors(doc["expected"])
        let tol = doc["tolerance"] as? [String: Any] ?? [:]
        rtol = (tol["rtol"] as? NSNumber)?.floatValue ?? 1e-4
        atol = (tol["atol"] as? NSNumber)?.floatValue ?? 1e-5
    }
}
