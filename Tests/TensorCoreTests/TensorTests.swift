import XCTest
import TensorCore

final class TensorTests: XCTestCase {
    func testValidatedRejectsWrongLength() {
        XCTAssertThrowsError(try Tensor.validated(shape: [2, 3], data: [1, 2, 3], field: "inputs.x")) { e in
            XCTAssert("\(e)".contains("inputs.x"))
            XCTAssert("\(e)".contains("needs 6"))
        }
    }

    func testArithmeticAndReductions() {
        let a = Tensor(shape: [2, 2], data: [1, -2, 3, 4])
        let b = Tensor(shape: [2, 2], data: [0.5, 0.5, 0.5, 0.5])
        XCTAssertEqual((a + b).data, [1.5, -1.5, 3.5, 4.5])
        XCTAssertEqual((a * b).data, [0.5, -1, 1.5, 2])
        XCTAssertEqual(a.sum(), 6)
        XCTAssertEqual(a.dot(b), 3)
        XCTAssertEqual(a.maxAbs(), 4)
        XCTAssertEqual(a.argmaxRows(), [0, 1])
    }

    func testClosenessRatio() {
        let a = Tensor(shape: [2], data: [1, 2]), b = Tensor(shape: [2], data: [1, 2.001])
        XCTAssertLessThan(closenessRatio(a, b, rtol: 1e-3, atol: 0), 1)
        XCTAssertGreaterThan(closenessRatio(a, b, rtol: 1e-5, atol: 0), 1)
    }
}
