// Evaluates golden fixtures of the engine ops (Fixtures/ops/) through the
// `Kernels` methods of the engine under test.

import TensorCore

/// Computes the outputs and gradients of engine-op fixtures with a given engine.
///
/// Ops: `conv2d`, `batchnorm2d`, `relu`, `relu6`, `max_pool2d`, `avg_pool2d`,
/// `adaptive_avg_pool2d`, `linear`, `bilinear_resize`, `softmax`,
/// `log_softmax`, `cross_entropy`, `add`, `dropout` (mask given as an input) (names, params and keys: Fixtures/README.md).
/// Gradients `grad.<input>` are of `Σ y ⊙ upstream.y`, or of `loss` for
/// `cross_entropy`; they are computed only when the fixture has an upstream.
public enum EngineOpsEvaluator: FixtureEvaluator {
    public static let ops: Set<String> = [
        "conv2d", "batchnorm2d", "relu", "relu6", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d",
        "linear", "bilinear_resize", "softmax", "log_softmax", "cross_entropy", "add", "dropout",
    ]

    public static func evaluate(_ f: FixtureCase, engine: any Kernels) throws -> [String: Tensor] {
        switch f.op {
        case "conv2d": return try conv2d(f, engine)
        case "batchnorm2d": return try batchnorm2d(f, engine)
        case "relu", "relu6":
            let x = try f.input("x")
            let isRelu = f.op == "relu"
            let y = isRelu ? engine.relu(x) : engine.relu6(x)
            var out = ["y": y]
            if let dy = try upstream(f, like: y) { out["grad.x"] = isRelu ? engine.reluBackward(x, dy: dy) : engine.relu6Backward(x, dy: dy) }
            return out
        case "max_pool2d", "avg_pool2d":
            let x = try f.input("x")
            let c = PoolConfig(kernel: try f.int("kernel"), stride: try f.int("stride"), padding: try f.int("padding"))
            if f.op == "max_pool2d" {
                let (y, indices) = engine.maxPool2d(x, c)
                var out = ["y": y]
                if let dy = try upstream(f, like: y) { out["grad.x"] = engine.maxPool2dBackward(inputShape: x.shape, indices: indices, dy: dy) }
                return out
            }
            let y = engine.avgPool2d(x, c)
            var out = ["y": y]
            if let dy = try upstream(f, like: y) { out["grad.x"] = engine.avgPool2dBackward(inputShape: x.shape, c, dy: dy) }
            return out
        case "adaptive_avg_pool2d":
            let x = try f.input("x"), size = try FixtureShapeRules.outputSize(f)
            let y = engine.adaptiveAvgPool2d(x, outH: size.h, outW: size.w)
            var out = ["y": y]
            if let dy = try upstream(f, like: y) { out["grad.x"] = engine.adaptiveAvgPool2dBackward(inputShape: x.shape, dy: dy) }
            return out
        case "bilinear_resize":
            let x = try f.input("x"), size = try FixtureShapeRules.outputSize(f)
            let y = engine.bilinearResize(x, outH: size.h, outW: size.w)
            var out = ["y": y]
            if let dy = try upstream(f, like: y) { out["grad.x"] = engine.bilinearResizeBackward(inputShape: x.shape, dy: dy) }
            return out
        case "linear":
            let x = try f.input("x"), w = try f.input("weight"), b = try f.input("bias")
            let y = engine.linear(x, weight: w, bias: b)
            var out = ["y": y]
            if let dy = try upstream(f, like: y) {
                let g = engine.linearBackward(x, weight: w, dy: dy)
                out["grad.x"] = g.x; out["grad.weight"] = g.weight; out["grad.bias"] = g.bias
            }
            return out
        case "softmax", "log_softmax":
            let x = try f.input("x"), t = Float(try f.number("temperature"))
            return ["y": f.op == "softmax" ? engine.softmax(x, temperature: t) : engine.logSoftmax(x, temperature: t)]
        case "cross_entropy":
            let r = engine.crossEntropy(try f.input("logits"), labels: try f.labels(),
                                        labelSmoothing: Float(try f.number("label_smoothing")))
            return ["loss": Tensor(shape: [], data: [r.loss]), "grad.logits": r.dLogits]
        case "add":
            let y = engine.add(try f.input("a"), try f.input("b"))
            var out = ["y": y]
            if let dy = try upstream(f, like: y) { out["grad.a"] = dy; out["grad.b"] = dy }
            return out
        case "dropout":
            let x = try f.input("x"), mask = try f.input("mask").data, p = Float(try f.number("p"))
            guard mask.count == x.count else { throw FixtureError("\(f.name): inputs.mask: \(mask.count) values for \(x.count) inputs") }
            let y = engine.dropout(x, mask: mask, p: p)
            var out = ["y": y]
            if let dy = try upstream(f, like: y) { out["grad.x"] = engine.dropoutBackward(mask: mask, p: p, dy: dy) }
            return out
        default:
            throw FixtureError("\(f.name): op \(f.op) is not an engine op")
        }
    }

    private static func conv2d(_ f: FixtureCase, _ engine: any Kernels) throws -> [String: Tensor] {
        let x = try f.input("x"), w = try f.input("weight"), b = f.inputs["bias"]
        let c = ConvConfig(stride: try f.int("stride"), padding: try f.int("padding"), groups: try f.int("groups"))
        let y = engine.conv2d(x, weight: w, bias: b, c)
        var out = ["y": y]
        if let dy = try upstream(f, like: y) {
            let g = engine.conv2dBackward(x, weight: w, hasBias: b != nil, c, dy: dy)
            out["grad.x"] = g.x
            out["grad.weight"] = g.weight
            if let gb = g.bias { out["grad.bias"] = gb }
        }
        return out
    }

    /// Train mode also returns the updated running statistics, PyTorch convention:
    /// `new = (1 − momentum)·old + momentum·batch`, with the unbiased batch variance
    /// `σ²_B · n/(n − 1)`, n = N·H·W. (Layers do this update; the kernels do not.)
    private static func batchnorm2d(_ f: FixtureCase, _ engine: any Kernels) throws -> [String: Tensor] {
        let x = try f.input("x"), gamma = try f.input("weight"), beta = try f.input("bias")
        let rm = try f.input("running_mean"), rv = try f.input("running_var")
        let eps = Float(try f.number("eps")), momentum = Float(try f.number("momentum"))
        guard try f.bool("training") else {
            let y = engine.batchNormEval(x, gamma: gamma, beta: beta, runningMean: rm, runningVar: rv, eps: eps)
            var out = ["y": y, "running_mean": rm, "running_var": rv]
            if let dy = try upstream(f, like: y) {
                let g = engine.batchNormEvalBackward(x, gamma: gamma, runningMean: rm, runningVar: rv, eps: eps, dy: dy)
                out["grad.x"] = g.x; out["grad.weight"] = g.weight; out["grad.bias"] = g.bias
            }
            return out
        }
        let fwd = engine.batchNormTrain(x, gamma: gamma, beta: beta, eps: eps)
        let n = Float(x.shape[0] * x.shape[2] * x.shape[3])
        // NOTE: the running variance takes the *unbiased* batch variance; the kernel returns the biased one.
        let unbiased = n / (n - 1)
        let newMean = zip(rm.data, fwd.mean).map { (1 - momentum) * $0 + momentum * $1 }
        let newVar = zip(rv.data, fwd.variance).map { (1 - momentum) * $0 + momentum * $1 * unbiased }
        var out = ["y": fwd.y, "running_mean": Tensor(shape: rm.shape, data: newMean),
                   "running_var": Tensor(shape: rv.shape, data: newVar)]
        if let dy = try upstream(f, like: fwd.y) {
            let g = engine.batchNormTrainBackward(x, gamma: gamma, mean: fwd.mean, invStd: fwd.invStd, dy: dy)
            out["grad.x"] = g.x; out["grad.weight"] = g.weight; out["grad.bias"] = g.bias
        }
        return out
    }

    /// `upstream.y`, checked against the computed output (a kernel traps on a wrong `dy` shape).
    private static func upstream(_ f: FixtureCase, like y: Tensor) throws -> Tensor? {
        guard let dy = f.upstream["y"] else { return nil }
        guard dy.shape == y.shape else {
            throw FixtureError("\(f.name): upstream.y has shape \(formatShape(dy.shape)) but output y has shape \(formatShape(y.shape))")
        }
        return dy
    }
}
