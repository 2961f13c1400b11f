// The registry of architectures: names → models, parameter and MAC counts.

import TensorCore
import NN
import FastEngine
import ZhuAttention

/// Builds every architecture by name (grammar in `ModelSpec`).
public enum ModelZoo {
    /// The architectures `atkd models` lists (each also takes the `ModelSpec` modifiers).
    public static let names: [String] = [
        "resnet20", "resnet32", "resnet44", "resnet56", "resnet110",
        "resnet20-b", "resnet32-b", "resnet56-b", "resnet110-b",
        "resnet18", "resnet34", "resnet50", "resnet50-w4", "resnet50-awconv", "resnet50-w4-awconv",
        "wrn-16-1", "wrn-16-2", "wrn-16-4", "wrn-28-4", "wrn-28-10", "wrn-40-1", "wrn-40-2",
        "mobilenetv1", "mobilenetv2", "mobilenetv2-half",
    ]

    /// Variants the experiment specs use besides `names` (ImageNet stems on the 10-class subset);
    /// `atkd models` lists them too.
    public static let variantNames: [String] = [
        "resnet50-w4-imagenet", "resnet50-w4-awconv-imagenet", "mobilenetv2-half-imagenet", "resnet18-imagenet",
    ]

    /// A model for `classes` classes and `input`×`input` images; the ResNet-18/34/50 and MobileNet
    /// stems follow `input` (≤ 64 → CIFAR stem) unless the name says `-imagenet` / `-cifar`.
    /// Throws `ModelZooError` naming the valid names for an unknown name or modifier.
    public static func make(_ name: String, classes: Int, input: Int = 32,
                            rng: inout SeededRNG) throws -> any Model {
        try build(ModelSpec(parsing: name), classes: classes, input: input, rng: &rng)
    }

    /// The concrete network of a parsed spec.
    public static func build(_ spec: ModelSpec, classes: Int, input: Int = 32,
                             rng: inout SeededRNG) throws -> TappedNetwork {
        guard classes >= 1 else { throw ModelZooError.unavailable(name: spec.name, reason: "needs at least 1 class") }
        let name = spec.name
        switch spec.family {
        case .cifarResNet(let depth):
            let widths = [16, 32, 64].map { $0 / spec.widthDivisor }
            guard widths.allSatisfy({ $0 > 0 }) else {
                throw ModelZooError.unavailable(name: name, reason: "width divisor \(spec.widthDivisor) leaves no channels")
            }
            return CIFARResNet.make(name: name, depth: depth, classes: classes, widths: widths,
                                    shortcut: spec.projectionShortcut ? .projection : .zeroPad, rng: &rng)
        case .resnet(let depth):
            guard let (block, counts) = ResNet.layout(depth: depth) else { throw ModelZooError.unknown(name) }
            guard Int(64 * spec.width) > 0 else {
                throw ModelZooError.unavailable(name: name, reason: "width \(spec.width) leaves no channels")
            }
            return ResNet.make(name: name, block: block, counts: counts, classes: classes,
                               stem: spec.resolvedStem(input: input), width: spec.width,
                               conv3x3: spec.awconv ? awConv3x3 : ResNet.plainConv, rng: &rng)
        case .wideResNet(let depth, let widen):
            guard 16 / spec.widthDivisor > 0 else {
                throw ModelZooError.unavailable(name: name, reason: "width divisor \(spec.widthDivisor) leaves no channels")
            }
            return WideResNet.make(name: name, depth: depth, widen: widen, classes: classes,
                                   widthDivisor: spec.widthDivisor, rng: &rng)
        case .mobileNetV2:
            if spec.resolvedStem(input: input) == .imagenet {
                if let n = spec.lastChannels { throw ModelZooError.badModifier(name: name, modifier: "last\(n)") }
                if let n = spec.minChannels { throw ModelZooError.badModifier(name: name, modifier: "min\(n)") }
                return MobileNetV2.imagenet(name: name, classes: classes, width: spec.width, rng: &rng)
            }
            return MobileNetV2.cifar(name: name, classes: classes, width: spec.width,
                                     lastChannels: spec.lastChannels ?? 1280, minChannels: spec.minChannels ?? 8,
                                     rng: &rng)
        case .mobileNetV1:
            return MobileNetV1.make(name: name, classes: classes, width: spec.width,
                                    imagenetStem: spec.resolvedStem(input: input) == .imagenet, rng: &rng)
        }
    }

    /// The AW-convolution (ZhuAttention) as a drop-in for a bottleneck's 3×3 conv; keeps the
    /// name `<conv>.weight` for its kernel.
    public static let awConv3x3: ResNet.ConvFactory = { name, cin, cout, stride, rng in
        AWConv2d(name, inChannels: cin, outChannels: cout, kernelSize: 3, stride: stride, padding: 1, rng: &rng)
    }

    /// Multiply-accumulates of one `input`×`input` image: a counting forward at batch 1 in eval mode
    /// (convs add N·O·H′·W′·(C/groups)·k², linears N·out·in; the PyTorch peer's `macs_of` rule).
    public static func macs(_ model: any Model, input: Int, engine: any Kernels = ShapeOnlyKernels()) -> Int {
        let ctx = ForwardContext(engine: engine, training: false, countMACs: true)
        _ = model.forward(Tensor(zeros: [1, 3, input, input]), ctx)
        return ctx.macs ?? 0
    }
}
