// Tests of TensorArchive and ModelCheckpoint: bit-exact round trips, atomic writes, and
// errors naming the file for truncation, corruption, and mismatched models.

import Foundation
import XCTest
import FileIO
import TensorCore
import NN
import Models

/// A two-tensor model built by hand, so these tests do not depend on the zoo.
final class TinyModel: Model {
    let name: String
    let numClasses: Int
    let weight: Parameter
    let bias: Parameter
    let runningMean: Buffer

    init(name: String = "tiny", classes: Int = 3, inputs: Int = 4, seed: UInt64 = 1) {
        var rng = SeededRNG(seed: seed)
        self.name = name
        numClasses = classes
        weight = Parameter("fc.weight", Tensor.randn([classes, inputs], rng: &rng))
        bias = Parameter("fc.bias", Tensor.randn([classes], rng: &rng))
        runningMean = Buffer("bn.running_mean", Tensor.randn([inputs], rng: &rng))
    }

    var parameters: [Parameter] { [weight, bias] }
    var buffers: [Buffer] { [runningMean] }

    func forward(_ x: Tensor, _ ctx: ForwardContext) -> ModelForward {
        let y = ctx.engine.linear(x, weight: weight.value, bias: bias.value)
        return ModelForward(logits: y, taps: [], backward: { dy, _ in
            let g = ctx.engine.linearBackward(x, weight: self.weight.value, dy: dy)
            self.weight.accumulate(g.weight)
            self.bias.accumulate(g.bias)
            return g.x
        })
    }
}

final class CheckpointTests: XCTestCase {
    var dir: String = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "atkd-ckpt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func path(_ name: String) -> String { dir + "/" + name }

    func assertThrows(_ body: @autoclosure () throws -> Any, naming file: String, _ needle: String,
                      line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            let m = "\(error)"
            XCTAssertTrue(m.contains(file), "message does not name the file: \(m)", line: line)
            XCTAssertTrue(needle.isEmpty || m.contains(needle), "message lacks '\(needle)': \(m)", line: line)
        }
    }

    // MARK: TensorArchive

    func testArchiveRoundTripIsBitExactAndOrdered() throws {
        var rng = SeededRNG(seed: 9)
        let special = Tensor(shape: [6], data: [.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude,
                                                .greatestFiniteMagnitude])
        let tensors: [(String, Tensor)] = [("z.last", Tensor.randn([3, 5], rng: &rng)), ("a.first", special),
                                           ("scalar", Tensor(shape: [], data: [42])), ("empty", Tensor(zeros: [0, 3])),
                                           ("momentum.conv1.weight", Tensor.randn([4, 3, 3, 3], rng: &rng))]
        let meta = ["architecture": "resnet20", "config": "{\"lr\": 0.1}", "epoch": "7", "unicode": "σ ⊗ α"]
        let file = path("state.atkd")
        try TensorArchive.write(tensors: tensors, metadata: meta, to: file)
        let read = try TensorArchive.readEntries(from: file)
        XCTAssertEqual(read.metadata, meta)
        XCTAssertEqual(read.entries.map(\.name), tensors.map(\.0))
        for (got, want) in zip(read.entries, tensors) {
            XCTAssertEqual(got.tensor.shape, want.1.shape)
            XCTAssertEqual(got.tensor.data.map(\.bitPattern), want.1.data.map(\.bitPattern), got.name)
        }
        let byName = try TensorArchive.read(from: file)
        XCTAssertEqual(byName.tensors["z.last"], tensors[0].1)
        XCTAssertEqual(byName.metadata["epoch"], "7")
    }

    func testWriteLeavesNoTempFileAndReplacesAtomically() throws {
        let file = path("model.atkd")
        try TensorArchive.write(tensors: [("a", Tensor(zeros: [2]))], metadata: [:], to: file)
        try TensorArchive.write(tensors: [("b", Tensor(repeating: 1, shape: [3]))], metadata: ["v": "2"], to: file)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["model.atkd"])
        XCTAssertEqual(try TensorArchive.read(from: file).tensors, ["b": Tensor(repeating: 1, shape: [3])])
    }

    func testFileIsZstdCompressed() throws {
        let file = path("z.atkd")
        try TensorArchive.write(tensors: [("zeros", Tensor(zeros: [10_000]))], metadata: [:], to: file)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        XCTAssertEqual(Array(bytes.prefix(4)), [0x28, 0xB5, 0x2F, 0xFD], "zstd frame magic")
        XCTAssertLessThan(bytes.count, 1_000, "40 000 zero bytes compress")
    }

    func testTruncatedFileNamesTheFile() throws {
        let file = path("cut.atkd")
        var rng = SeededRNG(seed: 1)
        try TensorArchive.write(tensors: [("w", Tensor.randn([2000], rng: &rng))], metadata: [:], to: file)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        for keep in [bytes.count - 1, bytes.count / 2, 20, 3, 0] {
            try bytes.prefix(keep).write(to: URL(fileURLWithPath: file))
            assertThrows(try TensorArchive.read(from: file), naming: file, "truncated")
        }
    }

    func testFlippedPayloadByteFailsTheChecksum() throws {
        var rng = SeededRNG(seed: 2)
        var content = try TensorArchive.encode(tensors: [("w", Tensor.randn([100], rng: &rng))], metadata: ["k": "v"])
        content[content.count - 50] ^= 0x10  // inside the payload
        let file = path("flip.atkd")
        try Data(try Zstd.compress(content, file: file)).write(to: URL(fileURLWithPath: file))
        assertThrows(try TensorArchive.read(from: file), naming: file, "checksum mismatch")
        XCTAssertThrowsError(try TensorArchive.decode(content, file: file)) { error in
            guard case .checksumMismatch? = (error as? TensorArchiveError)?.reason else {
                return XCTFail("expected checksumMismatch, got \(error)")
            }
        }
    }

    func testFlippedCompressedByteIsDetected() throws {
        var rng = SeededRNG(seed: 3)
        let file = path("flipz.atkd")
        try TensorArchive.write(tensors: [("w", Tensor.randn([500], rng: &rng))], metadata: [:], to: file)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        assertThrows(try TensorArchive.read(from: file), naming: file, "")
    }

    func testBadMagicNamesTheFile() throws {
        let file = path("notes.txt")
        try Data("just some text, not an archive".utf8).write(to: URL(fileURLWithPath: file))
        assertThrows(try TensorArchive.read(from: file), naming: file, "bad magic")
        // A valid zstd stream of something else: the inner magic is checked too.
        try Data(try Zstd.compress(Array("plain text inside zstd".utf8), file: file)).write(to: URL(fileURLWithPath: file))
        assertThrows(try TensorArchive.read(from: file), naming: file, "bad magic")
    }

    func testMissingFileAndDuplicateNamesNameTheFile() throws {
        assertThrows(try TensorArchive.read(from: path("absent.atkd")), naming: "absent.atkd", "I/O error")
        let file = path("dup.atkd")
        assertThrows(try TensorArchive.write(tensors: [("a", Tensor(zeros: [1])), ("a", Tensor(zeros: [1]))],
                                             metadata: [:], to: file), naming: file, "appears twice")
        XCTAssertFalse(FileManager.default.fileExists(atPath: file))
    }

    // MARK: ModelCheckpoint

    func testModelRoundTripIsBitExact() throws {
        let a = TinyModel(seed: 1), b = TinyModel(seed: 2)
        XCTAssertNotEqual(a.weight.value, b.weight.value)
        let file = path("tiny.atkd")
        try ModelCheckpoint.save(model: a, metadata: ["dataset": "cifar100", "architecture": "ignored"], to: file)
        let meta = try ModelCheckpoint.load(into: b, from: file)
        XCTAssertEqual(meta, ["dataset": "cifar100", "architecture": "tiny", "classes": "3"])
        for (p, q) in zip(a.parameters, b.parameters) {
            XCTAssertEqual(p.value.data.map(\.bitPattern), q.value.data.map(\.bitPattern), p.name)
        }
        XCTAssertEqual(a.runningMean.value, b.runningMean.value)
    }

    func testWrongArchitectureNamesTheFile() throws {
        let file = path("arch.atkd")
        try ModelCheckpoint.save(model: TinyModel(name: "resnet20"), metadata: [:], to: file)
        let other = TinyModel(name: "resnet56", seed: 5)
        let before = other.weight.value
        assertThrows(try ModelCheckpoint.load(into: other, from: file), naming: file, "resnet20")
        XCTAssertEqual(other.weight.value, before, "a failed load leaves the model unchanged")
    }

    func testShapeMismatchNamesFileAndTensor() throws {
        let file = path("shape.atkd")
        try ModelCheckpoint.save(model: TinyModel(inputs: 4), metadata: [:], to: file)
        let wider = TinyModel(inputs: 5)
        let before = wider.bias.value
        assertThrows(try ModelCheckpoint.load(into: wider, from: file), naming: file, "fc.weight")
        XCTAssertEqual(wider.bias.value, before)
        assertThrows(try ModelCheckpoint.load(into: TinyModel(classes: 10), from: file), naming: file, "classes")
    }

    func testMissingAndExtraTensorsNameFileAndTensor() throws {
        let model = TinyModel()
        let file = path("partial.atkd")
        let meta = ["architecture": "tiny", "classes": "3"]
        try TensorArchive.write(tensors: [("fc.weight", model.weight.value), ("bn.running_mean", model.runningMean.value)],
                                metadata: meta, to: file)
        assertThrows(try ModelCheckpoint.load(into: model, from: file), naming: file, "fc.bias")
        try TensorArchive.write(tensors: try ModelCheckpoint.namedTensors(of: model, file: file)
                                    + [("head.extra", Tensor(zeros: [1]))], metadata: meta, to: file)
        assertThrows(try ModelCheckpoint.load(into: model, from: file), naming: file, "head.extra")
    }
}
