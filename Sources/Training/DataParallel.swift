// One training run over the processes of a group (MPI ranks): each takes its fixed share of every
// global batch, gradients are summed over the group in a fixed order, and every process applies
// the same SGD step to the same weights.

import Foundation
import TensorCore
import NN

/// How a run is spread over a `ProcessGroup`.
///
/// - The global batch B (the spec's `batch_size`) is split in rank order: rank r trains rows
///   r·B/N ..< (r+1)·B/N of the batch a single process would draw (same data order and
///   augmentation); B must divide by N.
/// - Each process's objective is its mean over its B/N images; the gradients are summed over the
///   group and divided by N, which for per-image mean losses (CE, KD, AT, AT+KD, DKD, FitNets)
///   is the gradient of the mean over all B. Losses that couple the images of a batch (RKD, SP,
///   PKT) see each process's share, as under PyTorch's DistributedDataParallel.
/// - Batch norm: per process (the default of most tools: each process normalises its B/N
///   images), or synchronised (`synchronisedBatchNorm`: statistics over all B, so N processes
///   match one to float round-off). Per process, the running statistics are averaged over the
///   group after every step, so every process holds the same model and any one's checkpoint is
///   the run's.
/// - Deviation: PyTorch DDP instead broadcasts rank 0's buffers before each forward (its running
///   statistics are rank 0's alone).
/// - Evaluation and the teacher's predictions are sharded: rank r takes every N-th batch and the
///   metric sums (or predictions) are added over the group.
/// - Only rank 0 writes files; the others read the checkpoint when resuming (same N only: N is
///   part of the run's fingerprint).
public struct DataParallel {
    public let group: any ProcessGroup
    public let synchronisedBatchNorm: Bool

    public init(group: any ProcessGroup, synchronisedBatchNorm: Bool) {
        self.group = group; self.synchronisedBatchNorm = synchronisedBatchNorm
    }

    /// Whether this process writes the run's files (rank 0).
    public var writes: Bool { group.rank == 0 }

    /// `2 processes, synchronised batch norm`: recorded in the fingerprint and `final.json`.
    public var description: String {
        "\(group.size) processes, " + (synchronisedBatchNorm ? "synchronised batch norm" : "per-process batch norm")
    }

    /// Throws unless `batchSize` splits evenly into shares of at least 2 images.
    public func check(batchSize: Int) throws {
        guard batchSize % group.size == 0, batchSize / group.size >= 2 else {
            throw TrainingError.data("batch size \(batchSize) does not split into \(group.size) equal shares of at least 2 images "
                                     + "(data-parallel training over \(group.size) processes)")
        }
    }

    /// This process's rows of a global batch of `batchSize`.
    func rows(batchSize: Int) -> Range<Int> {
        let per = batchSize / group.size
        return (group.rank * per)..<((group.rank + 1) * per)
    }

    /// Every parameter's gradient replaced by its mean over the group; with per-process batch norm,
    /// every buffer (running statistics) by its mean too. One sum over one flat array, in the
    /// parameters' fixed order.
    func averageGradients(_ parameters: [Parameter], buffers: [Buffer]) {
        let averagedBuffers = synchronisedBatchNorm ? [] : buffers
        var flat: [Float] = []
        flat.reserveCapacity(parameters.reduce(0) { $0 + $1.grad.count } + averagedBuffers.reduce(0) { $0 + $1.value.count })
        for p in parameters { flat += p.grad.data }
        for b in averagedBuffers { flat += b.value.data }
        group.sum(&flat)
        let scale = 1 / Float(group.size)
        var offset = 0
        func take(_ count: Int) -> [Float] {
            defer { offset += count }
            return flat[offset..<(offset + count)].map { $0 * scale }
        }
        for p in parameters { p.grad.data = take(p.grad.count) }
        for b in averagedBuffers { b.value.data = take(b.value.count) }
    }

    /// What a step adds to the epoch's sums, and the decisions every process must take together.
    struct StepTotals {
        var loss: Double
        var correct: Int
        var seen: Int
        /// The objective's terms, in the objective's order (the same on every process).
        var terms: [(name: String, value: Double)]
        /// Some process was asked to stop (Ctrl-C, SIGTERM).
        var interrupt: Bool
        /// Rank 0's clock says a mid-epoch checkpoint is due.
        var checkpointDue: Bool
    }

    /// The group's step: loss and terms averaged (the mean over all B), hits and images summed,
    /// flags set when any process set them.
    func combine(_ local: StepTotals) -> StepTotals {
        var v = [local.loss, Double(local.correct), Double(local.seen)] + local.terms.map(\.value)
            + [local.interrupt ? 1 : 0, local.checkpointDue ? 1 : 0]
        group.sum(&v)
        let n = Double(group.size), k = local.terms.count
        return StepTotals(loss: v[0] / n, correct: Int(v[1].rounded()), seen: Int(v[2].rounded()),
                          terms: local.terms.indices.map { (local.terms[$0].name, v[3 + $0] / n) },
                          interrupt: v[3 + k] > 0, checkpointDue: v[4 + k] > 0)
    }
}
