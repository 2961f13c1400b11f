// Golden-fixture evaluator for the related methods with trainable parts (ops `fitnet_hint`,
// `crd_loss`; Fixtures/losses/{fitnet,crd}_*.json from Fixtures/generators/related_objectives.py).

import TensorCore
import NN

/// Evaluates the FitNets and CRD fixtures through the objectives' own code paths
/// (`FitNetObjective.makeRegressor` + `hint`, `CRDObjective.contrast` + `ContrastMemory.update`):
/// - `fitnet_hint`: params `kernel`, `stride`, `padding` (checked against the regressor the shapes
///   give); inputs `student`, `teacher`, `conv_weight`, `conv_bias`, `bn_weight`, `bn_bias`; outputs
///   `loss`, `grad.<each but teacher>`, `running_mean`, `running_var` (after the train-mode forward).
/// - `crd_loss`: params `temperature`, `momentum`, `nce_k`; inputs `student [N,D_s]`, `teacher [N,D_t]`,
///   `embed_{s,t}_{weight,bias}`, `memory_v1`, `memory_v2` `[n,F]`, `indices [N]`,
///   `contrast_idx [N,K+1]`, optional `normalization [2]` (absent = unset); outputs `loss`, `s_loss`,
///   `t_loss`, `grad.student`, `grad.embed_*`, `memory_v1_after`, `memory_v2_after`, `normalization`.
public enum RelatedObjectiveFixtures: FixtureEvaluator {
    public static let ops: Set<String> = ["fitnet_hint", "crd_loss"]

    public static func evaluate(_ fixture: FixtureCase, engine: any Kernels) throws -> [String: Tensor] {
        switch fixture.op {
        case "fitnet_hint": return try fitnet(fixture, engine: engine)
        case "crd_loss": return try crd(fixture, engine: engine)
        default: throw FixtureError("\(fixture.name): op \(fixture.op) is not a related-objective op")
        }
    }

    static func fitnet(_ fixture: FixtureCase, engine: any Kernels) throws -> [String: Tensor] {
        let s = try fixture.input("student"), t = try fixture.input("teacher")
        guard s.rank == 4, t.rank == 4, s.shape[0] == t.shape[0] else {
            throw FixtureError("\(fixture.name): inputs.student \(s.shape) and inputs.teacher \(t.shape) must be [N,C,H,W]")
        }
        var rng = SeededRNG(seed: 0)
        let regressor: Sequential
        do { regressor = try FitNetObjective.makeRegressor(student: s.shape, teacher: t.shape, rng: &rng) } catch {
            throw FixtureError("\(fixture.name): \(error)")
        }
        guard let conv = regressor.layers[0] as? Conv2d, let bn = regressor.layers[1] as? BatchNorm2d else {
            throw FixtureError("\(fixture.name): the regressor is not conv → BN → ReLU")
        }
        guard conv.kernelSize == (try fixture.int("kernel")), conv.config.stride == (try fixture.int("stride")),
              conv.config.padding == (try fixture.int("padding")) else {
            throw FixtureError("\(fixture.name): params kernel/stride/padding differ from ConvReg's choice for these shapes")
        }
        for (p, key) in [(conv.weight, "conv_weight"), (conv.bias!, "conv_bias"), (bn.weight, "bn_weight"), (bn.bias, "bn_bias")] {
            let v = try fixture.input(key)
            guard v.shape == p.value.shape else {
                throw FixtureError("\(fixture.name): inputs.\(key) \(v.shape) must be \(p.value.shape)")
            }
            p.value = v
        }
        let r = FitNetObjective.hint(student: s, teacher: t, regressor: regressor, engine: engine)
        let g = { (name: String) in r.dParameters["fitnet.regressor.\(name)"]! }
        return ["loss": Tensor(shape: [], data: [r.value]), "grad.student": r.dStudent,
                "grad.conv_weight": g("conv.weight"), "grad.conv_bias": g("conv.bias"),
                "grad.bn_weight": g("bn.weight"), "grad.bn_bias": g("bn.bias"),
                "running_mean": bn.runningMean.value, "running_var": bn.runningVar.value]
    }

    static func crd(_ fixture: FixtureCase, engine: any Kernels) throws -> [String: Tensor] {
        let fs = try fixture.input("student"), ft = try fixture.input("teacher")
        let m1 = try fixture.input("memory_v1"), m2 = try fixture.input("memory_v2")
        guard fs.rank == 2, ft.rank == 2, fs.shape[0] == ft.shape[0], m1.rank == 2, m1.shape == m2.shape else {
            throw FixtureError("\(fixture.name): inputs.student/teacher must be [N,D] and memory_v1/v2 one [n,F]")
        }
        let (n, rows, f) = (fs.shape[0], m1.shape[0], m1.shape[1])
        let positions = try fixture.labels("indices")
        let contrast = try fixture.labels("contrast_idx")
        let k = try fixture.int("nce_k")
        guard positions.count == n, contrast.count == n * (k + 1), (positions + contrast).allSatisfy({ $0 < rows }) else {
            throw FixtureError("\(fixture.name): inputs.indices must hold \(n) and contrast_idx \(n)×\(k + 1) rows below \(rows)")
        }
        var rng = SeededRNG(seed: 0)
        let embedS = Linear("crd.embed_s.linear", inFeatures: fs.shape[1], outFeatures: f, rng: &rng)
        let embedT = Linear("crd.embed_t.linear", inFeatures: ft.shape[1], outFeatures: f, rng: &rng)
        for (p, key) in [(embedS.weight, "embed_s_weight"), (embedS.bias, "embed_s_bias"),
                         (embedT.weight, "embed_t_weight"), (embedT.bias, "embed_t_bias")] {
            let v = try fixture.input(key)
            guard v.shape == p.value.shape else {
                throw FixtureError("\(fixture.name): inputs.\(key) \(v.shape) must be \(p.value.shape)")
            }
            p.value = v
        }
        let memory = ContrastMemory(count: rows, featureDim: f, negatives: k, labels: nil, initRNG: &rng, samplerSeed: 0)
        memory.student.value = m1
        memory.teacher.value = m2
        if let z = fixture.inputs["normalization"] { memory.normalization.value = z }
        let r = CRDObjective.contrast(studentFeatures: fs, teacherFeatures: ft, embedStudent: embedS, embedTeacher: embedT,
                                      memory: memory, indices: contrast.map { Int32($0) },
                                      temperature: Float(try fixture.number("temperature")), engine: engine)
        memory.normalization.value.data = r.normalization
        memory.update(positions: positions, studentValues: r.studentEmbedding, teacherValues: r.teacherEmbedding,
                      momentum: Float(try fixture.number("momentum")))
        return ["loss": Tensor(shape: [], data: [r.value]),
                "s_loss": Tensor(shape: [], data: [r.studentSide]), "t_loss": Tensor(shape: [], data: [r.teacherSide]),
                "grad.student": r.dStudent,
                "grad.embed_s_weight": r.dParameters["crd.embed_s.linear.weight"]!,
                "grad.embed_s_bias": r.dParameters["crd.embed_s.linear.bias"]!,
                "grad.embed_t_weight": r.dParameters["crd.embed_t.linear.weight"]!,
                "grad.embed_t_bias": r.dParameters["crd.embed_t.linear.bias"]!,
                "memory_v1_after": memory.student.value, "memory_v2_after": memory.teacher.value,
                "normalization": memory.normalization.value]
    }
}
