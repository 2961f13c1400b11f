// Consistency checks on a parsed fixture: gradient and upstream shapes for
// every op, parameter and input-shape rules for the engine ops.

import TensorCore

/// Validation run while a fixture file is parsed; each failure names a field.
enum FixtureShapeRules {
    /// Rules for every op: `grad.<k>` has the shape of `inputs.<k>`, and
    /// `upstream.<k>` has the shape of `expected.<k>` when both exist.
    static func checkGeneric(_ f: FixtureCase, expected: [String: Tensor]) throws {
        for (key, g) in expected where key.hasPrefix("grad.") {
            let input = String(key.dropFirst(5))
            if let x = f.inputs[input], x.shape != g.shape {
                throw FixtureFieldError("expected.\(key)", "shape \(formatShape(g.shape)) differs from "
                                        + "inputs.\(input) shape \(formatShape(x.shape))")
            }
        }
        for (key, u) in f.upstream {
            if let y = expected[key], y.shape != u.shape {
                throw FixtureFieldError("upstream.\(key)", "shape \(formatShape(u.shape)) differs from "
                                        + "expected.\(key) shape \(formatShape(y.shape))")
            }
        }
    }

    /// Parameter and input-shape rules of the engine ops (other ops: none here;
    /// their evaluators throw `FixtureError` for what they cannot use).
    static func check(_ f: FixtureCase) throws {
        switch f.op {
        case "conv2d": try conv2d(f)
        case "batchnorm2d": try batchnorm2d(f)
        case "relu", "relu6": _ = try input(f, "x")
        case "max_pool2d", "avg_pool2d": try pool(f)
        case "adaptive_avg_pool2d", "bilinear_resize":
            _ = try rank(f, "x", 4)
            _ = try outputSize(f)
        case "linear": try linear(f)
        case "softmax", "log_softmax":
            _ = try rank(f, "x", 2)
            guard try number(f, "temperature") > 0 else { throw FixtureFieldError("params.temperature", "must be > 0") }
        case "cross_entropy": try crossEntropy(f)
        default: break
        }
    }

    // MARK: per-op rules

    private static func conv2d(_ f: FixtureCase) throws {
        let x = try rank(f, "x", 4), w = try rank(f, "weight", 4)
        let stride = try int(f, "stride", min: 1), padding = try int(f, "padding", min: 0)
        let groups = try int(f, "groups", min: 1)
        guard w[2] == w[3] else { throw FixtureFieldError("inputs.weight", "kernel must be square, got \(formatShape(w))") }
        guard x[1] == w[1] * groups else {
            throw FixtureFieldError("inputs.weight", "shape \(formatShape(w)) takes \(w[1]) channels per group × "
                                    + "\(groups) groups but inputs.x has \(x[1]) channels")
        }
        guard w[0] % groups == 0 else {
            throw FixtureFieldError("inputs.weight", "\(w[0]) output channels are not divisible by groups \(groups)")
        }
        if let b = f.inputs["bias"], b.shape != [w[0]] {
            throw FixtureFieldError("inputs.bias", "shape \(formatShape(b.shape)) must be [\(w[0])]")
        }
        let c = ConvConfig(stride: stride, padding: padding, groups: groups)
        guard c.outputSize(x[2], kernel: w[2]) >= 1, c.outputSize(x[3], kernel: w[2]) >= 1 else {
            throw FixtureFieldError("inputs.x", "\(formatShape(x)) is smaller than the kernel \(w[2]) with padding \(padding)")
        }
    }

    private static func batchnorm2d(_ f: FixtureCase) throws {
        let x = try rank(f, "x", 4)
        for key in ["weight", "bias", "running_mean", "running_var"] {
            let t = try input(f, key)
            guard t.shape == [x[1]] else {
                throw FixtureFieldError("inputs.\(key)", "shape \(formatShape(t.shape)) must be [\(x[1])], the channels of inputs.x")
            }
        }
        guard case .bool? = f.params["training"] else { throw FixtureFieldError("params.training", "must be true or false") }
        guard try number(f, "eps") > 0 else { throw FixtureFieldError("params.eps", "must be > 0") }
        let m = try number(f, "momentum")
        guard (0...1).contains(m) else { throw FixtureFieldError("params.momentum", "must lie in [0, 1]") }
        if case .bool(true)? = f.params["training"], x[0] * x[2] * x[3] < 2 {
            throw FixtureFieldError("inputs.x", "train mode needs at least 2 values per channel")
        }
    }

    private static func pool(_ f: FixtureCase) throws {
        let x = try rank(f, "x", 4)
        let k = try int(f, "kernel", min: 1), s = try int(f, "stride", min: 1), p = try int(f, "padding", min: 0)
        guard p <= k / 2 else { throw FixtureFieldError("params.padding", "must be at most kernel/2 = \(k / 2)") }
        let c = PoolConfig(kernel: k, stride: s, padding: p)
        guard c.outputSize(x[2]) >= 1, c.outputSize(x[3]) >= 1 else {
            throw FixtureFieldError("inputs.x", "\(formatShape(x)) is smaller than the pooling window \(k)")
        }
    }

    private static func linear(_ f: FixtureCase) throws {
        let x = try rank(f, "x", 2), w = try rank(f, "weight", 2), b = try input(f, "bias")
        guard w[1] == x[1] else {
            throw FixtureFieldError("inputs.weight", "shape \(formatShape(w)) takes \(w[1]) features but inputs.x has \(x[1])")
        }
        guard b.shape == [w[0]] else { throw FixtureFieldError("inputs.bias", "shape \(formatShape(b.shape)) must be [\(w[0])]") }
    }

    private static func crossEntropy(_ f: FixtureCase) throws {
        let z = try rank(f, "logits", 2), labels = try input(f, "labels")
        guard labels.shape == [z[0]] else {
            throw FixtureFieldError("inputs.labels", "shape \(formatShape(labels.shape)) must be [\(z[0])], the rows of inputs.logits")
        }
        for (i, v) in labels.data.enumerated() where !(v == v.rounded() && v >= 0 && Int(v) < z[1]) {
            throw FixtureFieldError("inputs.labels", "data[\(i)] = \(v) is not a class index in 0..<\(z[1])")
        }
        let eps = try number(f, "label_smoothing")
        guard (0...1).contains(eps) else { throw FixtureFieldError("params.label_smoothing", "must lie in [0, 1]") }
    }

    // MARK: helpers

    private static func input(_ f: FixtureCase, _ key: String) throws -> Tensor {
        guard let t = f.inputs[key] else { throw FixtureFieldError("inputs.\(key)", "missing") }
        return t
    }

    private static func rank(_ f: FixtureCase, _ key: String, _ r: Int) throws -> [Int] {
        let t = try input(f, key)
        guard t.rank == r else { throw FixtureFieldError("inputs.\(key)", "shape \(formatShape(t.shape)) must have rank \(r)") }
        return t.shape
    }

    private static func number(_ f: FixtureCase, _ key: String) throws -> Double {
        switch f.params[key] {
        case .number(let v)?: return v
        case nil: throw FixtureFieldError("params.\(key)", "missing")
        default: throw FixtureFieldError("params.\(key)", "must be a number")
        }
    }

    private static func int(_ f: FixtureCase, _ key: String, min: Int) throws -> Int {
        let v = try number(f, key)
        guard v == v.rounded(), v >= Double(min), v < 1e6 else {
            throw FixtureFieldError("params.\(key)", "must be an integer ≥ \(min), got \(v)")
        }
        return Int(v)
    }

    /// `output_size`: `[h, w]` of positive integers (a single number means square).
    static func outputSize(_ f: FixtureCase) throws -> (h: Int, w: Int) {
        let field = "params.output_size"
        func positive(_ p: FixtureParam) throws -> Int {
            guard case .number(let v) = p, v == v.rounded(), v >= 1, v < 1e6 else {
                throw FixtureFieldError(field, "must hold positive integers")
            }
            return Int(v)
        }
        switch f.params["output_size"] {
        case .list(let items)? where items.count == 2: return (try positive(items[0]), try positive(items[1]))
        case .number? : let n = try positive(f.params["output_size"]!); return (n, n)
        case nil: throw FixtureFieldError(field, "missing")
        default: throw FixtureFieldError(field, "must be [h, w]")
        }
    }
}
