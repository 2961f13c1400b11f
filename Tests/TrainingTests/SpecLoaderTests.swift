import XCTest
import Foundation
import Objectives
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
            (#"{"arms": ["kd", "vid"]}"#, "arms"),
            (#"{"distill": {"dkd_beta": -8}}"#, "distill.dkd_beta"),
            (#"{"distill": {"crd_negatives": 0}}"#, "distill.crd_negatives"),
            (#"{"distill": {"crd_momentum": 1}}"#, "distill.crd_momentum"),
            (#"{"distill": {"crdkd_kd_weight": -1}}"#, "distill.crdkd_kd_weight"),
            (#"{"distill": {"dkd_warmup_epochs": -1}}"#, "distill.dkd_warmup_epochs"),
            (#"{"distill": {"fitnet_weight": "big"}}"#, "distill.fitnet_weight"),
            (#"{"distill": {"at_resize": "crop"}}"#, "distill.at_resize"),
            (#"{"distill": {"temperature": 0}}"#, "distill.temperature"),
            (#"{"teacher": {"train": {"schedule": "linear"}}}"#, "teacher.train.schedule"),
            (#"{"seeds": []}"#, "seeds"),
        ]
        for (json, key) in cases {
            XCTAssertThrowsError(try load(json), json) { e in XCTAssert("\(e)".contains(key), "\(json): \(e)") }
        }
    }

    /// The related-method arms and their `distill` keys: defaults from `RelatedMethodOptions`
    /// (RepDistiller / mdistiller), overridable one by one.
    func testRelatedMethodArmsAndKeys() throws {
        let s = try load(#"{"arms": ["dkd", "rkd", "sp", "pkt", "fitnet", "crd", "crdkd"], "distill": {"dkd_beta": 6, "crd_negatives": 4096}}"#)
        XCTAssertEqual(s.distill.dkdBeta, 6)
        XCTAssertEqual(s.distill.crdNegatives, 4096)
        var expected = RelatedMethodOptions.defaults
        expected.dkdBeta = 6; expected.crdNegatives = 4096
        XCTAssertEqual(s.distill.relatedMethods, expected)
        XCTAssertEqual(DistillSpec().relatedMethods, .defaults)
        let keys = try JSONSerialization.jsonObject(with: SpecLoader.resolvedJSON(ExperimentSpec())) as! [String: Any]
        let distill = (keys["distill"] as! [String: Any]).keys
        for key in ["dkd_alpha", "dkd_beta", "dkd_temperature", "dkd_warmup_epochs", "rkd_weight", "rkd_distance_weight",
                    "rkd_angle_weight", "sp_weight", "pkt_weight", "fitnet_weight", "fitnet_hint_tap", "crd_weight",
                    "crd_feature_dim", "crd_negatives", "crd_temperature", "crd_momentum", "crdkd_kd_weight"] {
            XCTAssertTrue(distill.contains(key), key)
        }
    }

    /// The fingerprint's `distill` digest stays that of the keys before issue 22 while the new
    /// keys keep their defaults (a running campaign resumes), and changes when one of them changes.
    func testDistillDigestIgnoresNewKeysOnlyAtTheirDefaults() throws {
        let plain = RunFingerprint.digest(distill: DistillSpec())
        var changed = DistillSpec()
        changed.crdWeight = 1
        XCTAssertNotEqual(RunFingerprint.digest(distill: changed), plain)
        var legacy = DistillSpec()
        legacy.kdWeight = 0.5
        XCTAssertNotEqual(RunFingerprint.digest(distill: legacy), plain)
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
