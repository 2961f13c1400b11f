// `pkt`: probabilistic knowledge transfer on the embeddings, `ce + β·pkt`.

import TensorCore
import RelatedMethods

/// Terms `ce` (weight 1) and `pkt` (weight β) on the student and teacher embeddings:
///
///     û_i = x_i/(‖x_i‖ + ε),  M = (û·ûᵀ + 1)/2,  Q[i,j] = M_ij/Σ_k M_ik  (P likewise, teacher)
///     pkt = (1/N²) Σ_{i,j} P_ij·log((P_ij + ε)/(Q_ij + ε)),  ε = 1e-7
///
/// Values and gradients are `RelatedMethods.PKT.loss` (golden-tested). Default β = 30000
/// (RepDistiller `--distill pkt -a 0 -b 30000` on `feat[-1]`; mdistiller `cfg.PKT` CE 1.0, FEAT 30000).
/// - Paper: Passalis & Tefas 2018, §3: cosine kernel, conditional probabilities, KL teacher ‖ student.
/// - Reference: RepDistiller `distiller_zoo/PKT.py::PKT.cosine_similarity_loss`.
/// - Deviation: see `PKT.loss` (the code keeps i = j in the normaliser and the mean, as this does).
public struct PKTObjective: Objective {
    public let name = "pkt"
    public let needsTeacher = true
    public var ce: CrossEntropyObjective
    /// β on PKT.
    public var weight: Float

    public init(ceWeight: Float, weight: Float, labelSmoothing: Float, engine: any Kernels) {
        ce = CrossEntropyObjective(ceWeight: ceWeight, labelSmoothing: labelSmoothing, engine: engine)
        self.weight = weight
    }

    public var teacherNeeds: TeacherNeeds { TeacherNeeds(embedding: true) }

    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, labels: [Int]) -> [LossTerm] {
        guard let teacher else { preconditionFailure("objective \(name) needs the teacher's outputs") }
        let (s, t) = embeddings(student, teacher, objective: name)
        let r = PKT.loss(student: s, teacher: t)
        return [ce.term(logits: student.logits, labels: labels),
                LossTerm(name: "pkt", weight: weight, value: r.value, dLogits: nil, dEmbedding: r.dStudent)]
    }
}
