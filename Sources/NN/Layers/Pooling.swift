// Max, average and adaptive-average pooling over H, W.

import TensorCore

/// Max pooling (PyTorch floor mode, padding acts as −∞); the pullback routes dy to the chosen input.
public final class MaxPool2d: Layer {
    public let config: PoolConfig
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        config = PoolConfig(kernel: kernel, stride: stride, padding: padding)
    }
    public var parameters: [Parameter] { [] }
    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        let engine = ctx.engine, shape = x.shape
        let (y, indices) = engine.maxPool2d(x, config)
        return (y, { dy in engine.maxPool2dBackward(inputShape: shape, indices: indices, dy: dy) })
    }
}

/// Average pooling, padding counted in the divisor (PyTorch `count_include_pad=True`).
public final class AvgPool2d: Layer {
    public let config: PoolConfig
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        config = PoolConfig(kernel: kernel, stride: stride, padding: padding)
    }
    public var parameters: [Parameter] { [] }
    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        let engine = ctx.engine, shape = x.shape, config = self.config
        return (engine.avgPool2d(x, config),
                { dy in engine.avgPool2dBackward(inputShape: shape, config, dy: dy) })
    }
}

/// Adaptive average pooling to [outH, outW]; `AdaptiveAvgPool2d()` is global pooling to 1×1.
/// Bin i spans ⌊i·H/outH⌋ ..< ⌈(i+1)·H/outH⌉ (PyTorch `F.adaptive_avg_pool2d`).
public final class AdaptiveAvgPool2d: Layer {
    public let outH: Int
    public let outW: Int
    public init(outH: Int = 1, outW: Int = 1) {
        precondition(outH > 0 && outW > 0, "adaptive pooling needs a positive output size")
        self.outH = outH
        self.outW = outW
    }
    public convenience init(_ size: Int) { self.init(outH: size, outW: size) }
    public var parameters: [Parameter] { [] }
    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        let engine = ctx.engine, shape = x.shape
        return (engine.adaptiveAvgPool2d(x, outH: outH, outW: outW),
                { dy in engine.adaptiveAvgPool2dBackward(inputShape: shape, dy: dy) })
    }
}
