// EvaluatorRegistry: one evaluator per op.

import TensorCore
import Verification
import XCTest

final class EvaluatorRegistryTests: XCTestCase {
    func testNoOpIsClaimedTwice() {
        var owner: [String: String] = [:]
        for e in EvaluatorRegistry.all {
            for op in e.ops {
                XCTAssertNil(owner[op], "\(op) claimed by \(owner[op] ?? "") and \(e)")
                owner[op] = "\(e)"
            }
        }
    }

    func testEngineOpsAreRegistered() {
        XCTAssertTrue(EngineOpsEvaluator.ops.isSubset(of: EvaluatorRegistry.ops))
        XCTAssertTrue(EvaluatorRegistry.evaluator(for: "conv2d") == EngineOpsEvaluator.self)
        XCTAssertNil(EvaluatorRegistry.evaluator(for: "no_such_op"))
    }
}
