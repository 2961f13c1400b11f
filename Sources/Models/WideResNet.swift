// Pre-activation WideResNet WRN-D-K as in the attention-transfer reference code.

import TensorCore
import NN

/// WRN-D-K: conv3×3(16) → 3 groups of n = (D − 4)/6 pre-activation blocks at widths
/// 16K, 32K, 64K (strides 1, 2, 2) → BN → ReLU → global average pool → linear.
///
/// Taps are the raw group outputs (residual sums, before any BN-ReLU), as the AT code
/// returns `g0, g1, g2`. State-dict names follow RepDistiller `models/wrn.py`
/// (`conv1`, `block1.layer.0.bn1`, `…conv1`, `…bn2`, `…conv2`, `…convShortcut`, `bn1`, `fc`).
/// `widthDivisor` N divides every width (stem included) by N for tiny test instances.
/// - Paper: Zagoruyko & Komodakis 2016 (WRN), Table 1; AT paper §4.1.
/// - Reference: szagoruyko/attention-transfer `cifar.py`; RepDistiller `models/wrn.py`;
///   `shared/bench/pytorch_peer.py` `WRN` / `WideBlock`. Parameter counts: PAPERS.md §6.
/// - Deviation: RepDistiller pools with `avg_pool2d(out, 8)`; we pool globally (identical on 32×32).
public enum WideResNet {
    public static func make(name: String, depth: Int, widen: Int, classes: Int, widthDivisor: Int = 1,
                            rng: inout SeededRNG) -> TappedNetwork {
        precondition((depth - 4) % 6 == 0 && depth >= 10, "WRN depth must be 6n+4 ≥ 10, got \(depth)")
        precondition(widen >= 1 && widthDivisor >= 1, "WRN widen factor and divisor must be ≥ 1")
        let n = (depth - 4) / 6
        let widths = [16, 16 * widen, 32 * widen, 64 * widen].map { $0 / widthDivisor }
        precondition(widths.allSatisfy { $0 > 0 }, "width divisor \(widthDivisor) leaves a group with no channels")
        let stem = Conv2d("conv1", inChannels: 3, outChannels: widths[0], kernelSize: 3, padding: 1, rng: &rng)
        var stages: [Stage] = []
        var cin = widths[0]
        for g in 0..<3 {
            let blocks = Sequential([])
            for j in 0..<n {
                let stride = j == 0 && g > 0 ? 2 : 1
                blocks.append(WideBasicBlock("block\(g + 1).layer.\(j)", inChannels: cin, outChannels: widths[g + 1],
                                             stride: stride, rng: &rng))
                cin = widths[g + 1]
            }
            stages.append(Stage(name: "stage\(g + 1)", activation: .preActivation, layer: blocks))
        }
        let head = Sequential([BatchNorm2d("bn1", channels: cin), ReLU()]
                              + poolFlattenLinear("fc", features: cin, classes: classes, rng: &rng).layers)
        return TappedNetwork(name: name, numClasses: classes, stem: stem, stages: stages, head: head)
    }
}

/// Pre-activation wide block: o = relu(bn1(x)); y = conv2(relu(bn2(conv1(o)))) + s, with
/// s = x when shapes agree, else s = convShortcut(o) (1×1, stride s — fed the activated o, not x).
///
/// - Reference: RepDistiller `models/wrn.py` `BasicBlock` (dropout 0); AT `cifar.py` `block`.
public final class WideBasicBlock: Layer {
    public let pre: Sequential
    public let body: Sequential
    public let shortcut: Conv2d?
    /// The body's last layer (its output meets the shortcut).
    private let conv2: Conv2d

    public init(_ p: String, inChannels cin: Int, outChannels cout: Int, stride: Int, rng: inout SeededRNG) {
        pre = Sequential(BatchNorm2d("\(p).bn1", channels: cin), ReLU())
        let conv1 = Conv2d("\(p).conv1", inChannels: cin, outChannels: cout, kernelSize: 3, stride: stride, padding: 1, rng: &rng)
        conv2 = Conv2d("\(p).conv2", inChannels: cout, outChannels: cout, kernelSize: 3, padding: 1, rng: &rng)
        body = Sequential(conv1, BatchNorm2d("\(p).bn2", channels: cout), ReLU(), conv2)
        shortcut = (cin == cout && stride == 1) ? nil
            : Conv2d("\(p).convShortcut", inChannels: cin, outChannels: cout, kernelSize: 1, stride: stride, rng: &rng)
    }

    /// State-dict order: bn1, conv1, bn2, conv2, convShortcut.
    public var parameters: [Parameter] { pre.parameters + body.parameters + (shortcut?.parameters ?? []) }
    public var buffers: [Buffer] { pre.buffers + body.buffers }

    /// With `Residual.fusesShortcutSum` (the default) conv2 and the shortcut sum run as one engine
    /// call (`Conv2d.forward(_:_:adding:)`), else conv2 then `add`: the same numbers and the same
    /// order of pullbacks either way.
    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        let (o, prePB) = pre.forward(x, ctx)
        let last = body.layers.count - 1
        let (h, headPB) = body.forward(o, ctx, layers: 0..<last)
        let (s, scPB): (Tensor, Pullback?) = shortcut.map { let (s, pb) = $0.forward(o, ctx); return (s, pb) } ?? (x, nil)
        let y: Tensor, convPB: Pullback
        if Residual.fusesShortcutSum {
            (y, convPB) = conv2.forward(h, ctx, adding: s)
        } else {
            let (z, pb) = conv2.forward(h, ctx)
            (y, convPB) = (ctx.engine.add(z, s), pb)
        }
        let engine = ctx.engine
        return (y, { dy in
            var dO = headPB(convPB(dy))
            guard let scPB else {
                var dx = prePB(dO)
                engine.accumulate(&dx, dy)
                return dx
            }
            engine.accumulate(&dO, scPB(dy))
            return prePB(dO)
        })
    }
}
