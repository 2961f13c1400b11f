// MobileNetV2, CIFAR variant (the PyTorch peer's = kuangliu's): stride-1 stem, stage 2 at stride 1.

import TensorCore
import NN

/// MobileNetV2 of inverted-residual blocks (expand 1×1 → depthwise 3×3 → project 1×1, linear bottleneck).
///
/// Settings (t, c, n, s): (1,16,1,1) (6,24,2,1) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1).
/// This file holds the CIFAR variant; `MobileNetV2.imagenet` (torchvision) is in
/// `MobileNetV2+ImageNet.swift`.
public enum MobileNetV2 {
    /// (expansion t, output channels c, repeats n, first stride s) of the seven block groups.
    public static let settings: [(t: Int, c: Int, n: Int, s: Int)] = [
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ]

    /// CIFAR MobileNetV2: conv3×3/1 stem (c(32)) → the seven groups with group 2 at stride 1 →
    /// conv1×1 to `lastChannels` + BN + ReLU → global average pool → linear. ReLU throughout.
    ///
    /// Widths c(v) = max(8, ⌊v·width⌋); `width` 0.5 is `mobilenetv2-half` (the last conv keeps
    /// 1280 channels). Every block keeps its expansion conv (also for t = 1); a stride-1 block
    /// adds a shortcut — identity when C_in = C_out, else 1×1 conv + BN — and a stride-2 block has none.
    /// State-dict names as kuangliu (`conv1`, `bn1`, `layers.0.conv1`, `layers.0.shortcut.0`, `conv2`,
    /// `bn2`, `linear`). Taps: the outputs of groups 2, 3, 5 and 7 (32², 16², 8², 4² on a 32×32
    /// input), linear bottleneck outputs (no activation follows them) — marked pre-activation.
    /// - Reference: `shared/bench/pytorch_peer.py` `MobileNetV2` / `MBBlock`; kuangliu
    ///   `models/mobilenetv2.py` (2,296,922 parameters at 10 classes, PAPERS.md §6).
    /// - Deviation: `lastChannels` ≠ 1280 and `minChannels` ≠ 8 exist only to build tiny test instances.
    public static func cifar(name: String, classes: Int, width: Double = 1, lastChannels: Int = 1280,
                             minChannels: Int = 8, rng: inout SeededRNG) -> TappedNetwork {
        let c = { (v: Int) in max(minChannels, Int(Double(v) * width)) }
        let stem = Sequential(convBN("conv1", "bn1", 3, c(32), kernel: 3, activation: ReLU(), rng: &rng))
        let tapAfter: Set<Int> = [1, 2, 4, 6]
        var stages: [Stage] = []
        var current = Sequential([])
        var cin = c(32), k = 0
        for (g, s) in settings.enumerated() {
            for j in 0..<s.n {
                let stride = j > 0 ? 1 : (g == 1 ? 1 : s.s)  // CIFAR: group 2 keeps stride 1
                current.append(block("layers.\(k)", cin, c(s.c), expansion: s.t, stride: stride, rng: &rng))
                cin = c(s.c)
                k += 1
            }
            if tapAfter.contains(g) {
                stages.append(Stage(name: "stage\(stages.count + 1)", activation: .preActivation, layer: current))
                current = Sequential([])
            }
        }
        let head = Sequential(convBN("conv2", "bn2", cin, lastChannels, kernel: 1, activation: ReLU(), rng: &rng)
                              + poolFlattenLinear("linear", features: lastChannels, classes: classes, rng: &rng).layers)
        return TappedNetwork(name: name, numClasses: classes, stem: stem, stages: stages, head: head)
    }

    /// bn3(conv3(relu(bn2(dwconv2(relu(bn1(conv1(x)))))))) (+ shortcut(x) at stride 1).
    static func block(_ p: String, _ cin: Int, _ cout: Int, expansion: Int, stride: Int,
                      rng: inout SeededRNG) -> any Layer {
        let planes = expansion * cin
        let body = Sequential(
            convBN("\(p).conv1", "\(p).bn1", cin, planes, kernel: 1, activation: ReLU(), rng: &rng)
            + convBN("\(p).conv2", "\(p).bn2", planes, planes, kernel: 3, stride: stride, groups: planes,
                     activation: ReLU(), rng: &rng)
            + convBN("\(p).conv3", "\(p).bn3", planes, cout, kernel: 1, rng: &rng))
        guard stride == 1 else { return body }
        let shortcut: (any Layer)? = cin == cout ? nil
            : Sequential(convBN("\(p).shortcut.0", "\(p).shortcut.1", cin, cout, kernel: 1, rng: &rng))
        return Residual(body: body, shortcut: shortcut)
    }
}
