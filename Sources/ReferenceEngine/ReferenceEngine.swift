// ReferenceEngine: the specification every fast kernel is tested against.
// Naive loops, Double accumulation, PyTorch semantics; one file per op family.

import TensorCore

/// The reference implementation of `Kernels`: obviously correct loops, sums in
/// Double, shapes checked with `precondition` messages naming the op.
///
/// Besides the protocol it offers `softmaxBackward` and `logSoftmaxBackward`
/// (see `Reference+Softmax.swift`), which losses and tests use.
public struct ReferenceEngine: Kernels {
    public init() {}
    public var name: String { "reference" }
}

/// Checks that `t` is [N, C, H, W] and returns the four sizes.
@inline(__always)
func nchw(_ t: Tensor, _ op: String, _ what: String = "x") -> (Int, Int, Int, Int) {
    precondition(t.rank == 4, "\(op): \(what) must be [N, C, H, W], got \(t.shape)")
    return (t.shape[0], t.shape[1], t.shape[2], t.shape[3])
}

/// Rounds a Double accumulator array to a Float tensor.
@inline(__always)
func tensor(_ shape: [Int], _ acc: [Double]) -> Tensor {
    Tensor(shape: shape, data: acc.map { Float($0) })
}
