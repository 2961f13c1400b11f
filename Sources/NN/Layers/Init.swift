// Weight initialisers shared by the layers (PyTorch / torchvision conventions).

import TensorCore

/// Parameter initialisers with the formulas PyTorch uses.
public enum Init {
    /// Kaiming-normal, fan-out mode, ReLU gain: w ~ N(0, 2 / (O·k·k)).
    ///
    /// fan_out = O·k·k for a weight [O, C/groups, k, k] (PyTorch does not divide by groups).
    /// - Reference: torchvision `resnet.py` / `mobilenetv2.py` `kaiming_normal_(mode="fan_out",
    ///   nonlinearity="relu")`; RepDistiller `models/wrn.py` `normal_(0, sqrt(2/(k·k·C_out)))` is the same law.
    /// - Deviation: the PyTorch peer (`shared/bench/pytorch_peer.py`) keeps PyTorch's default
    ///   `kaiming_uniform_(a=√5)`; we follow the reference codebases (torchvision, RepDistiller)
    ///   because their published accuracies were trained from this init.
    public static func kaimingNormalFanOut(_ shape: [Int], rng: inout SeededRNG) -> Tensor {
        precondition(shape.count >= 2, "kaiming init needs a weight of rank ≥ 2, got \(shape)")
        let fanOut = shape[0] * shape.dropFirst(2).reduce(1, *)
        return Tensor.randn(shape, std: (2 / Float(fanOut)).squareRoot(), rng: &rng)
    }

    /// PyTorch's default `nn.Linear` / `nn.Conv2d` law: U(−1/√fan_in, 1/√fan_in) for weight and bias.
    ///
    /// `kaiming_uniform_(a=√5)` has bound gain·√(3/fan_in) with gain = √(2/(1+5)) = √(1/3),
    /// i.e. exactly 1/√fan_in; fan_in = (C/groups)·k·k for convs, `in` for linear layers.
    /// - Reference: torch/nn/modules/linear.py `reset_parameters`.
    public static func pytorchDefault(_ shape: [Int], fanIn: Int, rng: inout SeededRNG) -> Tensor {
        let bound = 1 / Float(max(fanIn, 1)).squareRoot()
        return Tensor.uniform(shape, -bound, bound, rng: &rng)
    }
}
