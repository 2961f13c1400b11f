// `crd` and `crdkd`: contrastive representation distillation with RepDistiller's embedding heads
// and memory bank, `ce + β·crd` (and `+ α·kd` for CRD+KD).

import TensorCore
import NN
import HintonKD
import RelatedMethods

/// Terms `ce` (weight 1), `crd` (weight β) and, for `crdkd`, `kd` (weight α, temperature T):
///
///     v_s = normalise(W_s·f_s + b_s),  v_t = normalise(W_t·f_t + b_t)       (embed heads, F = 128)
///     crd = L(v_s; M_t) + L(v_t; M_s)        (NCE with K negatives from the memory, `RelatedMethods.CRD`)
///
/// on the student's and teacher's embeddings f (pooled penultimate features, `feat[-1]`). After
/// the loss, the batch's memory rows move towards v_s, v_t with momentum m. The heads are trained
/// with the student by the same SGD (same learning rate, momentum and weight decay: RepDistiller's
/// `trainable_list` holds `embed_s`, `embed_t`); the teacher network itself stays frozen.
/// Defaults (RepDistiller `train_student.py`): β 0.8 (`--distill crd -a 0 -b 0.8`), F 128
/// (`--feat_dim`), K 16384 (`--nce_k`), τ 0.07 (`--nce_t`), m 0.5 (`--nce_m`), `mode='exact'`;
/// CRD+KD `-a 1 -b 0.8`: α 1 on `DistillKL(T = 4)`, CE weight `-r 1`.
/// - Paper: Tian, Krishnan & Isola 2020 (ICLR), §3 eqs. (10)–(18), Table 1 "CRD" and "CRD+KD".
/// - Reference: RepDistiller `crd/criterion.py::CRDLoss` (`Embed` = linear + `Normalize(2)`),
///   `crd/memory.py::ContrastMemory`, `dataset/cifar100.py::CIFAR100InstanceSample`.
/// - Deviation: negatives come from this run's own RNG stream (see `ContrastMemory`); the heads'
///   linear layers use PyTorch's default initialisation law from that stream. The memory holds one
///   row per training image of this run's data (`n_data`), 2·n·F floats in the checkpoint.
public final class CRDObjective: Objective {
    public let name: String
    public let needsTeacher = true
    public let ce: CrossEntropyObjective
    /// `kd` term of `crdkd`; nil for `crd`.
    public let kd: KDObjective?
    /// β on the contrastive term.
    public let weight: Float
    public let featureDim: Int
    public let negatives: Int
    /// τ of the scores.
    public let temperature: Float
    public let momentum: Float
    public let engine: any Kernels
    public private(set) var embedStudent: Linear?
    public private(set) var embedTeacher: Linear?
    public private(set) var memory: ContrastMemory?

    public init(name: String = "crd", ceWeight: Float, weight: Float, featureDim: Int, negatives: Int,
                temperature: Float, momentum: Float, kd: KDObjective? = nil, labelSmoothing: Float,
                engine: any Kernels) {
        self.name = name
        ce = CrossEntropyObjective(ceWeight: ceWeight, labelSmoothing: labelSmoothing, engine: engine)
        self.kd = kd; self.weight = weight; self.featureDim = featureDim; self.negatives = negatives
        self.temperature = temperature; self.momentum = momentum; self.engine = engine
    }

    public var teacherNeeds: TeacherNeeds { TeacherNeeds(embedding: true) }
    public var needsSetup: Bool { true }
    public var parameters: [Parameter] { (embedStudent?.parameters ?? []) + (embedTeacher?.parameters ?? []) }
    public var buffers: [Buffer] { memory?.buffers ?? [] }
    public func stateRecord() -> [String: String] { memory.map { ["crd.sampler_rng": $0.rngRecord] } ?? [:] }
    public func restore(stateRecord: [String: String]) throws {
        guard let memory else { return }
        guard let r = stateRecord["crd.sampler_rng"] else {
            throw ObjectiveSetupError("crd: the checkpoint holds no sampler state (crd.sampler_rng)")
        }
        try memory.restoreRNG(r)
    }

    /// Heads `D_s → F`, `D_t → F` and the memory, from streams of the run's seed (heads first, then
    /// memory_v1, memory_v2 — RepDistiller's construction order).
    public func prepare(_ setup: ObjectiveSetup) throws {
        guard setup.trainCount >= 2 else {
            throw ObjectiveSetupError("crd: \(setup.trainCount) training images; the memory needs at least 2")
        }
        var rng = SeededRNG(seed: mixSeed64(setup.seed, 0xC4D))
        embedStudent = Linear("crd.embed_s.linear", inFeatures: setup.studentEmbeddingWidth, outFeatures: featureDim, rng: &rng)
        embedTeacher = Linear("crd.embed_t.linear", inFeatures: setup.teacherEmbeddingWidth, outFeatures: featureDim, rng: &rng)
        memory = ContrastMemory(count: setup.trainCount, featureDim: featureDim, negatives: negatives,
                                labels: setup.trainLabels, initRNG: &rng, samplerSeed: mixSeed64(setup.seed, 0xC4D5))
    }

    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, labels: [Int]) -> [LossTerm] {
        preconditionFailure("objective \(name) needs each sample's index: call terms(student:teacher:batch:)")
    }

    /// NOTE: not a pure function: it advances the sampler and moves the memory rows of the batch.
    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, batch: ObjectiveBatch) -> [LossTerm] {
        guard let teacher else { preconditionFailure("objective \(name) needs the teacher's outputs") }
        guard let embedStudent, let embedTeacher, let memory else {
            preconditionFailure("objective \(name): prepare(_:) has not built the heads and memory")
        }
        guard let positions = batch.indices else {
            preconditionFailure("objective \(name) needs each sample's training index (the data provides none)")
        }
        let (fs, ft) = embeddings(student, teacher, objective: name)
        let indices = memory.sample(positions: positions, labels: batch.labels)
        let r = Self.contrast(studentFeatures: fs, teacherFeatures: ft, embedStudent: embedStudent,
                              embedTeacher: embedTeacher, memory: memory, indices: indices,
                              temperature: temperature, engine: engine)
        memory.normalization.value.data = r.normalization
        memory.update(positions: positions, studentValues: r.studentEmbedding, teacherValues: r.teacherEmbedding,
                      momentum: momentum)
        var out = [ce.term(logits: student.logits, labels: batch.labels)]
        if let kd { out.append(kd.kdTerm(student: student.logits, teacher: teacher.logits)) }
        out.append(LossTerm(name: "crd", weight: weight, value: r.value, dLogits: nil, dEmbedding: r.dStudent,
                            dParameters: r.dParameters))
        return out
    }

    /// The contrastive loss through both heads against the memory at `indices` (pure: memory and
    /// normalisation are read, not written) and its two sides (student anchor against the teacher
    /// memory, teacher anchor against the student memory), its gradient w.r.t. the student features
    /// and the heads' parameters, the normalised embeddings (for the memory update) and the Z used.
    public static func contrast(studentFeatures fs: Tensor, teacherFeatures ft: Tensor, embedStudent: Linear,
                                embedTeacher: Linear, memory: ContrastMemory, indices: [Int32], temperature: Float,
                                engine: any Kernels)
        -> (value: Float, studentSide: Float, teacherSide: Float, dStudent: Tensor, dParameters: [String: Tensor],
            studentEmbedding: Tensor, teacherEmbedding: Tensor, normalization: [Float]) {
        let ctx = ForwardContext(engine: engine, training: true)
        let (us, linS) = embedStudent.forward(fs, ctx), (ut, linT) = embedTeacher.forward(ft, ctx)
        let (vs, normS) = CRD.l2Normalize(us), (vt, normT) = CRD.l2Normalize(ut)
        let z = memory.normalization.value.data
        let s = CRD.side(anchor: vs, memory: memory.teacher.value, indices: indices, temperature: temperature,
                         normalization: z[0], engine: engine)
        let t = CRD.side(anchor: vt, memory: memory.student.value, indices: indices, temperature: temperature,
                         normalization: z[1], engine: engine)
        var dfs = Tensor(zeros: fs.shape)
        let dParameters = collectGradients(embedStudent.parameters + embedTeacher.parameters) {
            dfs = linS(normS(s.dAnchor))
            _ = linT(normT(t.dAnchor))
        }
        return (s.value + t.value, s.value, t.value, dfs, dParameters, vs, vt, [s.normalization, t.normalization])
    }
}
