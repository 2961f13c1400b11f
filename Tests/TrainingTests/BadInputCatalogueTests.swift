// The bad-input catalogue: every rejected input we know, run through the real `atkd` binary, each
// with its exit code (64 usage, 65 data, 74 I/O; README) and a message naming the file or key.
// Plus a seeded fuzz pass over the checkpoint, spec and dataset readers: no crash, no hang, no silent accept.

import XCTest
import Foundation
import TensorCore
import Models
import Training
import Datasets
import FileIO

final class BadInputCatalogueTests: XCTestCase {
    static let packageRoot = AtkdBinary.packageRoot
    var binary: String? { AtkdBinary.path }

    /// Runs atkd with `args` in the package root; returns (status, stderr + stdout).
    func atkd(_ args: [String]) throws -> (Int32, String) { try AtkdBinary.run(binary!, args) }

    /// One CIFAR-10 record per batch file: label byte then 3,072 pixel bytes.
    func cifar(_ dir: String, test: [UInt8]? = nil, testName: String = "test_batch.bin") throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let record = [UInt8(3)] + [UInt8](repeating: 128, count: 3072)
        for k in 1...5 { try Data(record).write(to: URL(fileURLWithPath: "\(dir)/data_batch_\(k).bin")) }
        try Data(test ?? record).write(to: URL(fileURLWithPath: "\(dir)/\(testName)"))
    }

    /// An ImageFolder tree `root/{train,val}/<class>/img<k>.JPEG`, two 24×20 images per class.
    func imageFolder(_ root: String, train: [String] = ["n01", "n02"], val: [String] = ["n01", "n02"]) throws {
        for (split, classes) in [("train", train), ("val", val)] {
            for (c, name) in classes.enumerated() {
                try FileManager.default.createDirectory(atPath: "\(root)/\(split)/\(name)", withIntermediateDirectories: true)
                for k in 0..<2 {
                    let px = (0..<(24 * 20 * 3)).map { UInt8(truncatingIfNeeded: $0 * (c + 1) + k) }
                    let jpeg = try JPEGEncoder.encode(RGBImage(width: 24, height: 20, pixels: px))
                    try Data(jpeg).write(to: URL(fileURLWithPath: "\(root)/\(split)/\(name)/img\(k).JPEG"))
                }
            }
        }
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
        try imageFolder("\(tmp)/notjpeg")
        try Data("<html>a saved web page, not a JPEG</html>".utf8)
            .write(to: URL(fileURLWithPath: "\(tmp)/notjpeg/train/n02/page.JPEG"))
        try imageFolder("\(tmp)/emptyclass")
        try FileManager.default.createDirectory(atPath: "\(tmp)/emptyclass/train/n03", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(tmp)/emptyclass/val/n03", withIntermediateDirectories: true)
        try imageFolder("\(tmp)/mismatch", val: ["n01", "n09"])
        // A finished distillation run on a tiny CIFAR-10 (one image per batch file), for the resume case.
        try cifar("\(tmp)/tiny/cifar-10-batches-bin")
        let tinySpec = try spec("tiny", #"{"teacher": {"train": {"batch_size": 5}}, "student": {"train": {"batch_size": 5}}}"#)
        let distill = ["distill", "--arm", "kd", "--student", "wrn-16-1", "--epochs", "1", "--quiet", "--spec", tinySpec,
                       "--data-root", "\(tmp)/tiny", "--runs", "\(tmp)/runs", "--name", "resumed"]
        let (first, firstText) = try atkd(distill + ["--teacher", teacher])
        XCTAssertEqual(first, 0, "the tiny distillation run must finish: \(firstText)")
        let otherTeacher = Self.packageRoot.appendingPathComponent("teachers/cifar10-full-wrn-16-2.atkd").path

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
            ("bad flag value", ["eval", teacher, "--threads", "0"], 64, ["--threads"]),
            ("unknown engine", ["eval", teacher, "--engine", "gpu"], 64, ["--engine", "gpu"]),
            ("--sync-bn without --data-parallel", ["train", "--model", "resnet20", "--sync-bn"], 64, ["--sync-bn", "--data-parallel"]),
            ("slurm --data-parallel without --ranks", ["slurm", "experiments/cifar-smoke.json", "--data-parallel"], 64,
             ["--data-parallel", "--ranks"]),
            ("non-image file named .JPEG", ["data", "check", "\(tmp)/notjpeg"], 65, ["page.JPEG"]),
            ("empty class folder", ["data", "check", "\(tmp)/emptyclass"], 65, ["n03"]),
            ("train/val class mismatch", ["data", "check", "\(tmp)/mismatch"], 65, ["n02", "n09"]),
            ("resume with another teacher", distill + ["--teacher", otherTeacher], 64,
             ["resumed", "holds another run", "--fresh"]),
        ]
        // `atkd models` lists every model well under a second (9.6 s once, building random weights).
        let started = Date()
        let (listed, listing) = try atkd(["models"])
        XCTAssertEqual(listed, 0, listing)
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "atkd models is slow again")
        XCTAssertTrue(listing.contains("mobilenetv2-half-imagenet") && listing.contains("resnet50-w4-awconv"), listing)
        for (why, args, code, words) in cases {
            let (status, text) = try atkd(args)
            XCTAssertEqual(status, code, "\(why): \(text)")
            for w in words { XCTAssertTrue(text.contains(w), "\(why): message lacks `\(w)`: \(text)") }
            XCTAssertFalse(text.contains("Fatal error") || text.contains("Backtrace"), "\(why) crashed: \(text)")
        }
    }

    /// One seeded mutant of `bytes`: a random truncation (40 %) and 1–4 single-bit flips.
    static func mutant(of bytes: [UInt8], _ rng: inout SeededRNG) -> [UInt8] {
        var b = bytes
        if rng.uniform() < 0.4 { b = Array(b.prefix(rng.int(below: b.count))) }
        for _ in 0..<(1 + rng.int(below: 4)) where !b.isEmpty { b[rng.int(below: b.count)] ^= UInt8(1 << rng.int(below: 8)) }
        return b
    }

    /// Seeded truncations and bit flips of a real checkpoint file (through zstd) and of its decompressed
    /// content, of a real spec, of a CIFAR-10 batch file and of a JPEG: every mutant is refused with an
    /// error or, if accepted, reads back whole and valid. Counts per reader are asserted, so a reader
    /// that refuses everything at its first byte check (and so tests nothing deeper) fails too.
    func testFuzzedReadersNeverCrashOrPassSilently() throws {
        let teacher = Self.packageRoot.appendingPathComponent("teachers/cifar10-wrn-16-2.atkd").path
        let file = try FileBytes.read(teacher)
        let content = try Zstd.decompress(file, file: teacher)
        let goodEntries = try TensorArchive.decode(content, file: "good").entries
        let spec = try Array(Data(contentsOf: Self.packageRoot.appendingPathComponent("experiments/evidence-wrn16.json")))
        let record = [UInt8(3)] + (0..<3072).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let batch = try Zstd.compress(Array((0..<20).map { _ in record }.joined()), file: "batch")
        let px = (0..<(32 * 24 * 3)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let jpeg = try JPEGEncoder.encode(RGBImage(width: 32, height: 24, pixels: px))
        let decoder = try JPEGDecoder()
        var rng = SeededRNG(seed: 18)
        var refused = [String: Int](), accepted = [String: Int]()
        func tally(_ reader: String, _ body: () throws -> Void) {
            do { try body(); accepted[reader, default: 0] += 1 } catch { refused[reader, default: 0] += 1 }
        }
        for _ in 0..<60 {
            tally("checkpoint file") {
                let (entries, _) = try TensorArchive.decode(
                    try Zstd.decompress(Self.mutant(of: file, &rng), file: "fuzz.atkd"), file: "fuzz.atkd")
                XCTAssertEqual(entries.count, goodEntries.count)  // accepted only when whole
            }
            tally("checkpoint content") {
                let (entries, _) = try TensorArchive.decode(Self.mutant(of: content, &rng), file: "fuzz.atkd")
                XCTAssertEqual(entries.count, goodEntries.count)
            }
            tally("spec") { _ = try SpecLoader.load(Data(Self.mutant(of: spec, &rng)), source: "fuzz.json") }
            tally("CIFAR-10 batch") {
                let bytes = try Zstd.decompress(Self.mutant(of: batch, &rng), file: "fuzz.bin.zst")
                XCTAssertEqual(try CIFAR10.validateRecords(bytes, file: "fuzz.bin.zst"), 20)
            }
            tally("JPEG") {
                let image = try decoder.decode(Self.mutant(of: jpeg, &rng), file: "fuzz.JPEG")
                XCTAssertEqual(image.pixels.count, image.width * image.height * 3)  // a flip in entropy data may decode
            }
        }
        print("fuzz: refused \(refused.sorted { $0.key < $1.key }), accepted \(accepted.sorted { $0.key < $1.key })")
        // Checksums (zstd's and the archive's) leave no mutant of the checkpoint accepted.
        XCTAssertEqual(refused["checkpoint file"], 60)
        XCTAssertEqual(refused["checkpoint content"], 60)
        XCTAssertEqual(refused["CIFAR-10 batch"], 60)
        XCTAssertGreaterThan(refused["spec", default: 0], 30)
        XCTAssertGreaterThan(refused["JPEG", default: 0], 10)
    }
}
