// Golden-fixture evaluator for the KD loss (op `kd_loss`, Fixtures/losses/kd_*.json).

import TensorCore

/// Evaluates `kd_loss` fixtures:
/// `loss = ce_weight · CE(z_s, y) + kd_weight · T² · KL_batchmean(softmax(z_t/T) ‖ softmax(z_s/T))`.
///
/// Params: `temperature`, `kd_weight`, `ce_weight`, optional `form` (`"kl"`, the
/// default, or `"soft_ce"`) and `label_smoothing` (default 0). Inputs:
/// `student_logits [N,K]`, `teacher_logits [N,K]`, `labels [N]`. Outputs:
/// `loss` (shape `[]`) and `grad.student_logits`.
/// - Reference: RepDistiller `train_student.py` with `--distill kd -r ce_weight -a kd_weight`.
public enum HintonKDFixtures: FixtureEvaluator {
    public static let ops: Set<String> = ["kd_loss"]

    public static func evaluate(_ fixture: FixtureCase, engine: any Kernels) throws -> [String: Tensor] {
        guard ops.contains(fixture.op) else { throw FixtureError("\(fixture.name): op \(fixture.op) is not a KD op") }
        let temperature = Float(try fixture.number("temperature"))
        let kdWeight = Float(try fixture.number("kd_weight"))
        let ceWeight = Float(try fixture.number("ce_weight"))
        let smoothing = Float(try fixture.number("label_smoothing", default: 0))
        let form = try fixture.string("form", default: "kl")
        let student = try fixture.input("student_logits")
        let teacher = try fixture.input("teacher_logits")
        let labels = try fixture.labels()
        guard temperature > 0 else { throw FixtureError("\(fixture.name): params.temperature must be > 0") }
        guard student.rank == 2, student.shape == teacher.shape else {
            throw FixtureError("\(fixture.name): inputs.student_logits \(student.shape) and "
                               + "inputs.teacher_logits \(teacher.shape) must be equal [N, K]")
        }
        guard labels.count == student.shape[0], labels.allSatisfy({ $0 < student.shape[1] }) else {
            throw FixtureError("\(fixture.name): inputs.labels must hold \(student.shape[0]) indices below \(student.shape[1])")
        }
        let soft: (value: Float, dStudent: Tensor)
        switch form {
        case "kl": soft = HintonKD.klDivergence(student: student, teacher: teacher, temperature: temperature)
        case "soft_ce": soft = HintonKD.softTargetCrossEntropy(student: student, teacher: teacher, temperature: temperature)
        default: throw FixtureError("\(fixture.name): params.form must be \"kl\" or \"soft_ce\", got \"\(form)\"")
        }
        let ce = engine.crossEntropy(student, labels: labels, labelSmoothing: smoothing)
        let loss = ceWeight * ce.loss + kdWeight * soft.value
        let grad = ce.dLogits * ceWeight + soft.dStudent * kdWeight
        return ["loss": Tensor(shape: [], data: [loss]), "grad.student_logits": grad]
    }
}
