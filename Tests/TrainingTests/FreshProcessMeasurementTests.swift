// FreshProcessMeasurement: the child's arguments and the parent's reading of its JSON lines.

import XCTest
import Training

final class FreshProcessMeasurementTests: XCTestCase {
    /// The child measures in process, once, without the peer (so it cannot recurse or run torch),
    /// with every setting of the parent's config.
    func testChildArgumentsMeasureOnceInProcessWithTheConfig() {
        var config = BenchConfig()
        config.batch = 64; config.threads = 1; config.input = 64; config.seconds = 2.5; config.bf16 = true
        let model = FreshProcessMeasurement.arguments(model: "wrn-16-1", config: config)
        XCTAssertEqual(Array(model.prefix(2)), ["bench", "wrn-16-1"])
        for flag in ["--in-process", "--no-peer", "--json"] { XCTAssertTrue(model.contains(flag), flag) }
        func value(_ args: [String], _ option: String) -> String? {
            args.firstIndex(of: option).map { args[$0 + 1] }
        }
        XCTAssertEqual(value(model, "--rounds"), "1")
        XCTAssertEqual(value(model, "--batch"), "64")
        XCTAssertEqual(value(model, "--threads"), "1")
        XCTAssertEqual(value(model, "--input"), "64")
        XCTAssertEqual(value(model, "--seconds"), "2.5")
        XCTAssertEqual(value(model, "--precision"), "bf16")
        let pair = FreshProcessMeasurement.arguments(model: nil, pair: ("wrn-16-2", "wrn-16-1"), config: BenchConfig())
        XCTAssertEqual(Array(pair.prefix(2)), ["bench", "none"])
        XCTAssertEqual(value(pair, "--pair"), "wrn-16-2:wrn-16-1")
        XCTAssertEqual(value(pair, "--precision"), "fp32")
    }

    /// The line of the asked kind is found past the machine line and decoded field by field.
    func testDecodesTheLineOfItsKind() throws {
        let output = """
        {"kind":"machine","batch":128,"threads":2}
        {"kind":"model","model":"wrn-16-1","params":175066,"macs":27000000,"batch":128,"threads":2,"input":32,"train_img_s":1454.9,"infer_img_s":5029.7,"peak_rss_mb":283.5,"train_steps_timed":9}
        {"kind":"pair","teacher":"wrn-16-2","student":"wrn-16-1","batch":128,"threads":2,"input":32,"atkd_step_img_s":771.6,"peak_rss_mb":373,"steps_timed":7}
        """
        let model = try FreshProcessMeasurement.decode(ModelBenchResult.self, kind: "model", from: output)
        XCTAssertEqual(model.model, "wrn-16-1")
        XCTAssertEqual(model.params, 175066)
        XCTAssertEqual(model.trainImgS, 1454.9)
        XCTAssertEqual(model.inferImgS, 5029.7)
        XCTAssertEqual(model.peakRssMb, 283.5)
        XCTAssertEqual(model.trainStepsTimed, 9)
        let pair = try FreshProcessMeasurement.decode(PairBenchResult.self, kind: "pair", from: output)
        XCTAssertEqual(pair.teacher, "wrn-16-2")
        XCTAssertEqual(pair.atkdStepImgS, 771.6)
        XCTAssertEqual(pair.stepsTimed, 7)
    }

    /// A batch-1 measurement (no training step: NaN img/s) survives the trip: the child's JSON line is
    /// a real record (it was `{}`, and `make bench`'s batch-1 run failed), and the parent reads NaN back.
    func testAnUnmeasuredTrainingStepTravelsAsNaN() throws {
        let measured = #"{"kind":"model","model":"wrn-16-1","params":175066,"macs":27000000,"batch":1,"threads":2,"input":32,"train_img_s":1.0,"infer_img_s":700.5,"peak_rss_mb":40,"train_steps_timed":0}"#
        var r = try FreshProcessMeasurement.decode(ModelBenchResult.self, kind: "model", from: measured)
        r.trainImgS = .nan
        let line = BenchReport.jsonLine(ModelComparison(ours: r, peer: nil))
        XCTAssert(line.contains(#""kind":"model""#), line)
        let back = try FreshProcessMeasurement.decode(ModelBenchResult.self, kind: "model", from: line)
        XCTAssert(back.trainImgS.isNaN)
        XCTAssertEqual(back.inferImgS, 700.5)
        XCTAssertEqual(back.batch, 1)
    }

    /// No line of the kind (a child that failed before measuring): a clear error naming the kind.
    func testMissingKindIsAnError() {
        XCTAssertThrowsError(try FreshProcessMeasurement.decode(PairBenchResult.self, kind: "pair",
                                                                from: "{\"kind\":\"machine\"}\nnot json\n")) { error in
            XCTAssertTrue("\(error)".contains("no `pair` line"), "\(error)")
        }
    }
}
