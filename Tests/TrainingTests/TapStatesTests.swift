// AT between taps of different activation states is refused unless the spec says `mixed`.

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
        // CIFAR ResNet taps are post-ReLU; MobileNetV2's are linear block outputs (pre-activation).
        XCTAssertThrowsError(try runner(teacher: "resnet20", student: "mobilenetv2-w8", states: "same").tapStates()) { e in
            XCTAssertTrue("\(e)".contains("distill.at_tap_states"), "\(e)")
            XCTAssertTrue("\(e)".contains("post-activation") && "\(e)".contains("pre-activation"), "\(e)")
        }
        XCTAssertEqual(try runner(teacher: "resnet20", student: "mobilenetv2-w8", states: "mixed").tapStates(), "post→pre")
        XCTAssertEqual(try runner(teacher: "wrn-16-2", student: "wrn-16-1", states: "same").tapStates(), "pre→pre")
        XCTAssertNil(try runner(teacher: "resnet20", student: "mobilenetv2-w8", states: "same", arms: ["ce", "kd"]).tapStates())
    }
}
