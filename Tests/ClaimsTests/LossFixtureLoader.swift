// Reads Fixtures/losses/*.json (format v1) into FixtureCase values for the claim evaluators,
// with the expected outputs and tolerance, independently of the Verification module.

import Foundation
import TensorCore
import XCTest

/// One golden fixture: the case, what it expects, and how close is close.
struct LossFixture {
    var file: String
    var fixture: FixtureCase
    var expected: [String: Tensor]
    var rtol: Float
    var atol: Float
}

enum LossFixtureLoader {
    /// Fixtures/losses, found from this source file (Tests/ClaimsTests/…) — no absolute paths.
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/losses")
    }

    /// Every fixture whose op is in `ops`, sorted by file name.
    static func load(ops: Set<String>) throws -> [LossFixture] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try files.compactMap { name in
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            guard let doc = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw FixtureError("\(name): not a JSON object")
            }
            guard let op = doc["op"] as? String else { throw FixtureError("\(name): missing op") }
            guard ops.contains(op) else { return nil }
            let tol = doc["tolerance"] as? [String: Any] ?? [:]
            return LossFixture(
                file: name,
                fixture: FixtureCase(name: doc["name"] as? String ?? name, op: op,
                                     params: try (doc["params"] as? [String: Any] ?? [:]).mapValues(param),
                                     inputs: try tensors(doc["inputs"], name),
                                     upstream: try tensors(doc["upstream"], name)),
                expected: try tensors(doc["expected"], name),
                rtol: (tol["rtol"] as? NSNumber)?.floatValue ?? 1e-4,
                atol: (tol["atol"] as? NSNumber)?.floatValue ?? 1e-5)
        }
    }

    static func tensors(_ any: Any?, _ file: String) throws -> [String: Tensor] {
        guard let dict = any as? [String: Any] else { return [:] }
        return try dict.mapValues { value in
            guard let t = value as? [String: Any], let shape = t["shape"] as? [Int],
                  let data = t["data"] as? [NSNumber] else { throw FixtureError("\(file): malformed tensor") }
            return try Tensor.validated(shape: shape, data: data.map(\.floatValue), field: file)
        }
    }

    static func param(_ v: Any) throws -> FixtureParam {
        switch v {
        case let s as String: return .string(s)
        // NOTE: JSON booleans also arrive as NSNumber; the loss ops take no boolean params.
        case let n as NSNumber: return .number(n.doubleValue)
        case let a as [Any]: return .list(try a.map(param))
        case is NSNull: return .null
        default: throw FixtureError("unsupported param \(v)")
        }
    }
}

/// Every expected output of `fixture` is in `got`, of the same size and within the fixture's tolerance
/// (`closenessRatio` ≤ 1).
func assertMatchesFixture(_ got: [String: Tensor], _ fixture: LossFixture, file: StaticString = #filePath, line: UInt = #line) {
    for (key, want) in fixture.expected {
        guard let have = got[key] else { XCTFail("\(fixture.file): no output \(key)", file: file, line: line); continue }
        XCTAssertEqual(have.count, want.count, "\(fixture.file) \(key)", file: file, line: line)
        guard have.count == want.count else { continue }
        let ratio = closenessRatio(have.reshaped(want.shape), want, rtol: fixture.rtol, atol: fixture.atol)
        XCTAssertLessThanOrEqual(ratio, 1, "\(fixture.file) \(key): worst ratio \(ratio)", file: file, line: line)
    }
}
