// The registry: name grammar, errors, stem choice, MAC counts.

import XCTest
import TensorCore
import NN
import FastEngine
import Models

final class ModelZooTests: XCTestCase {
    func testEveryListedNameBuilds() throws {
        for name in ModelZoo.names {
            var rng = SeededRNG(seed: 0)
            let m = try ModelZoo.make(name, classes: 7, rng: &rng)
            XCTAssertEqual(m.name, name)
            XCTAssertEqual(m.numClasses, 7)
        }
    }

    /// `atkd models` builds with `SeededRNG.shapesOnly`: the same parameters and buffers, by name and
    /// shape, as a seeded build, with every weight zero.
    func testShapesOnlyBuildHasTheSeededBuildsShapes() throws {
        for name in ["wrn-16-2", "mobilenetv2-half", "resnet50-w4-awconv", "mobilenetv2-imagenet"] {
            var seeded = SeededRNG(seed: 0), shapes = SeededRNG.shapesOnly
            let a = try ModelZoo.make(name, classes: 10, rng: &seeded)
            let b = try ModelZoo.make(name, classes: 10, rng: &shapes)
            XCTAssertEqual(a.parameters.map(\.name), b.parameters.map(\.name), name)
            XCTAssertEqual(a.parameters.map(\.value.shape), b.parameters.map(\.value.shape), name)
            XCTAssertEqual(a.buffers.map(\.name), b.buffers.map(\.name), name)
            XCTAssertEqual(a.parameterCount, b.parameterCount, name)
            // Random tensors are zero; constant ones (BN's γ = 1, β = 0) are as seeded.
            let pairs = zip(a.parameters, b.parameters)
            XCTAssertTrue(pairs.allSatisfy { $1.value.data == $0.value.data || $1.value.data.allSatisfy { $0 == 0 } }, name)
            XCTAssertTrue(pairs.contains { $1.value.data != $0.value.data }, name)
        }
    }

    func testUnknownNameListsTheValidOnes() {
        var rng = SeededRNG(seed: 0)
        XCTAssertThrowsError(try ModelZoo.make("resnet21", classes: 10, rng: &rng)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("resnet21") && text.contains("wrn-40-2") && text.contains("mobilenetv2-half"), text)
        }
        for bad in ["vgg16", "wrn-15-2", "resnet20-awconv", "wrn-16-2-imagenet", "resnet50-x", "mobilenetv2-last8-imagenet"] {
            XCTAssertThrowsError(try ModelZoo.make(bad, classes: 10, input: 32, rng: &rng), bad)
        }
    }

    func testModifiersParse() throws {
        let s = try ModelSpec(parsing: "resnet50+w4+awconv")
        XCTAssertEqual(s.family, .resnet(depth: 50))
        XCTAssertEqual(s.width, 0.25)
        XCTAssertTrue(s.awconv)
        XCTAssertEqual(try ModelSpec(parsing: "wrn-16-2").family, .wideResNet(depth: 16, widen: 2))
        XCTAssertTrue(try ModelSpec(parsing: "resnet20-b").projectionShortcut)
        XCTAssertEqual(try ModelSpec(parsing: "mobilenetv2-half").width, 0.5)
        XCTAssertEqual(try ModelSpec(parsing: "resnet18").resolvedStem(input: 64), .cifar)
        XCTAssertEqual(try ModelSpec(parsing: "resnet18").resolvedStem(input: 224), .imagenet)
        XCTAssertEqual(try ModelSpec(parsing: "resnet18-cifar").resolvedStem(input: 224), .cifar)
    }

    /// Golden MACs from the PyTorch peer's `macs_of` (forward hooks, batch 1) on the same definitions.
    func testMACsMatchThePeerCount() throws {
        let golden: [(String, Int, Int, Int)] = [
            ("resnet20", 10, 32, 40_551_040),
            ("wrn-16-2", 10, 32, 101_106_944),
            ("resnet18", 10, 32, 555_422_720),
            ("mobilenetv2", 10, 32, 91_154_944),
            ("resnet50", 1000, 224, 4_089_184_256),
        ]
        for (name, classes, input, macs) in golden {
            var rng = SeededRNG(seed: 0)
            let m = try ModelZoo.make(name, classes: classes, input: input, rng: &rng)
            XCTAssertEqual(ModelZoo.macs(m, input: input, engine: FastEngine()), macs, name)
            // The default counts shapes only (no arithmetic): the same count.
            XCTAssertEqual(ModelZoo.macs(m, input: input), macs, "\(name) shape-only")
        }
    }

    func testAWConvReplacesEveryBottleneck3x3() throws {
        var rng = SeededRNG(seed: 0)
        let plain = try ModelZoo.make("resnet50-w64", classes: 10, rng: &rng)
        let aw = try ModelZoo.make("resnet50-w64-awconv", classes: 10, rng: &rng)
        let names = Set(aw.parameters.map(\.name))
        // The kernel keeps its conv name, so checkpoints of the plain model map onto it.
        XCTAssertTrue(Set(plain.parameters.map(\.name)).isSubset(of: names))
        let extra = names.subtracting(plain.parameters.map(\.name))
        XCTAssertFalse(extra.isEmpty)
        XCTAssertTrue(extra.allSatisfy { $0.contains(".conv2.") }, "\(extra.sorted().prefix(4))")
        XCTAssertEqual(Set(extra.map { $0.components(separatedBy: ".conv2.")[0] }).count, 16)  // 3+4+6+3 blocks
        let out = aw.forward(Tensor(zeros: [2, 3, 16, 16]), ForwardContext(engine: FastEngine(), training: true))
        XCTAssertEqual(out.logits.shape, [2, 10])
    }
}
