// Weights to and from PyTorch: safetensors state_dicts written by PyTorch load into our models
// with the same logits, our exports read back bit for bit, and bad files are refused by name.

import Foundation
import XCTest
import TensorCore
import NN
import FastEngine
import Models
import TestSupport

final class SafeTensorsTests: XCTestCase {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/interop")
    }

    /// The PyTorch-written state_dicts of Fixtures/generators/interop.py: one model per family.
    static let cases = ["resnet8_w8", "wrn10_2_w16", "mobilenetv2_w32_min2_last8", "resnet50_w64_imagenet",
                        "mobilenetv1_w32"]

    func model(_ io: [String: String]) throws -> any Model {
        var rng = SeededRNG(seed: 99)
        return try ModelZoo.make(try XCTUnwrap(io["architecture"]), classes: Int(try XCTUnwrap(io["classes"]))!,
                                 input: Int(try XCTUnwrap(io["input"]))!, rng: &rng)
    }

    func testPyTorchStateDictsLoadWithThePyTorchLogits() throws {
        for name in Self.cases {
            let dir = Self.directory.path
            let io = try SafeTensors.read(from: "\(dir)/\(name).io.safetensors")
            let net = try model(io.metadata)
            let meta = try ModelCheckpoint.load(into: net, from: "\(dir)/\(name).safetensors")
            XCTAssertEqual(meta["library"], "torch 2.13.0", name)
            let byName = Dictionary(uniqueKeysWithValues: io.entries.map { ($0.name, $0) })
            let x = try XCTUnwrap(byName["x"]), logits = try XCTUnwrap(byName["logits"])
            XCTAssertEqual(logits.dtype, "F64")
            let out = net.forward(Tensor(shape: x.shape, data: x.floats!), ForwardContext(engine: FastEngine(), training: false))
            assertClose(out.logits, Tensor(shape: logits.shape, data: logits.floats!),
                        rtol: Float(io.metadata["rtol"]!)!, atol: Float(io.metadata["atol"]!)!, name)
        }
    }

    func testOurExportReadsBackBitForBitWithPyTorchsBatchCounters() throws {
        let dir = Self.directory.path, tmp = NSTemporaryDirectory() + "atkd-st-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let io = try SafeTensors.read(from: "\(dir)/wrn10_2_w16.io.safetensors")
        let a = try model(io.metadata), b = try model(io.metadata)
        try ModelCheckpoint.load(into: a, from: "\(dir)/wrn10_2_w16.safetensors")
        try ModelCheckpoint.exportSafeTensors(model: a, to: tmp)
        let (entries, meta) = try SafeTensors.read(from: tmp)
        XCTAssertEqual(meta["architecture"], "wrn-10-2-w16")
        let counters = entries.filter { $0.name.hasSuffix(".num_batches_tracked") }
        XCTAssertEqual(counters.count, a.buffers.filter { $0.name.hasSuffix(".running_mean") }.count)
        XCTAssertTrue(counters.allSatisfy { $0.dtype == "I64" && $0.shape == [] && $0.integers == [0] })
        // The PyTorch file has the same keys as ours.
        let torchKeys = Set(try SafeTensors.read(from: "\(dir)/wrn10_2_w16.safetensors").entries.map(\.name))
        XCTAssertEqual(Set(entries.map(\.name)), torchKeys)
        try ModelCheckpoint.load(into: b, from: tmp)
        for (p, q) in zip(a.parameters, b.parameters) { XCTAssertEqual(p.value, q.value, p.name) }
        for (p, q) in zip(a.buffers, b.buffers) { XCTAssertEqual(p.value, q.value, p.name) }
    }

    /// Fixtures/interop/<name>.atkd.safetensors were written by `atkd convert` (safetensors → atkd →
    /// safetensors) and checked in PyTorch by `interop.py --check-exports`: the same floats as the
    /// PyTorch originals, and the same keys.
    func testCommittedExportsHoldThePyTorchFloatsUnderThePyTorchKeys() throws {
        for name in Self.cases {
            let dir = Self.directory.path
            let ours = Dictionary(uniqueKeysWithValues: try SafeTensors.read(from: "\(dir)/\(name).atkd.safetensors").entries.map { ($0.name, $0) })
            let torch = try SafeTensors.read(from: "\(dir)/\(name).safetensors").entries
            XCTAssertEqual(Set(ours.keys), Set(torch.map(\.name)), name)
            for e in torch where e.floats != nil { XCTAssertEqual(ours[e.name]?.floats, e.floats, "\(name) \(e.name)") }
        }
    }

    func testKeyAndShapeMismatchesListTheKeys() throws {
        let dir = Self.directory.path
        var rng = SeededRNG(seed: 1)
        // A WRN state_dict into a CIFAR ResNet: every key of each side is named.
        let resnet = try ModelZoo.make("resnet8-w8", classes: 10, input: 8, rng: &rng)
        XCTAssertThrowsError(try ModelCheckpoint.loadSafeTensors(into: resnet, from: "\(dir)/wrn10_2_w16.safetensors")) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("wrn-10-2-w16") || text.contains("missing ("), text)
        }
        // Without the architecture in the metadata: the key lists.
        let tmp = NSTemporaryDirectory() + "atkd-st-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try SafeTensors.write(floats: [("conv1.weight", Tensor(zeros: [2, 3, 3, 3])), ("extra.bias", Tensor(zeros: [2]))], to: tmp)
        XCTAssertThrowsError(try ModelCheckpoint.loadSafeTensors(into: resnet, from: tmp)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("unexpected (1): extra.bias"), text)
            XCTAssertTrue(text.contains("missing (") && text.contains("layer1.0.conv1.weight"), text)
        }
        // Right keys, one wrong shape.
        let good = try ModelCheckpoint.namedTensors(of: resnet, file: tmp).map { ($0.0, $0.0 == "fc.bias" ? Tensor(zeros: [3]) : $0.1) }
        try SafeTensors.write(floats: good, to: tmp)
        XCTAssertThrowsError(try ModelCheckpoint.loadSafeTensors(into: resnet, from: tmp)) { e in
            XCTAssertTrue("\(e)".contains("fc.bias has shape [3]"), "\(e)")
        }
    }

    func testCorruptFilesAreRefusedByName() throws {
        let bytes = try SafeTensors.encode(floats: [("a", Tensor(shape: [2], data: [1, 2])), ("b", Tensor(shape: [1], data: [3]))])
        XCTAssertEqual(try SafeTensors.decode(bytes, file: "ok").entries.map(\.name), ["a", "b"])
        var bad: [(String, [UInt8])] = [("empty", []), ("truncated header", Array(bytes.prefix(20))),
                                        ("truncated data", Array(bytes.dropLast(2))), ("extra byte", bytes + [0])]
        var huge = bytes
        huge[7] = 0x7F
        bad.append(("header length", huge))
        var text = bytes
        text[9] = UInt8(ascii: "]")
        bad.append(("not JSON", text))
        for (why, b) in bad {
            XCTAssertThrowsError(try SafeTensors.decode(b, file: "f.safetensors"), why) { e in
                XCTAssertTrue("\(e)".hasPrefix("f.safetensors: "), "\(why): \(e)")
            }
        }
        // Seeded fuzz: truncations and byte flips never crash, never hang; whatever decodes is consistent.
        var rng = SeededRNG(seed: 21)
        for _ in 0..<300 {
            var b = bytes
            if rng.uniform() < 0.5 { b = Array(b.prefix(rng.int(below: b.count))) }
            for _ in 0..<(1 + rng.int(below: 3)) where !b.isEmpty { b[rng.int(below: b.count)] ^= UInt8(1 << rng.int(below: 8)) }
            if let decoded = try? SafeTensors.decode(b, file: "fuzz") {
                for e in decoded.entries { XCTAssertEqual((e.floats?.count ?? e.integers?.count), e.shape.reduce(1, *)) }
            }
        }
    }
}
