// The frozen teacher's outputs on one seed's training batches, computed once and
// shared by every distillation arm of that seed (they see the same batches).

import TensorCore
import Objectives
import ZagoruykoAT

/// Teacher logits and attention targets per training batch, keyed by (epoch, batch, batch size)
/// and checked against the batch's labels, plus the teacher's test-split predictions.
///
/// Arms of one seed draw the same batches (`DataProvider.trainBatches` depends only on seed,
/// epoch and sample), and the teacher is frozen in eval mode, so its outputs on batch (e, b) are
/// the same in every arm: the `kd` arm computes them, `at` and `atkd` reuse them. What is kept is
/// exactly what the objectives read — the logits and `ZagoruykoAT.teacherTarget` of every tap
/// pair (`[N, 1, H, W]` per tap, not the teacher's much larger feature maps) — so a run gives the
/// same numbers, bit for bit, with or without the cache, and after a resume that starts with an
/// empty one. Entries stop being added beyond `capacityBytes`.
public final class TeacherOutputCache {
    public let atOptions: ATLossOptions
    public let capacityBytes: Int
    public private(set) var bytes = 0
    public private(set) var hits = 0
    public private(set) var misses = 0
    /// The teacher's argmax on the test split, in test-batch order (the agreement metric).
    public var testPredictions: [Int]?

    struct Key: Hashable { let epoch: Int, batch: Int, batchSize: Int }
    struct Entry { let labels: [Int]; let outputs: NetworkOutputs }
    private var entries: [Key: Entry] = [:]

    /// 2 GiB by default: two CIFAR-10 epochs of resnet50-w4 → mobilenetv2-half targets are ~0.55 GB.
    public init(atOptions: ATLossOptions, capacityBytes: Int = 2 << 30) {
        self.atOptions = atOptions
        self.capacityBytes = capacityBytes
    }

    /// The teacher's outputs on training batch `batch` of `epoch`: from the cache when an entry
    /// with the same key and labels exists, else `compute()` reduced to logits and attention
    /// targets for student taps of `studentTapShapes` (and kept while under capacity).
    public func outputs(epoch: Int, batch: Int, labels: [Int], studentTapShapes: [[Int]], engine: any Kernels,
                        compute: () -> NetworkOutputs) -> NetworkOutputs {
        let key = Key(epoch: epoch, batch: batch, batchSize: labels.count)
        if let hit = entries[key], hit.labels == labels { hits += 1; return hit.outputs }
        misses += 1
        let full = compute()
        guard full.taps.count == studentTapShapes.count else { return full }  // no AT pairing: keep the taps
        let targets = ATObjective.teacherTargets(student: studentTapShapes, teacher: full.taps,
                                                 options: atOptions, engine: engine)
        let compact = NetworkOutputs(logits: full.logits, taps: [], attentionTargets: targets,
                                     attentionTargetOptions: atOptions)
        let size = 4 * (compact.logits.count + targets.reduce(0) { $0 + $1.count }) + 8 * labels.count
        if bytes + size <= capacityBytes {
            entries[key] = Entry(labels: labels, outputs: compact)
            bytes += size
        }
        return compact
    }
}
