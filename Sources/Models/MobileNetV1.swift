// MobileNetV1: a conv stem and 13 depthwise-separable blocks.

import TensorCore
import NN

/// MobileNetV1: conv3×3 + BN + ReLU (32) → 13 × [dw3×3 + BN + ReLU → pw1×1 + BN + ReLU] with
/// widths 64, 128, 128, 256, 256, 512×6, 1024, 1024 → global average pool → linear.
///
/// Widths ⌊v·width⌋. The ImageNet stem conv has stride 2; the CIFAR stem (kuangliu
/// `models/mobilenet.py`) stride 1 — same parameters. Names as mdistiller
/// (`model.0.0`, `model.0.1`, `model.1.0` dw, `model.1.1`, `model.1.3` pw, `model.1.4`, `fc`).
/// Taps: the ends of the four stride-2 stages (blocks 3, 5, 11, 13: 56², 28², 14², 7² on 224×224),
/// after their final ReLU.
/// - Reference: mdistiller `models/imagenet/mobilenetv1.py` (4,231,976 parameters at 1000 classes,
///   PAPERS.md §6); kuangliu `models/mobilenet.py`.
/// - Deviation: mdistiller's AT features are read before the final ReLU of a stage; ours after it.
public enum MobileNetV1 {
    /// (output channels, stride) of blocks model.1 … model.13.
    public static let blocks: [(c: Int, s: Int)] = [
        (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
        (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
    ]

    public static func make(name: String, classes: Int, width: Double = 1, imagenetStem: Bool,
                            rng: inout SeededRNG) -> TappedNetwork {
        let c = { (v: Int) in max(1, Int(Double(v) * width)) }
        let stem = Sequential(convBN("model.0.0", "model.0.1", 3, c(32), kernel: 3, stride: imagenetStem ? 2 : 1,
                                     activation: ReLU(), rng: &rng))
        let tapAfter: Set<Int> = [3, 5, 11, 13]
        var stages: [Stage] = []
        var current = Sequential([])
        var cin = c(32)
        for (i, b) in blocks.enumerated() {
            let m = i + 1, cout = c(b.c)
            let layers = convBN("model.\(m).0", "model.\(m).1", cin, cin, kernel: 3, stride: b.s, groups: cin,
                                activation: ReLU(), rng: &rng)
                + convBN("model.\(m).3", "model.\(m).4", cin, cout, kernel: 1, activation: ReLU(), rng: &rng)
            cin = cout
            if m == 1 {
                stem.append(Sequential(layers))
                continue
            }
            current.append(Sequential(layers))
            if tapAfter.contains(m) {
                stages.append(Stage(name: "stage\(stages.count + 1)", activation: .postActivation, layer: current))
                current = Sequential([])
            }
        }
        let head = poolFlattenLinear("fc", features: cin, classes: classes, rng: &rng)
        return TappedNetwork(name: name, numClasses: classes, stem: stem, stages: stages, head: head)
    }
}
