// The parts of the contract beyond the terms: what the teacher must provide, the setup of
// trainable parts, and state that resumes with the run — with the defaults CE/KD/AT/AT+KD use.

import TensorCore
import NN

/// What an objective reads of the teacher's forward pass, so a cache keeps only that.
///
/// The logits are always kept. `attentionTargets` keeps `ZagoruykoAT.teacherTarget` per tap pair
/// (the AT arms; the default, as before issue 22); `embedding` the pooled feature `[N, D_t]`;
/// `taps` the raw teacher taps at these indices (negative = from the end, −1 the last).
public struct TeacherNeeds: Equatable, Sendable {
    public var attentionTargets: Bool
    public var embedding: Bool
    public var taps: [Int]
    /// SP's `G_t` of the last tap (`SP.teacherSimilarity`), N² numbers a batch instead of the tap.
    public var lastTapSimilarity: Bool
    public init(attentionTargets: Bool = false, embedding: Bool = false, taps: [Int] = [],
                lastTapSimilarity: Bool = false) {
        self.attentionTargets = attentionTargets; self.embedding = embedding; self.taps = taps
        self.lastTapSimilarity = lastTapSimilarity
    }

    /// Logits and attention targets: what the cache has kept for every arm before issue 22.
    public static let logitsAndAttentionTargets = TeacherNeeds(attentionTargets: true)
    /// Logits alone (DKD).
    public static let logits = TeacherNeeds()

    /// What is small enough to keep on every entry ahead of need (`TeacherOutputCache.alsoKeep`):
    /// all but the raw taps.
    public var compact: TeacherNeeds {
        TeacherNeeds(attentionTargets: attentionTargets, embedding: embedding, lastTapSimilarity: lastTapSimilarity)
    }

    /// Whether outputs that hold what `self` asks for also hold what `other` asks for.
    public func covers(_ other: TeacherNeeds) -> Bool {
        (attentionTargets || !other.attentionTargets) && (embedding || !other.embedding)
            && (lastTapSimilarity || !other.lastTapSimilarity) && Set(other.taps).isSubset(of: Set(taps))
    }

    /// What both ask for.
    public func intersection(_ other: TeacherNeeds) -> TeacherNeeds {
        TeacherNeeds(attentionTargets: attentionTargets && other.attentionTargets,
                     embedding: embedding && other.embedding, taps: Array(Set(taps).intersection(other.taps)).sorted(),
                     lastTapSimilarity: lastTapSimilarity && other.lastTapSimilarity)
    }

    /// What either asks for.
    public func union(_ other: TeacherNeeds) -> TeacherNeeds {
        TeacherNeeds(attentionTargets: attentionTargets || other.attentionTargets,
                     embedding: embedding || other.embedding, taps: Array(Set(taps).union(other.taps)).sorted(),
                     lastTapSimilarity: lastTapSimilarity || other.lastTapSimilarity)
    }
}

/// The networks and run an objective with trainable parts is built for (`Objective.prepare`):
/// RepDistiller sizes its regressor and embeddings from a forward pass of a 2-image batch.
public struct ObjectiveSetup {
    /// Student and teacher tap shapes `[1, C, H, W]` (from a one-image forward), high to low resolution.
    public var studentTapShapes: [[Int]]
    public var teacherTapShapes: [[Int]]
    /// Widths D of the student's and teacher's embeddings `[N, D]`.
    public var studentEmbeddingWidth: Int
    public var teacherEmbeddingWidth: Int
    /// Images in the training set (CRD's memory has one row per image).
    public var trainCount: Int
    /// The label of each training image in `DataProvider` order, when the data provides them
    /// (CRD draws its negatives from the other classes); nil otherwise.
    public var trainLabels: [Int]?
    /// The run's seed; parts are initialised from a stream derived from it.
    public var seed: UInt64
    public init(studentTapShapes: [[Int]], teacherTapShapes: [[Int]], studentEmbeddingWidth: Int,
                teacherEmbeddingWidth: Int, trainCount: Int, trainLabels: [Int]? = nil, seed: UInt64) {
        self.studentTapShapes = studentTapShapes; self.teacherTapShapes = teacherTapShapes
        self.studentEmbeddingWidth = studentEmbeddingWidth; self.teacherEmbeddingWidth = teacherEmbeddingWidth
        self.trainCount = trainCount; self.trainLabels = trainLabels; self.seed = seed
    }
}

extension Objective {
    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, batch: ObjectiveBatch) -> [LossTerm] {
        terms(student: student, teacher: teacher, labels: batch.labels)
    }
    public var teacherNeeds: TeacherNeeds { .logitsAndAttentionTargets }
    public var needsSetup: Bool { false }
    public func prepare(_ setup: ObjectiveSetup) throws {}
    public var parameters: [Parameter] { [] }
    public var buffers: [Buffer] { [] }
    public func stateRecord() -> [String: String] { [:] }
    public func restore(stateRecord: [String: String]) throws {}

    /// Number of trainable values in `parameters` (the footprint's training-only count).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}

/// Reads the gradients a layer's pullback accumulated into `parameters` and zeroes them again:
/// how an objective returns its parts' gradients unweighted in `LossTerm.dParameters`.
///
/// NOTE: the pullback must start from zeroed gradients (call with `parameters` zeroed, as this
/// leaves them), or earlier accumulations leak into the term.
public func collectGradients(_ parameters: [Parameter], after pullback: () -> Void) -> [String: Tensor] {
    parameters.forEach { $0.zeroGrad() }
    pullback()
    var out: [String: Tensor] = [:]
    for p in parameters { out[p.name] = p.grad }
    parameters.forEach { $0.zeroGrad() }
    return out
}

/// An objective's problem with its setup or state; the message names what is wrong.
public struct ObjectiveSetupError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ d: String) { description = d }
}
