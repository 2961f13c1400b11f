// What the trainer needs from a dataset: deterministic batches by (seed, epoch, position).

import TensorCore

/// One mini-batch of normalised images and labels.
public struct LabeledBatch {
    public var x: Tensor
    public var labels: [Int]
    /// Each image's position in the training split (`trainLabels` order); nil when the source
    /// does not say (CRD's memory bank needs it).
    public var indices: [Int]?
    public init(x: Tensor, labels: [Int], indices: [Int]? = nil) {
        self.x = x; self.labels = labels; self.indices = indices
    }

    /// The images `rows` of this batch.
    public func rows(_ rows: Range<Int>) -> LabeledBatch {
        let row = x.count / max(labels.count, 1)
        return LabeledBatch(x: Tensor(shape: [rows.count] + x.shape.dropFirst(),
                                      data: Array(x.data[(rows.lowerBound * row)..<(rows.upperBound * row)])),
                            labels: Array(labels[rows]), indices: indices.map { Array($0[rows]) })
    }
}

/// A source of training and test batches.
///
/// The training order and augmentation depend only on (seed, epoch, sample), so two arms
/// with one seed see the same images in the same order, and a resumed run continues
/// exactly where it stopped (`startBatch`).
public protocol DataProvider: AnyObject {
    var classes: Int { get }
    var classNames: [String] { get }
    var trainCount: Int { get }
    var testCount: Int { get }
    /// Input channels, height and width of one image.
    var imageShape: [Int] { get }
    /// Full training batches per epoch (the last partial batch is dropped).
    func batchesPerEpoch(batchSize: Int) -> Int
    func trainBatches(seed: UInt64, epoch: Int, startBatch: Int, batchSize: Int) -> AnyIterator<LabeledBatch>
    /// The test split in file order, no augmentation.
    func testBatches(batchSize: Int) -> AnyIterator<LabeledBatch>
    /// Images in the held-out validation split (0 when there is none).
    var validationCount: Int { get }
    /// The validation split in file order, no augmentation; nil when there is none.
    func validationBatches(batchSize: Int) -> AnyIterator<LabeledBatch>?
    /// What identifies the data a run sees (a run's fingerprint records it): a content digest
    /// where the provider has one, else a description of its sizes.
    var identity: String { get }
    /// The label of every training image, in the order `LabeledBatch.indices` refer to; nil when
    /// unknown (CRD then draws negatives uniformly over all images).
    var trainLabels: [Int]? { get }
}

extension DataProvider {
    /// Rows `rows` of each batch `trainBatches` gives (a data-parallel rank's share). This default
    /// draws whole batches and slices them; a provider that decodes per batch decodes only the share.
    public func trainBatches(seed: UInt64, epoch: Int, startBatch: Int, batchSize: Int,
                             rows: Range<Int>) -> AnyIterator<LabeledBatch> {
        let whole = trainBatches(seed: seed, epoch: epoch, startBatch: startBatch, batchSize: batchSize)
        return AnyIterator { whole.next().map { $0.rows(rows) } }
    }

    public var validationCount: Int { 0 }
    public var identity: String {
        "\(classes) classes, \(trainCount) train, \(testCount) test, \(validationCount) validation, \(imageShape)"
    }
    public func validationBatches(batchSize: Int) -> AnyIterator<LabeledBatch>? { nil }
    public var trainLabels: [Int]? { nil }
}
