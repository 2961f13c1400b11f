// The model-name grammar: a family plus `-`/`+`-separated modifiers, e.g. `resnet50-w4-awconv`.

import TensorCore

/// A parsed architecture name.
///
/// Grammar: `<family>[(-|+)<modifier>]*` with families `resnet{20,32,44,56,110}` (CIFAR,
/// He et al.), `resnet{18,34,50,101}`, `wrn-<D>-<K>`, `mobilenetv1`, `mobilenetv2`, and modifiers
/// - `b`: option-B (1×1 conv + BN) shortcuts for the CIFAR ResNets (default option A);
/// - `w<N>`: every width ÷ N (`resnet50-w4` = the peer's width ¼); `half`: width × 0.5;
/// - `imagenet` / `cifar`: the stem; without one it follows the input size (≤ 64 → CIFAR);
/// - `awconv`: the AW-convolution in place of each bottleneck's 3×3 conv (bottleneck ResNets);
/// - `last<N>`: the width of MobileNetV2's last 1×1 conv (default 1280), and `min<N>`: its
///   channel floor max(N, ⌊v·w⌋) (default 8) — both only to build tiny test instances.
public struct ModelSpec: Equatable, Sendable {
    public enum Family: Equatable, Sendable {
        case cifarResNet(depth: Int)
        case resnet(depth: Int)
        case wideResNet(depth: Int, widen: Int)
        case mobileNetV1
        case mobileNetV2
    }

    public var name: String
    public var family: Family
    /// Width multiplier (1/N for `wN`, 0.5 for `half`).
    public var width: Double = 1
    /// `wN`'s N (integer widths for the families that divide).
    public var widthDivisor: Int = 1
    public var stem: ResNet.Stem?
    public var projectionShortcut = false
    public var awconv = false
    public var lastChannels: Int?
    public var minChannels: Int?

    public init(parsing name: String) throws {
        self.name = name
        let lower = name.lowercased()
        var parts = lower.split(whereSeparator: { $0 == "-" || $0 == "+" }).map(String.init)
        guard let head = parts.first else { throw ModelZooError.unknown(name) }
        parts.removeFirst()
        if head == "wrn" {
            guard parts.count >= 2, let d = Int(parts[0]), let k = Int(parts[1]),
                  d >= 10, (d - 4) % 6 == 0, k >= 1 else { throw ModelZooError.unknown(name) }
            family = .wideResNet(depth: d, widen: k)
            parts.removeFirst(2)
        } else if head == "mobilenetv1" {
            family = .mobileNetV1
        } else if head == "mobilenetv2" {
            family = .mobileNetV2
        } else if head.hasPrefix("resnet"), let d = Int(head.dropFirst(6)) {
            if [18, 34, 50, 101].contains(d) {
                family = .resnet(depth: d)
            } else if d >= 8, (d - 2) % 6 == 0 {
                family = .cifarResNet(depth: d)
            } else {
                throw ModelZooError.unknown(name)
            }
        } else {
            throw ModelZooError.unknown(name)
        }
        for m in parts { try apply(modifier: m) }
    }

    private mutating func apply(modifier m: String) throws {
        let bad = ModelZooError.badModifier(name: name, modifier: m)
        switch m {
        case "b":
            guard case .cifarResNet = family else { throw bad }
            projectionShortcut = true
        case "half":
            guard family == .mobileNetV2 || family == .mobileNetV1 else { throw bad }
            width = 0.5
        case "imagenet", "cifar":
            if case .wideResNet = family { throw bad }
            if case .cifarResNet = family { throw bad }
            stem = m == "imagenet" ? .imagenet : .cifar
        case "awconv":
            guard case .resnet(let d) = family, d >= 50 else { throw bad }
            awconv = true
        default:
            if m.hasPrefix("w"), let n = Int(m.dropFirst()), n >= 1 {
                widthDivisor = n
                width = 1 / Double(n)
            } else if m.hasPrefix("last"), let n = Int(m.dropFirst(4)), n >= 1, family == .mobileNetV2 {
                lastChannels = n
            } else if m.hasPrefix("min"), let n = Int(m.dropFirst(3)), n >= 1, family == .mobileNetV2 {
                minChannels = n
            } else {
                throw bad
            }
        }
    }

    /// The stem for an input size: the named one, else ImageNet above 64 pixels.
    public func resolvedStem(input: Int) -> ResNet.Stem { stem ?? (input > 64 ? .imagenet : .cifar) }
}

/// Errors from `ModelZoo.make`.
public enum ModelZooError: Error, CustomStringConvertible, Equatable {
    case unknown(String)
    case badModifier(name: String, modifier: String)
    case unavailable(name: String, reason: String)

    public var description: String {
        switch self {
        case .unknown(let n):
            return "unknown model \"\(n)\"; valid names: \(ModelZoo.names.joined(separator: ", ")) "
                + "(modifiers: -b, -w<N>, -half, -imagenet, -cifar, -awconv, -last<N>, -min<N>; any wrn-<6n+4>-<K>, resnet<6n+2>)"
        case .badModifier(let n, let m):
            return "model \"\(n)\": modifier \"\(m)\" does not apply; valid names: \(ModelZoo.names.joined(separator: ", "))"
        case .unavailable(let n, let r):
            return "model \"\(n)\": \(r)"
        }
    }
}
