import XCTest
import Training

final class SpecLoaderTests: XCTestCase {
    func load(_ json: String) throws -> ExperimentSpec {
        try SpecLoader.load(Data(json.utf8), source: "test.json", knownModels: { ["resnet20", "mobilenetv2-half", "resnet50-w4-awconv"].contains($0) })
    }

    func testOverridesOnlyWhatDiffers() throws {
        let s = try load(#"{"name": "x", "student": {"train": {"epochs": 3}}, "dataset": {"augment": {"flip": false}}}"#)
        XCTAssertEqual(s.student.train.epochs, 3)
        XCTAssertEqual(s.student.train.lr, ExperimentSpec().student.train.lr)
        XCTAssertEqual(s.student.model, "mobilenetv2-half")
        XCTAssertFalse(s.dataset.augment.flip)
        XCTAssertEqual(s.dataset.augment.cropPadding, 4)
    }

    func testUnknownKeyIsNamed() {
        XCTAssertThrowsError(try load(#"{"student": {"train": {"epoch": 3}}}"#)) { e in
            XCTAssert("\(e)".contains("student.train.epoch"), "\(e)")
            XCTAssert("\(e)".contains("test.json"), "\(e)")
        }
    }

    func testWrongTypeIsNamed() {
        XCTAssertThrowsError(try load(#"{"teacher": {"train": {"lr": "fast"}}}"#)) { e in
            XCTAssert("\(e)".contains("teacher.train.lr"), "\(e)")
        }
    }

    func testImpossibleValuesAreNamed() {
        let cases: [(String, String)] = [
            (#"{"student": {"train": {"lr": -0.1}}}"#, "student.train.lr"),
            (#"{"student": {"model": "resnet9000"}}"#, "student.model"),
            (#"{"arms": ["kd", "fitnet"]}"#, "arms"),
            (#"{"distill": {"at_resize": "crop"}}"#, "distill.at_resize"),
            (#"{"distill": {"temperature": 0}}"#, "distill.temperature"),
            (#"{"teacher": {"train": {"schedule": "linear"}}}"#, "teacher.train.schedule"),
            (#"{"seeds": []}"#, "seeds"),
        ]
        for (json, key) in cases {
            XCTAssertThrowsError(try load(json), json) { e in XCTAssert("\(e)".contains(key), "\(json): \(e)") }
        }
    }

    func testResolvedJSONRoundTrips() throws {
        let s = try load(#"{"name": "round", "seeds": [1, 2, 3]}"#)
        let again = try SpecLoader.load(SpecLoader.resolvedJSON(s), source: "resolved")
        XCTAssertEqual(s, again)
    }
}

final class SpecJSONErrorTests: XCTestCase {
    func testASyntaxErrorNamesItsLineAndColumn() {
        let json = Data("{\n  \"name\": \"x\",\n  \"seeds\": [1, 2,\n}\n".utf8)
        XCTAssertThrowsError(try SpecLoader.load(json, source: "bad.json")) { e in
            XCTAssertTrue("\(e)".hasPrefix("bad.json: not valid JSON at line 4, column 1"), "\(e)")
        }
    }
}
