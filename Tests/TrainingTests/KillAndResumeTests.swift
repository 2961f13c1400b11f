import XCTest
import Foundation
import Models
import Training

/// Runs the real `atkd` binary on a CIFAR-10 subset, kills it with SIGKILL at
/// random moments, resumes, and checks the result equals an uninterrupted run.
final class KillAndResumeTests: XCTestCase {
    static let packageRoot = AtkdBinary.packageRoot
    var binary: String? { AtkdBinary.path }

    func launch(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary!)
        p.arguments = args
        p.currentDirectoryURL = Self.packageRoot
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func testSIGKILLAtRandomMomentsThenResumeGivesIdenticalResult() throws {
        guard binary != nil else { throw XCTSkip("atkd binary not built beside the tests") }
        let data = Self.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets/cifar-10-batches-bin")
        guard FileManager.default.fileExists(atPath: data.path) else { throw XCTSkip("CIFAR-10 not at \(data.path)") }
        let tmp = NSTemporaryDirectory() + "atkd-kill-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let spec = """
        {"name": "kill", "arms": ["ce"], "dataset": {"train_per_class": 12, "test_per_class": 5},
         "student": {"model": "resnet20", "train": {"epochs": 4, "batch_size": 20, "lr": 0.05}}}
        """
        try spec.write(toFile: "\(tmp)/kill.json", atomically: true, encoding: .utf8)
        let common = ["run", "\(tmp)/kill.json", "--quiet", "--data-root", data.deletingLastPathComponent().path]

        let started = Date()
        let whole = try launch(common + ["--runs", "\(tmp)/whole"])
        whole.waitUntilExit()
        XCTAssertEqual(whole.terminationStatus, 0)
        // Kill moments are drawn within the first 10–60 % of an uninterrupted run's wall time, so a
        // faster engine or machine still gets killed mid-run (fixed 0.3–2.5 s let the run finish first).
        let wall = Date().timeIntervalSince(started)

        var rng = SystemRandomNumberGenerator()
        var kills = 0
        let final = "\(tmp)/cut/kill/ce-seed1/final.json"
        while !FileManager.default.fileExists(atPath: final) && kills < 6 {
            let p = try launch(common + ["--runs", "\(tmp)/cut"])
            Thread.sleep(forTimeInterval: wall * Double.random(in: 0.1...0.6, using: &rng))
            if p.isRunning { kill(p.processIdentifier, SIGKILL); kills += 1 }
            p.waitUntilExit()
        }
        let last = try launch(common + ["--runs", "\(tmp)/cut"])
        last.waitUntilExit()
        XCTAssertEqual(last.terminationStatus, 0)
        XCTAssertGreaterThan(kills, 0, "the run finished before any kill: make it longer")

        let a = try RunSummary.load(path: "\(tmp)/whole/kill/ce-seed1/final.json")
        let b = try RunSummary.load(path: final)
        XCTAssertEqual(a.final, b.final, "killed \(kills)×")
        XCTAssertEqual(try TensorArchive.read(from: "\(tmp)/whole/kill/ce-seed1/model.atkd").tensors,
                       try TensorArchive.read(from: "\(tmp)/cut/kill/ce-seed1/model.atkd").tensors)
    }
}
