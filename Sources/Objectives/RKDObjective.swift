// `rkd`: relational knowledge distillation on the embeddings, `ce + β·(w_d·distance + w_a·angle)`.

import TensorCore
import RelatedMethods

/// Terms `ce` (weight 1), `rkd_distance` (weight β·w_d) and `rkd_angle` (weight β·w_a) on the
/// student and teacher embeddings `[N, D_s]`, `[N, D_t]` (pooled penultimate features):
///
///     distance = (1/N²) Σ_{i,j} h(d_ij/μ − d^t_ij/μ_t),   angle = (1/N³) Σ_{a,b,c} h(A_abc − A^t_abc)
///
/// with `d` pairwise distances, μ their off-diagonal mean, `A` cosines of difference vectors and
/// `h` smooth-L1. Values and gradients are `RelatedMethods.RKD.terms` (golden-tested).
/// Defaults: β = 1, w_d = 25, w_a = 50 (RepDistiller `RKDLoss(w_d=25, w_a=50)`, `-a 0 -b 1`, on
/// `feat[-1]`; mdistiller `cfg.RKD`: CE 1.0, FEAT 1.0, DISTANCE 25, ANGLE 50).
/// - Paper: Park et al. 2019, §3.2, distance-wise and angle-wise potentials with the Huber loss.
/// - Reference: RepDistiller `distiller_zoo/RKD.py::RKDLoss` on `feat_s[-1]`, `feat_t[-1]`.
/// - Deviation: see `RKD.loss` (means over all N² / N³ tuples as the code, not over distinct ones).
public struct RKDObjective: Objective {
    public let name = "rkd"
    public let needsTeacher = true
    public var ce: CrossEntropyObjective
    /// β on the relational loss.
    public var weight: Float
    public var distanceWeight: Float
    public var angleWeight: Float

    public init(ceWeight: Float, weight: Float, distanceWeight: Float, angleWeight: Float,
                labelSmoothing: Float, engine: any Kernels) {
        ce = CrossEntropyObjective(ceWeight: ceWeight, labelSmoothing: labelSmoothing, engine: engine)
        self.weight = weight; self.distanceWeight = distanceWeight; self.angleWeight = angleWeight
    }

    public var teacherNeeds: TeacherNeeds { TeacherNeeds(embedding: true) }

    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, labels: [Int]) -> [LossTerm] {
        guard let teacher else { preconditionFailure("objective \(name) needs the teacher's outputs") }
        let (s, t) = embeddings(student, teacher, objective: name)
        let r = RKD.terms(student: s, teacher: t)
        return [ce.term(logits: student.logits, labels: labels),
                LossTerm(name: "rkd_distance", weight: weight * distanceWeight, value: r.distance, dLogits: nil,
                         dEmbedding: r.dDistance),
                LossTerm(name: "rkd_angle", weight: weight * angleWeight, value: r.angle, dLogits: nil,
                         dEmbedding: r.dAngle)]
    }
}

/// The student's and teacher's embeddings, or a failure naming the objective that needs them.
func embeddings(_ student: NetworkOutputs, _ teacher: NetworkOutputs, objective: String) -> (Tensor, Tensor) {
    guard let s = student.embedding else { preconditionFailure("objective \(objective) needs the student's embedding") }
    guard let t = teacher.embedding else { preconditionFailure("objective \(objective) needs the teacher's embedding") }
    return (s, t)
}
