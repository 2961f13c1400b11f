// Layers whose eval-mode forward can take the batch norm (and activation) after them into the same
// engine call; `Sequential` fuses a conforming layer directly followed by a `BatchNorm2d`.

import TensorCore

/// A convolution-like layer with an eval-mode forward through `bn` (and `activation`) in one engine
/// call — the same numbers as the layers one after another. The pullback (rarely called in eval
/// mode) recomputes the layer's output and runs both layers' pullbacks.
public protocol FusesEvalBatchNorm: Layer {
    func forward(_ x: Tensor, _ ctx: ForwardContext, thenEval bn: BatchNorm2d,
                 activation: FusedActivation?) -> (Tensor, Pullback)
}

extension Conv2d: FusesEvalBatchNorm {}
