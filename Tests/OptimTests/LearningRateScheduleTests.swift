import XCTest
import Optim

final class LearningRateScheduleTests: XCTestCase {
    func testStepScheduleMatchesATRepo() {
        // AT repo: lr 0.1, ×0.2 at epochs 60, 120, 160 (PAPERS.md §5); 10 steps per epoch.
        let s = LearningRateSchedule(kind: .step, baseLR: 0.1, totalSteps: 2000, stepsPerEpoch: 10,
                                     milestones: [60, 120, 160], gamma: 0.2)
        XCTAssertEqual(s.lr(at: 599), 0.1, accuracy: 1e-7)
        XCTAssertEqual(s.lr(at: 600), 0.02, accuracy: 1e-7)
        XCTAssertEqual(s.lr(at: 1200), 0.004, accuracy: 1e-7)
        XCTAssertEqual(s.lr(at: 1999), 0.0008, accuracy: 1e-7)
    }

    func testCosineEndpointsAndMidpoint() {
        let s = LearningRateSchedule(kind: .cosine, baseLR: 0.2, totalSteps: 100, stepsPerEpoch: 10)
        XCTAssertEqual(s.lr(at: 0), 0.2, accuracy: 1e-7)
        XCTAssertEqual(s.lr(at: 50), 0.1, accuracy: 1e-6)
        XCTAssertEqual(s.lr(at: 100), 0, accuracy: 1e-7)
    }

    func testOneCycleRisesToPeakThenFalls() {
        let s = LearningRateSchedule(kind: .onecycle, baseLR: 0.4, totalSteps: 100, stepsPerEpoch: 10,
                                     peakFraction: 0.25, initialDivisor: 25, finalDivisor: 1e4)
        XCTAssertEqual(s.lr(at: 0), 0.4 / 25, accuracy: 1e-7)
        XCTAssertEqual(s.lr(at: 25), 0.4, accuracy: 1e-6)
        XCTAssertEqual(s.lr(at: 100), 0.4 / 1e4, accuracy: 1e-7)
        XCTAssertLessThan(s.lr(at: 10), s.lr(at: 20))
        XCTAssertGreaterThan(s.lr(at: 50), s.lr(at: 80))
    }

    func testWarmupIsLinear() {
        let s = LearningRateSchedule(kind: .constant, baseLR: 1, totalSteps: 100, stepsPerEpoch: 10, warmupSteps: 4)
        XCTAssertEqual((0..<5).map { s.lr(at: $0) }, [0.25, 0.5, 0.75, 1, 1])
    }
}
