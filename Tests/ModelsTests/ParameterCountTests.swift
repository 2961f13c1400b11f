// Parameter counts of the zoo against the golden values of PAPERS.md §6 (trainable parameters only).

import XCTest
import TensorCore
import NN
import Models

final class ParameterCountTests: XCTestCase {
    /// (name, input, [classes: count]) — PAPERS.md §6 rows; `input` picks the stem.
    static let golden: [(String, Int, [Int: Int])] = [
        ("resnet20", 32, [10: 269_722, 100: 275_572]),          // He et al. option A
        ("resnet56", 32, [10: 853_018, 100: 858_868]),
        ("resnet110", 32, [10: 1_727_962, 100: 1_733_812]),
        ("resnet20-b", 32, [10: 272_474, 100: 278_324]),        // RepDistiller (1×1 downsample)
        ("resnet32-b", 32, [10: 466_906, 100: 472_756]),
        ("resnet56-b", 32, [10: 855_770, 100: 861_620]),
        ("resnet110-b", 32, [10: 1_730_714, 100: 1_736_564]),
        ("resnet18", 224, [10: 11_181_642, 100: 11_227_812, 1000: 11_689_512]),  // torchvision
        ("resnet34", 224, [10: 21_289_802, 100: 21_335_972, 1000: 21_797_672]),
        ("resnet50", 224, [10: 23_528_522, 100: 23_712_932, 1000: 25_557_032]),
        ("resnet18", 32, [10: 11_173_962, 100: 11_220_132, 1000: 11_681_832]),   // kuangliu CIFAR stem
        ("resnet50", 32, [10: 23_520_842, 100: 23_705_252, 1000: 25_549_352]),
        ("resnet50-imagenet", 32, [1000: 25_557_032]),          // the name overrides the input size
        ("resnet18-cifar", 224, [10: 11_173_962]),
        ("mobilenetv2", 224, [10: 2_236_682, 100: 2_351_972, 1000: 3_504_872]),   // torchvision
        ("mobilenetv2-imagenet", 32, [1000: 3_504_872]),
        ("mobilenetv2", 32, [10: 2_296_922, 100: 2_412_212, 1000: 3_565_112]),    // kuangliu CIFAR
        ("mobilenetv1", 224, [10: 3_217_226, 100: 3_309_476, 1000: 4_231_976]),   // mdistiller / OFD 4.23M
        ("mobilenetv1", 32, [10: 3_217_226, 1000: 4_231_976]),                    // kuangliu, same widths
        ("wrn-16-1", 32, [10: 175_066, 100: 180_916]),
        ("wrn-16-2", 32, [10: 691_674, 100: 703_284]),
        ("wrn-40-1", 32, [10: 563_930, 100: 569_780]),
        ("wrn-40-2", 32, [10: 2_243_546, 100: 2_255_156]),
        ("wrn-16-4", 32, [10: 2_748_890, 100: 2_772_020]),
        ("wrn-28-4", 32, [10: 5_849_050, 100: 5_872_180]),
    ]

    /// Counts of the PyTorch peer's own models (`shared/bench/pytorch_peer.py`, torch 2.13), not in §6.
    static let peer: [(String, Int, [Int: Int])] = [
        ("resnet32", 32, [10: 464_154]),
        ("resnet50-w4", 32, [10: 1_484_186, 100: 1_530_356]),
        ("mobilenetv2-half", 32, [10: 712_562, 100: 827_852]),
    ]

    func testCountsEqualPapersSection6() throws {
        for (name, input, rows) in Self.golden + Self.peer {
            for (classes, expected) in rows.sorted(by: { $0.key < $1.key }) {
                var rng = SeededRNG(seed: 0)
                let model = try ModelZoo.make(name, classes: classes, input: input, rng: &rng)
                XCTAssertEqual(model.parameterCount, expected, "\(name) input \(input), \(classes) classes")
                XCTAssertEqual(model.numClasses, classes)
            }
        }
    }

    /// WRN-40-2 + BN running statistics = the AT repo's printed 2,248,954 (PAPERS.md §6 notes).
    func testWRNBufferCountMatchesTheATRepoPrintout() throws {
        var rng = SeededRNG(seed: 0)
        let m = try ModelZoo.make("wrn-40-2", classes: 10, rng: &rng)
        XCTAssertEqual(m.parameterCount + m.buffers.reduce(0) { $0 + $1.value.count }, 2_248_954)
    }

    func testParameterNamesAreUniqueAndLookLikeStateDictKeys() throws {
        for name in ModelZoo.names {
            var rng = SeededRNG(seed: 0)
            let m = try ModelZoo.make(name, classes: 10, rng: &rng)
            let names = m.parameters.map(\.name) + m.buffers.map(\.name)
            XCTAssertEqual(Set(names).count, names.count, "\(name): duplicate names")
        }
        var rng = SeededRNG(seed: 0)
        let r18 = try ModelZoo.make("resnet18", classes: 10, input: 224, rng: &rng)
        XCTAssertEqual(r18.parameters.first?.name, "conv1.weight")
        XCTAssertTrue(r18.parameters.contains { $0.name == "layer2.0.downsample.0.weight" })
        XCTAssertTrue(r18.buffers.contains { $0.name == "layer4.1.bn2.running_var" })
        XCTAssertEqual(r18.parameters.last?.name, "fc.bias")
        let wrn = try ModelZoo.make("wrn-16-2", classes: 10, rng: &rng)
        XCTAssertTrue(wrn.parameters.contains { $0.name == "block2.layer.0.convShortcut.weight" })
        let mv2 = try ModelZoo.make("mobilenetv2", classes: 10, input: 224, rng: &rng)
        XCTAssertTrue(mv2.parameters.contains { $0.name == "features.1.conv.1.weight" })
        XCTAssertTrue(mv2.parameters.contains { $0.name == "features.2.conv.3.bias" })
        XCTAssertEqual(mv2.parameters.last?.name, "classifier.1.bias")
    }
}
