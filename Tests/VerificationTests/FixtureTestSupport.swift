// Shared helpers for the verification tests: the package root and temp fixture files.

import Foundation
import XCTest

/// The package root, found from this file's path (Tests/VerificationTests/…).
let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A valid conv2d fixture (1×1×3×3 input, one 2×2 filter, stride 1, no padding) as a JSON object.
func validConvFixture() -> [String: Any] {
    let x: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    let w: [Double] = [1, 0, 0, -1]
    // y[i,j] = x[i,j] − x[i+1,j+1] = −4 everywhere.
    let y: [Double] = [-4, -4, -4, -4]
    return [
        "name": "tiny_conv", "op": "conv2d",
        "params": ["stride": 1, "padding": 0, "groups": 1],
        "inputs": ["x": ["shape": [1, 1, 3, 3], "data": x],
                   "weight": ["shape": [1, 1, 2, 2], "data": w]],
        "expected": ["y": ["shape": [1, 1, 2, 2], "data": y]],
        "tolerance": ["rtol": 1e-5, "atol": 1e-6],
        "provenance": ["generator": "Tests/VerificationTests (hand-written)", "library": "none", "seed": 0],
    ]
}

/// Writes `text` to a fresh temporary file named `name` and returns its path.
func writeTemp(_ text: String, name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("atkd-verification-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// Serialises a JSON object to a temporary file.
func writeTemp(json: [String: Any], name: String) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
    return try writeTemp(String(decoding: data, as: UTF8.self), name: name)
}
