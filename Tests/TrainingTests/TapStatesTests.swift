// AT between taps of different activation states is refused unless the spec says `mixed`; AT
// between networks with different numbers of taps is refused before anything trains.

import XCTest
import Training

final class TapStatesTests: XCTestCase {
    func runner(teacher: String, student: String, states: String, arms: [String] = ["ce", "at"]) -> ExperimentRunner {
        var spec = ExperimentSpec()
        spec.name = "tap-states"
        spec.teacher = NetworkSpec(model: teacher, train: TrainSpec(epochs: 1, lr: 0.1))
        spec.student = NetworkSpec(model: student, train: TrainSpec(epochs: 1, lr: 0.1))
        spec.arms = arms
        spec.distill.atTapStates = states
        spec.dataset.resolution = 8
        return ExperimentRunner(spec: spec, data: SyntheticData(), engine: Session.makeEngine("fast", threads: 1),
                                options: RunOptions())
    }

    func testMixedStatesAreRefusedUnlessTheSpecAllowsThem() throws {
        // Bottleneck ResNet taps are post-ReLU; MobileNetV2's are linear block outputs (pre-activation).
        XCTAssertThrowsError(try runner(teacher: "resnet50-w4", student: "mobilenetv2-w8", states: "same").tapStates()) { e in
            XCTAssertTrue("\(e)".contains("distill.at_tap_states"), "\(e)")
            XCTAssertTrue("\(e)".contains("post-activation") && "\(e)".contains("pre-activation"), "\(e)")
        }
        XCTAssertEqual(try runner(teacher: "resnet50-w4", student: "mobilenetv2-w8", states: "mixed").tapStates(), "post→pre")
        XCTAssertEqual(try runner(teacher: "wrn-16-2", student: "wrn-16-1", states: "same").tapStates(), "pre→pre")
        XCTAssertNil(try runner(teacher: "resnet50-w4", student: "mobilenetv2-w8", states: "same", arms: ["ce", "kd"]).tapStates())
    }

    func testDifferentTapCountsAreRefusedBeforeTraining() throws {
        // resnet50-w4 has 4 stages, resnet20 3: the AT arms could not pair them (the first AT step
        // used to stop the run on a precondition, after the teacher had trained).
        XCTAssertThrowsError(try runner(teacher: "resnet50-w4", student: "resnet20", states: "same").tapStates()) { e in
            XCTAssertTrue("\(e)".contains("resnet50-w4 has 4 taps and resnet20 has 3"), "\(e)")
        }
        XCTAssertNil(try runner(teacher: "resnet50-w4", student: "resnet20", states: "same", arms: ["ce", "kd"]).tapStates())
    }
}
