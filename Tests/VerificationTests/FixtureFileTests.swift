// FixtureFile: strict parsing; every error names the file and the field.

import Foundation
import TensorCore
import Verification
import XCTest

final class FixtureFileTests: XCTestCase {
    /// Loads `json` from a temp file named `fileName`; asserts it throws with both names in the message.
    private func assertRejected(_ json: [String: Any], fileName: String, field: String,
                                contains extra: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try writeTemp(json: json, name: fileName)
        do {
            _ = try FixtureFile.load(path: path)
            XCTFail("\(fileName) was accepted", file: file, line: line)
        } catch {
            let message = "\(error)"
            XCTAssertTrue(message.contains(fileName), "no file name in: \(message)", file: file, line: line)
            XCTAssertTrue(message.contains(field), "no field \(field) in: \(message)", file: file, line: line)
            if let extra { XCTAssertTrue(message.contains(extra), "no '\(extra)' in: \(message)", file: file, line: line) }
        }
    }

    func testValidFixtureParses() throws {
        let path = try writeTemp(json: validConvFixture(), name: "tiny_conv.json")
        let f = try FixtureFile.load(path: path)
        XCTAssertEqual(f.fixture.op, "conv2d")
        XCTAssertEqual(f.fixture.inputs["x"]?.shape, [1, 1, 3, 3])
        XCTAssertEqual(f.expected["y"]?.data, [-4, -4, -4, -4])
        XCTAssertEqual(f.tolerance, FixtureTolerance(rtol: 1e-5, atol: 1e-6))
        XCTAssertEqual(f.provenance.seed, 0)
        XCTAssertEqual(f.fixture.params["stride"], .number(1))
    }

    func testUnknownOp() throws {
        var j = validConvFixture(); j["op"] = "conv3d"
        try assertRejected(j, fileName: "unknown_op.json", field: "op", contains: "conv3d")
    }

    func testMissingTopLevelField() throws {
        for key in ["name", "op", "params", "inputs", "expected", "tolerance", "provenance"] {
            var j = validConvFixture(); j[key] = nil
            try assertRejected(j, fileName: "missing_\(key).json", field: key, contains: "missing")
        }
    }

    func testMissingToleranceEntryAndParam() throws {
        var j = validConvFixture(); j["tolerance"] = ["rtol": 1e-4]
        try assertRejected(j, fileName: "no_atol.json", field: "tolerance.atol")
        j = validConvFixture(); j["params"] = ["stride": 1, "padding": 0]
        try assertRejected(j, fileName: "no_groups.json", field: "params.groups")
    }

    func testDataLengthDisagreesWithShape() throws {
        var j = validConvFixture()
        j["inputs"] = ["x": ["shape": [1, 1, 3, 3], "data": [Double](repeating: 1, count: 8)],
                       "weight": ["shape": [1, 1, 2, 2], "data": [1.0, 0, 0, -1]]]
        try assertRejected(j, fileName: "short_data.json", field: "inputs.x",
                           contains: "data has 8 values but shape [1,1,3,3] needs 9")
    }

    func testNonNumericData() throws {
        var j = validConvFixture()
        j["expected"] = ["y": ["shape": [1, 1, 2, 2], "data": [-4.0, "oops", -4.0, -4.0] as [Any]]]
        try assertRejected(j, fileName: "string_data.json", field: "expected.y", contains: "data[1]")
        j["expected"] = ["y": ["shape": [1, 1, 2, 2], "data": [-4.0, -4.0, true, -4.0] as [Any]]]
        try assertRejected(j, fileName: "bool_data.json", field: "expected.y", contains: "data[2]")
    }

    func testBadShape() throws {
        var j = validConvFixture()
        j["expected"] = ["y": ["shape": [1, -1, 2, 2], "data": [-4.0, -4, -4, -4]]]
        try assertRejected(j, fileName: "negative_dim.json", field: "expected.y", contains: "shape[1]")
    }

    func testConvChannelMismatchBetweenInputs() throws {
        var j = validConvFixture()
        j["inputs"] = ["x": ["shape": [1, 1, 3, 3], "data": [Double](repeating: 1, count: 9)],
                       "weight": ["shape": [1, 2, 2, 2], "data": [Double](repeating: 1, count: 8)]]
        try assertRejected(j, fileName: "channels.json", field: "inputs.weight", contains: "inputs.x has 1 channels")
    }

    func testGradientShapeMustMatchInput() throws {
        var j = validConvFixture()
        var expected = j["expected"] as! [String: Any]
        expected["grad.x"] = ["shape": [1, 1, 2, 2], "data": [0.0, 0, 0, 0]]
        j["expected"] = expected
        try assertRejected(j, fileName: "grad_shape.json", field: "expected.grad.x")
    }

    func testBatchNormStatsMustMatchChannels() throws {
        let j: [String: Any] = [
            "name": "bn", "op": "batchnorm2d", "params": ["training": true, "eps": 1e-5, "momentum": 0.1],
            "inputs": ["x": ["shape": [2, 2, 1, 1], "data": [1.0, 2, 3, 4]],
                       "weight": ["shape": [2], "data": [1.0, 1]], "bias": ["shape": [2], "data": [0.0, 0]],
                       "running_mean": ["shape": [3], "data": [0.0, 0, 0]],
                       "running_var": ["shape": [2], "data": [1.0, 1]]],
            "expected": ["y": ["shape": [2, 2, 1, 1], "data": [-1.0, -1, 1, 1]]],
            "tolerance": ["rtol": 1e-4, "atol": 1e-4],
            "provenance": ["generator": "hand", "library": "none", "seed": 1],
        ]
        try assertRejected(j, fileName: "bn_stats.json", field: "inputs.running_mean")
    }

    func testCrossEntropyLabelsOutOfRange() throws {
        let j: [String: Any] = [
            "name": "ce", "op": "cross_entropy", "params": ["label_smoothing": 0],
            "inputs": ["logits": ["shape": [2, 3], "data": [0.0, 1, 2, 3, 4, 5]],
                       "labels": ["shape": [2], "data": [0, 3]]],
            "expected": ["loss": ["shape": [], "data": [1.0]]],
            "tolerance": ["rtol": 1e-4, "atol": 1e-6],
            "provenance": ["generator": "hand", "library": "none", "seed": 1],
        ]
        try assertRejected(j, fileName: "labels.json", field: "inputs.labels", contains: "data[1]")
    }

    func testNotJSON() throws {
        let path = try writeTemp("{\"name\": \"broken\", \"op\": ", name: "not_json.json")
        XCTAssertThrowsError(try FixtureFile.load(path: path)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("not_json.json"), message)
            XCTAssertTrue(message.contains("(document)") && message.contains("not valid JSON"), message)
        }
    }

    func testTopLevelArrayIsRejected() throws {
        let path = try writeTemp("[1, 2, 3]", name: "array.json")
        XCTAssertThrowsError(try FixtureFile.load(path: path)) { error in
            XCTAssertTrue("\(error)".contains("array.json: (document): must be a JSON object"), "\(error)")
        }
    }

    func testWrongFormatVersion() throws {
        var j = validConvFixture(); j["format"] = 2
        try assertRejected(j, fileName: "format2.json", field: "format")
    }

    func testExtraKeysAreAllowed() throws {
        var j = validConvFixture(); j["comment"] = "made by hand"; j["format"] = 1
        let path = try writeTemp(json: j, name: "extra.json")
        XCTAssertNoThrow(try FixtureFile.load(path: path))
    }
}
