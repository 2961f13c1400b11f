// The loss contract: every method returns named terms; the trainer sums and
// logs them without knowing which method it runs.

import TensorCore
import NN
import ZagoruykoAT
import RelatedMethods

/// One named loss term with its weight and its gradients.
///
/// `value` is unweighted; `dLogits`, `dTaps`, `dEmbedding` and `dParameters` are gradients of
/// `value` (unweighted) w.r.t. the student's logits, taps and embedding and w.r.t. the objective's
/// own parameters (by `Parameter.name`). The trainer adds `weight · value` to the total and
/// `weight ·` each gradient to backward (and to the objective parameters' `grad`).
public struct LossTerm {
    public var name: String
    public var weight: Float
    public var value: Float
    public var dLogits: Tensor?
    /// Same order as the student's taps; nil where the term puts no gradient.
    public var dTaps: [Tensor?]
    /// Gradient on the student's embedding `[N, D]` (RKD, PKT, CRD); nil = none.
    public var dEmbedding: Tensor?
    /// Gradients on the objective's trainable parts, keyed by parameter name (FitNets' regressor,
    /// CRD's embedding heads); absent = none.
    public var dParameters: [String: Tensor]
    public init(name: String, weight: Float, value: Float, dLogits: Tensor?, dTaps: [Tensor?] = [],
                dEmbedding: Tensor? = nil, dParameters: [String: Tensor] = [:]) {
        self.name = name; self.weight = weight; self.value = value; self.dLogits = dLogits; self.dTaps = dTaps
        self.dEmbedding = dEmbedding; self.dParameters = dParameters
    }
}

/// What an objective sees of a network's forward pass.
///
/// For a teacher, `attentionTargets` may stand in for `taps`: the teacher's normalised attention
/// maps per tap (`ZagoruykoAT.teacherTarget`), computed with `attentionTargetOptions`. AT objectives
/// use them when their own options are the same, which gives exactly the loss the taps would give
/// (`TeacherOutputCache` keeps these instead of the much larger taps). Likewise `keptTaps` may stand
/// in for `taps`: only the taps a method reads (`TeacherNeeds.taps`), keyed by the index asked for.
public struct NetworkOutputs {
    public var logits: Tensor
    public var taps: [Tensor]
    public var attentionTargets: [Tensor]?
    public var attentionTargetOptions: ATLossOptions?
    /// The pooled penultimate feature `[N, D]` (`ModelForward.embedding`); nil when not kept.
    public var embedding: Tensor?
    /// Taps kept by index when `taps` is not (negative = from the end, as asked in `TeacherNeeds`).
    public var keptTaps: [Int: Tensor]
    /// SP's `G_t` of the last tap, when kept instead of the tap (`TeacherNeeds.lastTapSimilarity`).
    public var lastTapSimilarity: SP.Similarity?
    public init(logits: Tensor, taps: [Tensor], attentionTargets: [Tensor]? = nil,
                attentionTargetOptions: ATLossOptions? = nil, embedding: Tensor? = nil, keptTaps: [Int: Tensor] = [:],
                lastTapSimilarity: SP.Similarity? = nil) {
        self.logits = logits; self.taps = taps
        self.attentionTargets = attentionTargets; self.attentionTargetOptions = attentionTargetOptions
        self.embedding = embedding; self.keptTaps = keptTaps; self.lastTapSimilarity = lastTapSimilarity
    }

    /// Tap `index` (negative counts from the end: −1 is the last): from `taps` when they are
    /// present, else from `keptTaps`; nil when neither holds it.
    public func tap(_ index: Int) -> Tensor? {
        if !taps.isEmpty {
            let i = index < 0 ? taps.count + index : index
            return taps.indices.contains(i) ? taps[i] : nil
        }
        return keptTaps[index]
    }
}

/// What a step tells an objective about its batch besides the outputs.
public struct ObjectiveBatch {
    /// Class labels, one per sample.
    public var labels: [Int]
    /// Each sample's position in the training set (`DataProvider` order); nil when the data does
    /// not say (CRD's memory bank needs it).
    public var indices: [Int]?
    /// 0-based epoch and batch within it of this step (DKD's warm-up reads the epoch).
    public var epoch: Int
    public var batch: Int
    public init(labels: [Int], indices: [Int]? = nil, epoch: Int = 0, batch: Int = 0) {
        self.labels = labels; self.indices = indices; self.epoch = epoch; self.batch = batch
    }
}

/// A training objective: CE, KD, AT, AT+KD, DKD, RKD, SP, PKT, FitNets, CRD, …
///
/// The parts beyond `terms` (`Objective+Parts.swift`) have defaults that make an objective
/// parameter-free and stateless, reading the teacher's logits and attention targets — CE, KD, AT
/// and AT+KD use only the defaults.
public protocol Objective {
    /// Registry name (`ce`, `kd`, `at`, `atkd`, …).
    var name: String { get }
    /// Whether it needs the teacher's outputs.
    var needsTeacher: Bool { get }
    /// The named terms for one batch. `teacher` is nil when `needsTeacher` is false.
    func terms(student: NetworkOutputs, teacher: NetworkOutputs?, labels: [Int]) -> [LossTerm]

    /// The named terms for one batch with its indices and position in training (what the trainer
    /// calls). Default: `terms(student:teacher:labels:)`.
    func terms(student: NetworkOutputs, teacher: NetworkOutputs?, batch: ObjectiveBatch) -> [LossTerm]

    /// What of the teacher's forward pass `terms` reads (what `TeacherOutputCache` keeps).
    var teacherNeeds: TeacherNeeds { get }

    /// Whether `prepare` must run before the first step (the objective builds parts sized by the networks).
    var needsSetup: Bool { get }
    /// Builds the trainable parts and state for these networks and this run; called once by the
    /// trainer before its optimiser is made (and before a checkpoint is restored into them).
    func prepare(_ setup: ObjectiveSetup) throws

    /// Trainable parts, optimised with the student by the same SGD (training-only: not in the
    /// student's parameter count or its saved model). Names must not clash with the student's.
    var parameters: [Parameter] { get }
    /// Non-trainable tensors saved in and restored from the run's resumable checkpoint (running
    /// statistics, a memory bank).
    var buffers: [Buffer] { get }
    /// State that is not a tensor (an RNG), as strings saved in the checkpoint's metadata.
    func stateRecord() -> [String: String]
    /// Restores what `stateRecord` saved; throws naming a missing or unreadable entry.
    func restore(stateRecord: [String: String]) throws
}
