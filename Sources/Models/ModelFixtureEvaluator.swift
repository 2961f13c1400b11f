// Golden whole-model fixtures (op "model", Fixtures/models/*.json, generator Fixtures/generators/models.py).

import TensorCore
import NN

/// Evaluates op `model`: params {arch, classes, input, training}; inputs `x`, `labels` and every
/// parameter and BN buffer by state-dict name. Outputs `logits`, `loss` (mean cross-entropy),
/// `tap.<stage>`, `grad.x` and `grad.<param>` of `loss + Σ_k Σ tap_k ⊙ upstream[tap.k]`, and in
/// train mode the updated running statistics `updated.<buffer>`.
public enum ModelFixtureEvaluator: FixtureEvaluator {
    public static let ops: Set<String> = ["model"]

    public static func evaluate(_ fixture: FixtureCase, engine: any Kernels) throws -> [String: Tensor] {
        let arch = try fixture.string("arch")
        let classes = try fixture.int("classes")
        let input = try fixture.int("input")
        let training = try fixture.bool("training")
        var rng = SeededRNG(seed: 0)
        let model: TappedNetwork
        do {
            model = try ModelZoo.build(ModelSpec(parsing: arch), classes: classes, input: input, rng: &rng)
        } catch {
            throw FixtureError("\(fixture.name): params.arch: \(error)")
        }
        try load(model, from: fixture)
        let x = try fixture.input("x")
        let labels = try fixture.labels()
        guard x.rank == 4, x.shape[1] == 3, x.shape[0] == labels.count else {
            throw FixtureError("\(fixture.name): inputs.x \(x.shape) must be [N,3,H,W] with N = \(labels.count) labels")
        }
        guard labels.allSatisfy({ $0 < classes }) else {
            throw FixtureError("\(fixture.name): inputs.labels must lie in 0..<\(classes)")
        }
        let ctx = ForwardContext(engine: engine, training: training)
        let out = model.forward(x, ctx)
        let (loss, dLogits) = engine.crossEntropy(out.logits, labels: labels, labelSmoothing: 0)
        let dTaps = try out.taps.map { tap -> Tensor? in
            guard let u = fixture.upstream["tap.\(tap.name)"] else { return nil }
            guard u.shape == tap.value.shape else {
                throw FixtureError("\(fixture.name): upstream.tap.\(tap.name) \(u.shape) vs tap \(tap.value.shape)")
            }
            return u
        }
        model.zeroGrad()
        let dx = out.backward(dLogits, dTaps)

        var result: [String: Tensor] = ["logits": out.logits, "loss": Tensor(shape: [], data: [loss]), "grad.x": dx]
        for tap in out.taps { result["tap.\(tap.name)"] = tap.value }
        for p in model.parameters { result["grad.\(p.name)"] = p.grad }
        if training {
            for b in model.buffers { result["updated.\(b.name)"] = b.value }
        }
        return result
    }

    /// Copies every parameter and buffer from the fixture inputs; a missing, misshapen or
    /// unused tensor is an error naming it.
    static func load(_ model: TappedNetwork, from fixture: FixtureCase) throws {
        var unused = Set(fixture.inputs.keys).subtracting(["x", "labels"])
        let targets: [(String, (Tensor) -> Void, [Int])] =
            model.parameters.map { p in (p.name, { p.value = $0 }, p.value.shape) }
            + model.buffers.map { b in (b.name, { b.value = $0 }, b.value.shape) }
        for (name, set, shape) in targets {
            guard let t = fixture.inputs[name] else { throw FixtureError("\(fixture.name): missing inputs.\(name)") }
            guard t.shape == shape else {
                throw FixtureError("\(fixture.name): inputs.\(name) has shape \(t.shape), the model needs \(shape)")
            }
            set(t)
            unused.remove(name)
        }
        if let extra = unused.sorted().first {
            throw FixtureError("\(fixture.name): inputs.\(extra) is not a tensor of \(model.name)")
        }
    }
}
