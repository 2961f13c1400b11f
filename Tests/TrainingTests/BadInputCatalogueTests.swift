// The bad-input catalogue: every rejected input we know, run through the real `atkd` binary, each
// with its exit code (64 usage, 65 data, 74 I/O; README) and a message naming the file or key.
// Plus a seeded fuzz pass over the checkpoint and spec readers: no crash, no hang, no silent accept.

import XCTest
import Foundation
import TensorCore
import Models
import Training

final class BadInputCatalogueTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    var binary: String? {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return [runner, Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
            .map { $0.appendingPathComponent("atkd").path }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs atkd with `args` in the package root; returns (status, stderr + stdout).
    func atkd(_ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary!)
        p.arguments = args
        p.currentDirectoryURL = Self.packageRoot
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// One CIFAR-10 record per batch file: label byte then 3,072 pixel bytes.
    func cifar(_ dir: String, test: [UInt8]? = nil, testName: String = "test_batch.bin") throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let record = [UInt8(3)] + [UInt8](repeating: 128, count: 3072)
        for k in 1...5 { try Data(record).write(to: URL(fileURLWithPath: "\(dir)/data_batch_\(k).bin")) }
        try Data(test ?? record).write(to: URL(fileURLWithPath: "\(dir)/\(testName)"))
    }

    func testEveryKnownBadInputIsRefusedWithItsCodeAndName() throws {
        guard binary != nil else { throw XCTSkip("atkd binary not built beside the tests") }
        let tmp = NSTemporaryDirectory() + "atkd-bad-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let teacher = Self.packageRoot.appendingPathComponent("teachers/cifar10-wrn-16-2.atkd").path
        let good = try Data(contentsOf: URL(fileURLWithPath: teacher))
        try good.prefix(1000).write(to: URL(fileURLWithPath: "\(tmp)/truncated.atkd"))
        var flipped = good
        flipped[good.count / 2] ^= 0x40
        try flipped.write(to: URL(fileURLWithPath: "\(tmp)/flipped.atkd"))
        func spec(_ name: String, _ json: String) throws -> String {
            let path = "\(tmp)/\(name).json"
            try json.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        try cifar("\(tmp)/badsize/cifar-10-batches-bin", test: [UInt8](repeating: 1, count: 3073 + 5))
        try cifar("\(tmp)/badlabel/cifar-10-batches-bin", test: [12] + [UInt8](repeating: 0, count: 3072))
        try cifar("\(tmp)/badzst/cifar-10-batches-bin", test: Array("not zstd at all".utf8), testName: "test_batch.bin.zst")
        try SafeTensors.write(floats: [("foo.weight", Tensor(zeros: [2]))], to: "\(tmp)/other.safetensors")
        let wrnST = Self.packageRoot.appendingPathComponent("Fixtures/interop/wrn10_2_w16.safetensors").path

        let cases: [(String, [String], Int32, [String])] = [
            ("missing checkpoint", ["eval", "\(tmp)/missing.atkd"], 74, ["missing.atkd", "No such file"]),
            ("truncated checkpoint", ["eval", "\(tmp)/truncated.atkd"], 65, ["truncated.atkd", "truncated"]),
            ("bit-flipped checkpoint", ["eval", "\(tmp)/flipped.atkd"], 65, ["flipped.atkd"]),
            ("checkpoint of another architecture", ["convert", wrnST, "\(tmp)/x.atkd", "--model", "resnet20", "--classes", "10"],
             65, ["wrn10_2_w16.safetensors", "architecture"]),
            ("state_dict with other keys", ["convert", "\(tmp)/other.safetensors", "\(tmp)/x.atkd", "--model", "resnet20",
                                             "--classes", "10"], 65, ["other.safetensors", "unexpected (1): foo.weight"]),
            ("wrong-size batch", ["data", "check", "\(tmp)/badsize/cifar-10-batches-bin"], 65, ["test_batch.bin"]),
            ("label out of range", ["data", "check", "\(tmp)/badlabel/cifar-10-batches-bin"], 65, ["test_batch.bin", "label"]),
            ("corrupt .zst", ["data", "check", "\(tmp)/badzst/cifar-10-batches-bin"], 65, ["test_batch.bin.zst"]),
            ("explicit --data-root without the data", ["eval", teacher, "--data-root", "\(tmp)/nowhere"], 65, ["\(tmp)/nowhere"]),
            ("unknown spec key", ["run", try spec("key", #"{"nme": "x"}"#)], 64, ["key.json", "nme"]),
            ("wrong spec type", ["run", try spec("type", #"{"seeds": "one"}"#)], 64, ["type.json", "seeds"]),
            ("impossible spec value", ["run", try spec("value", #"{"dataset": {"validation_per_class": -1}}"#)], 64,
             ["value.json", "validation_per_class"]),
            ("JSON syntax error", ["run", try spec("syntax", "{\n  \"seeds\": [1,\n}\n")], 64, ["syntax.json", "line 3, column 1"]),
            ("bad --seeds", ["run", "experiments/cifar-smoke.json", "--seeds", "a,b"], 64, ["--seeds", "a,b"]),
            ("unknown arm", ["run", "experiments/cifar-smoke.json", "--arms", "foo"], 64, ["foo"]),
            ("unknown model", ["models", "--names", "vgg16"], 64, ["vgg16"]),
        ]
        for (why, args, code, words) in cases {
            let (status, text) = try atkd(args)
            XCTAssertEqual(status, code, "\(why): \(text)")
            for w in words { XCTAssertTrue(text.contains(w), "\(why): message lacks `\(w)`: \(text)") }
            XCTAssertFalse(text.contains("Fatal error") || text.contains("Backtrace"), "\(why) crashed: \(text)")
        }
    }

    /// Seeded truncations and byte flips of a real checkpoint and a real spec: every mutant is
    /// rejected with an error or, if accepted, reads back as a whole model / a valid spec.
    func testFuzzedCheckpointsAndSpecsNeverCrashOrPassSilently() throws {
        let teacher = Self.packageRoot.appendingPathComponent("teachers/cifar10-wrn-16-2.atkd").path
        let good = try Array(Data(contentsOf: URL(fileURLWithPath: teacher)))
        let spec = try Array(Data(contentsOf: Self.packageRoot.appendingPathComponent("experiments/evidence-wrn16.json")))
        var rng = SeededRNG(seed: 18)
        var accepted = 0, rejected = 0
        for i in 0..<120 {
            var b = i % 2 == 0 ? good : spec
            if rng.uniform() < 0.4 { b = Array(b.prefix(rng.int(below: b.count))) }
            for _ in 0..<(1 + rng.int(below: 4)) where !b.isEmpty { b[rng.int(below: b.count)] ^= UInt8(1 << rng.int(below: 8)) }
            if i % 2 == 0 {
                do {
                    let (entries, _) = try TensorArchive.decode(b, file: "fuzz.atkd")
                    // Accepted only when the checksum still holds: then it is the whole, valid archive.
                    XCTAssertEqual(entries.count, try TensorArchive.decode(good, file: "good").entries.count)
                    accepted += 1
                } catch { rejected += 1 }
            } else {
                do { _ = try SpecLoader.load(Data(b), source: "fuzz.json"); accepted += 1 } catch { rejected += 1 }
            }
        }
        XCTAssertGreaterThan(rejected, 100, "most mutants must be refused (accepted \(accepted))")
    }
}
