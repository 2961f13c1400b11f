// The arithmetic of the convolution and linear products (issue 17 item 4).

/// fp32 everywhere, or bf16 products with fp32 sums (mixed precision, opt-in).
public enum Precision: String, CaseIterable, Sendable, Codable {
    /// fp32 inputs and sums: the default, and the reference every kernel is checked against.
    case fp32
    /// Convolution and linear inputs — activations and weights, in the backward also the output
    /// gradients — rounded to bfloat16 (ties to even), products exact, sums in fp32. Master weights,
    /// batch norm, activations between layers, losses and the optimiser stay fp32: the ops PyTorch's
    /// CPU autocast (`torch.autocast("cpu", dtype=torch.bfloat16)`) lowers to bf16 are conv, linear
    /// and matmul.
    case bf16
}
