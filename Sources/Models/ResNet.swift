// ResNet-18/34/50 (torchvision layout) with an ImageNet or a CIFAR stem and a width multiplier.

import TensorCore
import NN

/// ResNet with four stages of basic (18/34) or bottleneck (50) blocks, strides 1, 2, 2, 2.
///
/// Stage widths are ⌊64·w⌋, ⌊128·w⌋, ⌊256·w⌋, ⌊512·w⌋ (bottleneck outputs ×4); w = ¼ is the
/// peer's `resnet50-w4`. The ImageNet stem is conv7×7/2 + BN + ReLU + maxpool3×3/2; the CIFAR
/// stem is conv3×3/1 + BN + ReLU, no max-pool. Bottlenecks stride on the 3×3 conv
/// (torchvision "v1.5"). Shortcuts are 1×1 conv + BN whenever stride ≠ 1 or widths differ.
/// State-dict names as torchvision (`conv1`, `bn1`, `layer1.0.conv1`, `layer1.0.downsample.0`, `fc`).
/// Taps: the output of each stage, after its final ReLU.
/// - Reference: torchvision `models/resnet.py`; `shared/bench/pytorch_peer.py` `ResNet` (CIFAR stem);
///   kuangliu `models/resnet.py`. Parameter counts: PAPERS.md §6.
public enum ResNet {
    public enum Block: Sendable { case basic, bottleneck }
    public enum Stem: String, Sendable { case imagenet, cifar }

    /// Builds the 3×3 convolution of a bottleneck (the AW-convolution hook); arguments are
    /// the conv's state-dict name, C_in, C_out and stride (kernel 3, padding 1).
    public typealias ConvFactory = (_ name: String, _ cin: Int, _ cout: Int, _ stride: Int,
                                    _ rng: inout SeededRNG) -> any Layer

    /// A plain `Conv2d` 3×3 with padding 1.
    public static let plainConv: ConvFactory = { name, cin, cout, stride, rng in
        Conv2d(name, inChannels: cin, outChannels: cout, kernelSize: 3, stride: stride, padding: 1, rng: &rng)
    }

    /// Block counts of the named depths.
    public static func layout(depth: Int) -> (Block, [Int])? {
        switch depth {
        case 18: return (.basic, [2, 2, 2, 2])
        case 34: return (.basic, [3, 4, 6, 3])
        case 50: return (.bottleneck, [3, 4, 6, 3])
        case 101: return (.bottleneck, [3, 4, 23, 3])
        default: return nil
        }
    }

    public static func make(name: String, block: Block, counts: [Int], classes: Int, stem: Stem,
                            width: Double = 1, conv3x3: ConvFactory = plainConv,
                            rng: inout SeededRNG) -> TappedNetwork {
        precondition(counts.count == 4, "four stages, got \(counts)")
        let base = [64, 128, 256, 512].map { Int(Double($0) * width) }
        precondition(base.allSatisfy { $0 > 0 }, "width \(width) leaves a stage with no channels")
        let expansion = block == .bottleneck ? 4 : 1
        let stemLayer: Sequential
        switch stem {
        case .imagenet:
            stemLayer = Sequential(convBN("conv1", "bn1", 3, base[0], kernel: 7, stride: 2, activation: ReLU(), rng: &rng)
                                   + [MaxPool2d(kernel: 3, stride: 2, padding: 1)])
        case .cifar:
            stemLayer = Sequential(convBN("conv1", "bn1", 3, base[0], kernel: 3, activation: ReLU(), rng: &rng))
        }
        var stages: [Stage] = []
        var cin = base[0]
        for i in 0..<4 {
            let blocks = Sequential([])
            for j in 0..<counts[i] {
                let stride = (j == 0 && i > 0) ? 2 : 1
                let p = "layer\(i + 1).\(j)"
                switch block {
                case .basic: blocks.append(basic(p, cin, base[i], stride: stride, rng: &rng))
                case .bottleneck: blocks.append(bottleneck(p, cin, base[i], stride: stride, conv3x3: conv3x3, rng: &rng))
                }
                cin = base[i] * expansion
            }
            stages.append(Stage(name: "stage\(i + 1)", activation: .postActivation, layer: blocks))
        }
        let head = poolFlattenLinear("fc", features: cin, classes: classes, rng: &rng)
        return TappedNetwork(name: name, numClasses: classes, stem: stemLayer, stages: stages, head: head)
    }

    static func downsample(_ p: String, _ cin: Int, _ cout: Int, stride: Int, rng: inout SeededRNG) -> (any Layer)? {
        guard stride != 1 || cin != cout else { return nil }
        return Sequential(convBN("\(p).downsample.0", "\(p).downsample.1", cin, cout, kernel: 1, stride: stride, rng: &rng))
    }

    /// relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), conv1 3×3/s, conv2 3×3.
    static func basic(_ p: String, _ cin: Int, _ planes: Int, stride: Int, rng: inout SeededRNG) -> Residual {
        let body = Sequential(
            convBN("\(p).conv1", "\(p).bn1", cin, planes, kernel: 3, stride: stride, activation: ReLU(), rng: &rng)
            + convBN("\(p).conv2", "\(p).bn2", planes, planes, kernel: 3, rng: &rng))
        return Residual(body: body, shortcut: downsample(p, cin, planes, stride: stride, rng: &rng), activation: ReLU())
    }

    /// relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x)), conv1 1×1, conv2 3×3/s, conv3 1×1 (×4);
    /// bn3's γ starts at 0 (torchvision `zero_init_residual=True`).
    /// - Deviation: torchvision's default is γ = 1; the peer (`pytorch_peer.py`) also keeps 1.
    static func bottleneck(_ p: String, _ cin: Int, _ planes: Int, stride: Int, conv3x3: ConvFactory,
                           rng: inout SeededRNG) -> Residual {
        var layers = convBN("\(p).conv1", "\(p).bn1", cin, planes, kernel: 1, activation: ReLU(), rng: &rng)
        layers += [conv3x3("\(p).conv2", planes, planes, stride, &rng),
                   BatchNorm2d("\(p).bn2", channels: planes), ReLU()]
        // bn3 starts at γ = 0 (torchvision `zero_init_residual=True`, Goyal et al. 2017 §5.1): each
        // bottleneck starts as the identity. With γ = 1 the 16 branches' unit-variance outputs pile up
        // and the stem's gradients are ~500× layer4's at init; resnet50-w4 then diverges in its first
        // steps at lr 0.05 (loss 2.4 → 27 in 6 steps) and never learns (ResNet50TrainabilityTests).
        layers += [Conv2d("\(p).conv3", inChannels: planes, outChannels: planes * 4, kernelSize: 1, rng: &rng),
                   BatchNorm2d("\(p).bn3", channels: planes * 4, gamma: 0)]
        return Residual(body: Sequential(layers), shortcut: downsample(p, cin, planes * 4, stride: stride, rng: &rng),
                        activation: ReLU())
    }
}
