// The `atkd` binary the tests run end to end: where it is (built beside the test bundle) and how a
// test runs it, or another tool such as mpirun, in the package root.

import Foundation

enum AtkdBinary {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `.build/<config>/atkd` beside the test runner (`.build/release/ATKDPackageTests.xctest`), nil when not built.
    static var path: String? {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return [runner, Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
            .map { $0.appendingPathComponent("atkd").path }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `tool` with `args` in the package root (extra `environment` on top of this process's);
    /// returns its exit status and its stdout and stderr together.
    static func run(_ tool: String, _ args: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.currentDirectoryURL = packageRoot
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
