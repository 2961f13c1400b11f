// Assertion helpers that report at the caller's line.

import XCTest
import TensorCore

/// Asserts |a − b| ≤ atol + rtol·|b| elementwise, naming the worst element.
public func assertClose(_ a: Tensor, _ b: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5,
                        _ message: @autoclosure () -> String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    guard a.shape == b.shape else {
        XCTFail("shape \(a.shape) vs \(b.shape) \(message())", file: file, line: line)
        return
    }
    var worst = 0, worstRatio: Float = 0
    for i in 0..<a.count {
        let r = abs(a.data[i] - b.data[i]) / (atol + rtol * abs(b.data[i]))
        if !(r <= worstRatio) { worstRatio = r; worst = i }
    }
    if !(worstRatio <= 1) {
        XCTFail("not close at flat index \(worst): \(a.data[worst]) vs \(b.data[worst]) "
                + "(ratio \(worstRatio)) \(message())", file: file, line: line)
    }
}

/// Asserts bit-for-bit equality (−0 ≠ +0, NaN payloads compared), naming the first differing
/// element and how many differ.
public func assertSameBits(_ a: [Float], _ b: [Float], _ message: @autoclosure () -> String = "",
                           file: StaticString = #filePath, line: UInt = #line) {
    guard a.count == b.count else {
        XCTFail("\(a.count) vs \(b.count) values \(message())", file: file, line: line)
        return
    }
    let differing = a.indices.filter { a[$0].bitPattern != b[$0].bitPattern }
    if let first = differing.first {
        XCTFail("\(differing.count) of \(a.count) differ, first at \(first): \(a[first]) vs \(b[first]) \(message())",
                file: file, line: line)
    }
}
