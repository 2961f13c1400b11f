// MobileNetV2, ImageNet variant: torchvision's layout, widths and names.

import TensorCore
import NN

extension MobileNetV2 {
    /// torchvision's `_make_divisible`: the nearest multiple of `divisor` (at least `divisor`),
    /// bumped up one step if rounding lost more than 10 %.
    public static func makeDivisible(_ v: Double, _ divisor: Int = 8) -> Int {
        var n = max(divisor, Int(v + Double(divisor) / 2) / divisor * divisor)
        if Double(n) < 0.9 * v { n += divisor }
        return n
    }

    /// torchvision MobileNetV2: conv3×3/2 + BN + ReLU6 → seven groups (group 2 at stride 2) →
    /// conv1×1 to 1280 + BN + ReLU6 → global average pool → dropout 0.2 → linear.
    ///
    /// Widths `makeDivisible(v·width)`; the last conv has `makeDivisible(1280·max(1, width))`.
    /// Blocks with t = 1 have no expansion conv; the shortcut is the identity when stride = 1 and
    /// C_in = C_out, else absent. Names as torchvision (`features.0.0`, `features.1.conv.0.0`,
    /// `features.2.conv.3`, `features.18.0`, `classifier.1`). Taps: the end of the 56², 28², 14²
    /// and 7² groups on 224×224 (features 3, 6, 13, 17), linear bottlenecks — pre-activation.
    /// - Reference: torchvision `models/mobilenetv2.py` (3,504,872 parameters at 1000 classes).
    public static func imagenet(name: String, classes: Int, width: Double = 1, dropout: Float = 0.2,
                                rng: inout SeededRNG) -> TappedNetwork {
        let c = { (v: Int) in makeDivisible(Double(v) * width) }
        let last = makeDivisible(1280 * max(1, width))
        let stem = Sequential(convBN("features.0.0", "features.0.1", 3, c(32), kernel: 3, stride: 2,
                                     activation: ReLU6(), rng: &rng))
        let tapAfterFeature: Set<Int> = [3, 6, 13, 17]
        var stages: [Stage] = []
        var current = Sequential([])
        var cin = c(32), f = 1
        for s in settings {
            for j in 0..<s.n {
                current.append(invertedResidual("features.\(f)", cin, c(s.c), expansion: s.t,
                                                stride: j == 0 ? s.s : 1, rng: &rng))
                cin = c(s.c)
                if tapAfterFeature.contains(f) {
                    stages.append(Stage(name: "stage\(stages.count + 1)", activation: .preActivation, layer: current))
                    current = Sequential([])
                }
                f += 1
            }
        }
        let head = Sequential(
            convBN("features.\(f).0", "features.\(f).1", cin, last, kernel: 1, activation: ReLU6(), rng: &rng)
            + [AdaptiveAvgPool2d(), Flatten(), Dropout(p: dropout),
               Linear("classifier.1", inFeatures: last, outFeatures: classes, rng: &rng)])
        return TappedNetwork(name: name, numClasses: classes, stem: stem, stages: stages, head: head)
    }

    /// torchvision `InvertedResidual`: [pw 1×1 + BN + ReLU6 if t ≠ 1] → dw 3×3 + BN + ReLU6 → pw 1×1 + BN.
    static func invertedResidual(_ p: String, _ cin: Int, _ cout: Int, expansion t: Int, stride: Int,
                                 rng: inout SeededRNG) -> any Layer {
        let hidden = cin * t
        var layers: [any Layer] = []
        var i = 0
        if t != 1 {
            layers += convBN("\(p).conv.0.0", "\(p).conv.0.1", cin, hidden, kernel: 1, activation: ReLU6(), rng: &rng)
            i = 1
        }
        layers += convBN("\(p).conv.\(i).0", "\(p).conv.\(i).1", hidden, hidden, kernel: 3, stride: stride,
                         groups: hidden, activation: ReLU6(), rng: &rng)
        layers += convBN("\(p).conv.\(i + 1)", "\(p).conv.\(i + 2)", hidden, cout, kernel: 1, rng: &rng)
        let body = Sequential(layers)
        return stride == 1 && cin == cout ? Residual(body: body) : body
    }
}
