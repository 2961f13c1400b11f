// Golden fixtures of the AW-convolution (Fixtures/awconv, written by PyTorch from
// Fixtures/generators/awconv.py) evaluated by AWConvFixtures on the reference engine.

import Foundation
import XCTest
import TensorCore
import ReferenceEngine
import ZhuAttention
import TestSupport

final class AWConvFixturesTests: XCTestCase {
    /// Fixtures/awconv, found from this source file — no absolute paths.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/awconv")

    struct Loaded { var fixture: FixtureCase; var expected: [String: Tensor]; var rtol: Float; var atol: Float }

    func load(_ file: String) throws -> Loaded {
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.directory.appendingPathComponent(file))) as? [String: Any])
        func tensors(_ key: String) throws -> [String: Tensor] {
            try (doc[key] as? [String: [String: Any]] ?? [:]).mapValues { t in
                try Tensor.validated(shape: try XCTUnwrap(t["shape"] as? [Int]),
                                     data: try XCTUnwrap(t["data"] as? [NSNumber]).map(\.floatValue), field: file)
            }
        }
        let params = (doc["params"] as? [String: NSNumber] ?? [:]).mapValues { FixtureParam.number($0.doubleValue) }
        let tol = doc["tolerance"] as? [String: NSNumber] ?? [:]
        return Loaded(fixture: FixtureCase(name: try XCTUnwrap(doc["name"] as? String),
                                           op: try XCTUnwrap(doc["op"] as? String), params: params,
                                           inputs: try tensors("inputs"), upstream: try tensors("upstream")),
                      expected: try tensors("expected"), rtol: tol["rtol"]?.floatValue ?? 1e-4,
                      atol: tol["atol"]?.floatValue ?? 1e-5)
    }

    func testEveryFixtureMatchesPyTorch() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 5)
        for file in files {
            let f = try load(file)
            XCTAssertTrue(AWConvFixtures.ops.contains(f.fixture.op), file)
            let out = try AWConvFixtures.evaluate(f.fixture, engine: ReferenceEngine())
            XCTAssertEqual(Set(out.keys), Set(f.expected.keys), file)
            XCTAssertEqual(f.expected.count, 7, "\(file): y and the gradients of x and five parameters")
            for (key, want) in f.expected {
                guard let got = out[key] else { continue }
                assertClose(got, want, rtol: f.rtol, atol: f.atol, "\(file) \(key)")
            }
        }
    }

    func testMalformedFixtureThrowsNamingIt() throws {
        var f = try load("awconv2d_k3_s1_p1.json").fixture
        f.inputs["gen.pw2.bias"] = Tensor(zeros: [3])
        XCTAssertThrowsError(try AWConvFixtures.evaluate(f, engine: ReferenceEngine())) { error in
            XCTAssertTrue("\(error)".contains("awconv2d_k3_s1_p1"), "\(error)")
            XCTAssertTrue("\(error)".contains("gen.pw2.bias"), "\(error)")
        }
        f = try load("awconv2d_k3_s1_p1.json").fixture
        f.params["stride"] = nil
        XCTAssertThrowsError(try AWConvFixtures.evaluate(f, engine: ReferenceEngine()))
    }
}
