import XCTest
import Foundation

/// A deliberately broken AT gradient (ATKD_FAULT=at-grad-flip) must make the
/// accuracy-delta regression fail with its table; runs the real `atkd regress`.
final class RegressionFaultTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func testFlippedATGradientFailsTheRegression() throws {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let binary = [runner, Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
            .map { $0.appendingPathComponent("atkd").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let binary else { throw XCTSkip("atkd binary not built beside the tests") }
        let root = Self.packageRoot.path
        guard FileManager.default.fileExists(atPath: "\(root)/teachers/cifar10-wrn-16-2.atkd"),
              FileManager.default.fileExists(atPath: "\(root)/../shared/datasets/cifar-10-batches-bin") else {
            throw XCTSkip("needs the shipped teacher and ../shared/datasets")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["regress", "--arms", "ce,at"]
        p.currentDirectoryURL = Self.packageRoot
        var env = ProcessInfo.processInfo.environment
        env["ATKD_FAULT"] = "at-grad-flip"
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 1, text)
        XCTAssert(text.contains("recorded") && text.contains("tolerance"), text)
        let failed = text.split(separator: "\n").filter { $0.hasSuffix("FAIL") }.map { $0.split(separator: " ")[0] }
        XCTAssert(failed.contains("at-ce"), text)
        XCTAssert(text.contains("regression: FAILED"), text)
    }
}
