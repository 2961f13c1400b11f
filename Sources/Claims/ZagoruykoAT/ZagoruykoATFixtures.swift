// Golden-fixture evaluator for attention maps and the AT loss
// (ops `at_map`, `at_loss`, Fixtures/losses/at_*.json).

import TensorCore

/// Evaluates `at_map` and `at_loss` fixtures.
///
/// - `at_map`: params `p`, `form` (`"code"` = channel mean, `"paper"` = channel sum,
///   `"max"` = channel max); input `x [N,C,H,W]`; outputs `map [N, H·W]` (normalised) and,
///   with `upstream.map`, `grad.x` = gradient of `Σ map ⊙ upstream.map`.
/// - `at_loss`: params `beta`, `p`, `resize` (`"none"`, `"avgpool"`, `"bilinear"`), optional
///   `form` (`"code"` default, `"paper"`) and `reduction` (`"mean"` default, `"sum"`, `"max"`);
///   inputs `student`, `teacher`; outputs `loss = β · at` (shape `[]`) and `grad.student`.
/// - Reference: RepDistiller `distiller_zoo/AT.py` (`at`, `at_loss`).
public enum ZagoruykoATFixtures: FixtureEvaluator {
    public static let ops: Set<String> = ["at_map", "at_loss"]

    public static func evaluate(_ fixture: FixtureCase, engine: any Kernels) throws -> [String: Tensor] {
        let p = Float(try fixture.number("p", default: Double(ATLossOptions.authorsCode.p)))
        guard p >= 1 else { throw FixtureError("\(fixture.name): params.p must be ≥ 1") }
        switch fixture.op {
        case "at_map":
            let x = try fixture.input("x")
            guard x.rank == 4 else { throw FixtureError("\(fixture.name): inputs.x must be [N, C, H, W], got \(x.shape)") }
            let reduction: ATChannelReduction
            switch try fixture.string("form", default: "code") {
            case "code": reduction = .mean
            case "paper": reduction = .sum
            case "max": reduction = .max
            case let other: throw FixtureError("\(fixture.name): params.form must be code, paper or max, got \"\(other)\"")
            }
            let (map, pullback) = ZagoruykoAT.attentionMap(x, p: p, reduction: reduction)
            var out = ["map": map]
            if let up = fixture.upstream["map"] {
                guard up.count == map.count else {
                    throw FixtureError("\(fixture.name): upstream.map has \(up.count) values, map has \(map.count)")
                }
                out["grad.x"] = pullback(up)
            }
            return out
        case "at_loss":
            let beta = Float(try fixture.number("beta"))
            let student = try fixture.input("student"), teacher = try fixture.input("teacher")
            guard student.rank == 4, teacher.rank == 4, student.shape[0] == teacher.shape[0] else {
                throw FixtureError("\(fixture.name): inputs.student \(student.shape) and inputs.teacher "
                                   + "\(teacher.shape) must be [N, C, H, W] with equal N")
            }
            let options = ATLossOptions(
                p: p,
                reduction: try parse(ATChannelReduction.self, fixture, "reduction", default: "mean"),
                form: try parse(ATLossForm.self, fixture, "form", default: "code"),
                spatialMatch: try parse(ATSpatialMatch.self, fixture, "resize", default: "none"))
            let (hs, ws, ht, wt) = (student.shape[2], student.shape[3], teacher.shape[2], teacher.shape[3])
            if hs != ht || ws != wt {
                guard options.spatialMatch != .none else {
                    throw FixtureError("\(fixture.name): tap sizes differ but params.resize is none")
                }
                guard (hs >= ht && ws >= wt) || (ht >= hs && wt >= ws) else {
                    throw FixtureError("\(fixture.name): neither tap is larger on both axes")
                }
            }
            let (value, grad) = ZagoruykoAT.loss(student: student, teacher: teacher, options: options, engine: engine)
            return ["loss": Tensor(shape: [], data: [beta * value]), "grad.student": grad * beta]
        default:
            throw FixtureError("\(fixture.name): op \(fixture.op) is not an attention-transfer op")
        }
    }

    static func parse<E: RawRepresentable>(_ type: E.Type, _ fixture: FixtureCase, _ key: String,
                                           default value: String) throws -> E where E.RawValue == String {
        let raw = try fixture.string(key, default: value)
        guard let e = E(rawValue: raw) else { throw FixtureError("\(fixture.name): params.\(key) \"\(raw)\" is not known") }
        return e
    }
}
