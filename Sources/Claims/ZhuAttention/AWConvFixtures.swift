// Golden-fixture evaluator for the AW-convolution (op "awconv2d", format v1),
// fixtures written by Fixtures/generators/awconv.py.

import TensorCore
import NN

/// Evaluates `awconv2d` fixtures: forward output and the gradients of Σ y ⊙ upstream.
///
/// Params: `stride`, `padding`. Inputs: `x` [N,C,H,W], `weight` [O,C,k,k],
/// `gen.pw1.weight` [M,C,1,1], `gen.pw1.bias` [M], `gen.pw2.weight` [O+C,M,1,1],
/// `gen.pw2.bias` [O+C]. Upstream: `y`. Outputs: `y` and `grad.<input>` for every input.
public enum AWConvFixtures: FixtureEvaluator {
    public static let ops: Set<String> = ["awconv2d"]

    /// Input keys in the order the layer lists its parameters (after `x`).
    static let parameterKeys = ["weight", "gen.pw1.weight", "gen.pw1.bias", "gen.pw2.weight", "gen.pw2.bias"]

    public static func evaluate(_ fixture: FixtureCase, engine: any Kernels) throws -> [String: Tensor] {
        guard ops.contains(fixture.op) else { throw FixtureError("\(fixture.name): op \(fixture.op) is not awconv2d") }
        let stride = try fixture.int("stride"), padding = try fixture.int("padding")
        let x = try fixture.input("x"), weight = try fixture.input("weight")
        let pw1 = try fixture.input("gen.pw1.weight")
        guard x.rank == 4, weight.rank == 4, weight.shape[2] == weight.shape[3], weight.shape[1] == x.shape[1],
              x.shape[0] > 0, pw1.rank == 4, pw1.shape[0] > 0 else {
            throw FixtureError("\(fixture.name): need x [N,C,H,W], weight [O,C,k,k], gen.pw1.weight [M,C,1,1]; "
                               + "got \(x.shape), \(weight.shape), \(pw1.shape)")
        }
        guard stride > 0, padding >= 0, x.shape[2] + 2 * padding >= weight.shape[2],
              x.shape[3] + 2 * padding >= weight.shape[3] else {
            throw FixtureError("\(fixture.name): invalid geometry stride \(stride) padding \(padding) for \(x.shape)")
        }
        var rng = SeededRNG(seed: 0)
        let layer = AWConv2d(fixture.name, inChannels: x.shape[1], outChannels: weight.shape[0],
                             kernelSize: weight.shape[2], stride: stride, padding: padding,
                             hiddenChannels: pw1.shape[0], rng: &rng)
        for (key, p) in zip(parameterKeys, layer.parameters) {
            let t = try fixture.input(key)
            guard t.shape == p.value.shape else {
                throw FixtureError("\(fixture.name): inputs.\(key) has shape \(t.shape), expected \(p.value.shape)")
            }
            p.value = t
        }
        let (y, pullback) = layer.forward(x, ForwardContext(engine: engine, training: true))
        var out = ["y": y]
        if let up = fixture.upstream["y"] {
            guard up.shape == y.shape else {
                throw FixtureError("\(fixture.name): upstream.y has shape \(up.shape), output is \(y.shape)")
            }
            out["grad.x"] = pullback(up)
            for (key, p) in zip(parameterKeys, layer.parameters) { out["grad." + key] = p.grad }
        }
        return out
    }
}
