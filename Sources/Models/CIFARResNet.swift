// He et al. CIFAR ResNets (resnet20/32/44/56/110): 3×3 stem, three stages of basic blocks.

import TensorCore
import NN

/// CIFAR ResNet-(6n+2): conv3×3(16) → 3 stages of n basic blocks at widths 16/32/64
/// (strides 1, 2, 2) → global average pool → linear.
///
/// Shortcuts where the shape changes: option A (default) is the parameter-free
/// subsample-and-zero-pad of `ZeroPadShortcut`; option B is 1×1 conv + BN (`downsample.0/1`).
/// State-dict names follow RepDistiller `models/resnet.py` (`conv1`, `bn1`, `layer1.0.conv1`,
/// `layer1.0.downsample.0`, `fc`). Taps: the output of each stage, after its final ReLU.
/// - Paper: He et al. 2016, §4.2 (6n+2 layers, option A on CIFAR).
/// - Reference: `shared/bench/pytorch_peer.py` `ResNetCifar` / `BlockA` (option A);
///   RepDistiller `models/resnet.py` (option B; parameter counts in PAPERS.md §6).
public enum CIFARResNet {
    /// How a block changes resolution or width on its shortcut path.
    public enum Shortcut: String, Sendable {
        /// He et al. option A: subsample ::2 and zero-pad channels (no parameters).
        case zeroPad = "A"
        /// Option B: 1×1 conv (stride s) + BN.
        case projection = "B"
    }

    /// A CIFAR ResNet of `depth` = 6n + 2 layers with stage widths `widths` (stem = widths[0]).
    public static func make(name: String, depth: Int, classes: Int, widths: [Int] = [16, 32, 64],
                            shortcut: Shortcut = .zeroPad, rng: inout SeededRNG) -> TappedNetwork {
        precondition((depth - 2) % 6 == 0 && depth >= 8, "CIFAR ResNet depth must be 6n+2 ≥ 8, got \(depth)")
        precondition(widths.count == 3 && widths.allSatisfy { $0 > 0 }, "three positive stage widths, got \(widths)")
        let n = (depth - 2) / 6
        let stem = Sequential(convBN("conv1", "bn1", 3, widths[0], kernel: 3, activation: ReLU(), rng: &rng))
        var stages: [Stage] = []
        var cin = widths[0]
        for (i, w) in widths.enumerated() {
            let blocks = Sequential([])
            for j in 0..<n {
                let stride = (j == 0 && i > 0) ? 2 : 1
                blocks.append(basicBlock("layer\(i + 1).\(j)", cin, w, stride: stride, shortcut: shortcut, rng: &rng))
                cin = w
            }
            stages.append(Stage(name: "stage\(i + 1)", activation: .postActivation, layer: blocks))
        }
        let head = poolFlattenLinear("fc", features: cin, classes: classes, rng: &rng)
        return TappedNetwork(name: name, numClasses: classes, stem: stem, stages: stages, head: head)
    }

    /// relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).
    static func basicBlock(_ p: String, _ cin: Int, _ cout: Int, stride: Int, shortcut: Shortcut,
                           rng: inout SeededRNG) -> Residual {
        let body = Sequential(
            convBN("\(p).conv1", "\(p).bn1", cin, cout, kernel: 3, stride: stride, activation: ReLU(), rng: &rng)
            + convBN("\(p).conv2", "\(p).bn2", cout, cout, kernel: 3, rng: &rng))
        var sc: (any Layer)?
        if stride != 1 || cin != cout {
            switch shortcut {
            case .zeroPad: sc = ZeroPadShortcut(inChannels: cin, outChannels: cout, stride: stride)
            case .projection:
                sc = Sequential(convBN("\(p).downsample.0", "\(p).downsample.1", cin, cout, kernel: 1,
                                       stride: stride, rng: &rng))
            }
        }
        return Residual(body: body, shortcut: sc, activation: ReLU())
    }
}
