// Golden-fixture evaluator for the related methods (ops `dkd_loss`, `rkd_loss`, `sp_loss`,
// `pkt_loss`; Fixtures/losses/{dkd,rkd,sp,pkt}_*.json from Fixtures/generators/related_methods.py).

import TensorCore

/// Evaluates the related-method fixtures. Every op outputs `loss` (shape `[]`) and the gradient
/// of it w.r.t. the student input:
/// - `dkd_loss`: params `alpha`, `beta`, `temperature`; inputs `student_logits [N,K]`,
///   `teacher_logits [N,K]`, `labels [N]`; also outputs the unweighted parts `tckd`, `nckd`;
///   gradient `grad.student_logits`.
/// - `rkd_loss`: params `distance_weight`, `angle_weight`; inputs `student [N,…]`, `teacher [N,…]`;
///   also outputs the unweighted parts `distance`, `angle`; gradient `grad.student`.
/// - `sp_loss`: no params; inputs `student`, `teacher` `[N,…]`; gradient `grad.student`.
/// - `pkt_loss`: optional param `eps` (default 1e-7); inputs `student [N,D_s]`, `teacher [N,D_t]`;
///   gradient `grad.student`.
/// Malformed inputs throw a `FixtureError` naming the field instead of tripping a precondition.
public enum RelatedMethodsFixtures: FixtureEvaluator {
    public static let ops: Set<String> = ["dkd_loss", "rkd_loss", "sp_loss", "pkt_loss"]

    public static func evaluate(_ fixture: FixtureCase, engine: any Kernels) throws -> [String: Tensor] {
        switch fixture.op {
        case "dkd_loss":
            let student = try fixture.input("student_logits"), teacher = try fixture.input("teacher_logits")
            let labels = try fixture.labels()
            let alpha = Float(try fixture.number("alpha")), beta = Float(try fixture.number("beta"))
            let temperature = Float(try fixture.number("temperature"))
            guard temperature > 0, temperature.isFinite else {
                throw FixtureError("\(fixture.name): params.temperature must be > 0")
            }
            guard student.rank == 2, student.shape == teacher.shape, student.shape[0] > 0, student.shape[1] >= 2 else {
                throw FixtureError("\(fixture.name): inputs.student_logits \(student.shape) and "
                                   + "inputs.teacher_logits \(teacher.shape) must be equal [N, K] with K ≥ 2")
            }
            guard labels.count == student.shape[0], labels.allSatisfy({ $0 < student.shape[1] }) else {
                throw FixtureError("\(fixture.name): inputs.labels must hold \(student.shape[0]) indices below \(student.shape[1])")
            }
            let total = DKD.loss(student: student, teacher: teacher, labels: labels,
                                 alpha: alpha, beta: beta, temperature: temperature)
            let parts = DKD.terms(student: student, teacher: teacher, labels: labels, temperature: temperature)
            return ["loss": scalar(total.value), "tckd": scalar(parts.tckd), "nckd": scalar(parts.nckd),
                    "grad.student_logits": total.dStudent]
        case "rkd_loss":
            let (student, teacher) = try pair(fixture, minimumBatch: 2)
            let wd = Float(try fixture.number("distance_weight")), wa = Float(try fixture.number("angle_weight"))
            let total = RKD.loss(student: student, teacher: teacher, distanceWeight: wd, angleWeight: wa)
            let parts = RKD.terms(student: student, teacher: teacher)
            return ["loss": scalar(total.value), "distance": scalar(parts.distance), "angle": scalar(parts.angle),
                    "grad.student": total.dStudent]
        case "sp_loss":
            let (student, teacher) = try pair(fixture, minimumBatch: 1)
            let r = SP.loss(student: student, teacher: teacher)
            return ["loss": scalar(r.value), "grad.student": r.dStudent]
        case "pkt_loss":
            let (student, teacher) = try pair(fixture, minimumBatch: 1)
            guard student.rank == 2, teacher.rank == 2 else {
                throw FixtureError("\(fixture.name): inputs.student \(student.shape) and inputs.teacher "
                                   + "\(teacher.shape) must be embeddings [N, D]")
            }
            let eps = try fixture.number("eps", default: 1e-7)
            guard eps > 0, eps.isFinite else { throw FixtureError("\(fixture.name): params.eps must be > 0") }
            let r = PKT.loss(student: student, teacher: teacher, epsilon: eps)
            return ["loss": scalar(r.value), "grad.student": r.dStudent]
        default:
            throw FixtureError("\(fixture.name): op \(fixture.op) is not a related-method op")
        }
    }

    static func scalar(_ v: Float) -> Tensor { Tensor(shape: [], data: [v]) }

    /// `inputs.student` and `inputs.teacher`: non-empty `[N, …]` batches of one N, at least `minimumBatch`.
    static func pair(_ fixture: FixtureCase, minimumBatch: Int) throws -> (Tensor, Tensor) {
        let student = try fixture.input("student"), teacher = try fixture.input("teacher")
        guard student.rank >= 2, teacher.rank >= 2, student.count > 0, teacher.count > 0,
              student.shape[0] == teacher.shape[0], student.shape[0] >= minimumBatch else {
            throw FixtureError("\(fixture.name): inputs.student \(student.shape) and inputs.teacher \(teacher.shape) "
                               + "must be non-empty [N, …] batches with the same N ≥ \(minimumBatch)")
        }
        return (student, teacher)
    }
}
