// The trainer's view of a real dataset: CIFAR-10 or an image folder, subset,
// augmented and normalised by the Datasets loader.

import Foundation
import TensorCore
import Datasets

/// A `DataProvider` over an in-memory `ImageSet` pair (train, test).
public final class DatasetProvider: DataProvider {
    public let train: ImageSet
    public let test: ImageSet
    /// Held out of the training split (`validation_per_class`); nil when the spec keeps none.
    public let validation: ImageSet?
    public let augmentation: Augmentation
    public let normalization: Normalization
    public let threads: Int

    public init(train: ImageSet, test: ImageSet, validation: ImageSet? = nil, augmentation: Augmentation,
                normalization: Normalization, threads: Int) throws {
        guard train.classNames == test.classNames else {
            throw TrainingError.data("\(train.name) and \(test.name) have different classes")
        }
        self.train = train; self.test = test; self.validation = validation
        self.augmentation = augmentation; self.normalization = normalization; self.threads = threads
        // Validates the augmentation against the image size now, not mid-training.
        _ = try BatchLoader(images: train, batchSize: 1, augmentation: augmentation,
                            normalization: normalization, threads: 0)
    }

    /// Loads what `spec` names, searching `dataRoot`, `ATKD_DATA`, `./data`, `../shared/datasets`.
    public static func make(_ spec: DatasetSpec, dataRoot: String?, cacheDir: String?, threads: Int,
                            progress: Bool = true) throws -> DatasetProvider {
        var train: ImageSet, test: ImageSet
        switch spec.kind {
        case "cifar10":
            let dir = try locate(spec.path, dataRoot: dataRoot, isDataset: CIFAR10.looksLikeCIFAR)
                ?? DataLocator.locate(.cifar10, dataRoot: dataRoot)
            train = try CIFAR10.load(directory: dir, split: .train)
            test = try CIFAR10.load(directory: dir, split: .test)
        default:
            guard let dir = try locate(spec.path, dataRoot: dataRoot, isDataset: ImageFolder.looksLikeImageFolder) else {
                let roots = DataLocator.searchRoots(dataRoot: dataRoot).map { "  \($0)/\(spec.path)" }.joined(separator: "\n")
                throw TrainingError.data("image folder `\(spec.path)` (train/<class>/*.JPEG, val/<class>/*.JPEG) not found. Looked in:\n\(roots)")
            }
            let cache = PreprocessCache.resolve(explicit: cacheDir)
            train = try cache.load(ImageFolder.scan(root: dir, split: .train), resolution: spec.resolution,
                                   threads: threads, progress: progress).images
            test = try cache.load(ImageFolder.scan(root: dir, split: .test), resolution: spec.resolution,
                                  threads: threads, progress: progress).images
        }
        var validation: ImageSet? = nil
        if spec.validationPerClass > 0 {
            (train, validation) = try holdOut(train, lastPerClass: spec.validationPerClass)
        }
        if spec.trainPerClass > 0 { train = firstPerClass(train, spec.trainPerClass) }
        if spec.testPerClass > 0 { test = firstPerClass(test, spec.testPerClass) }
        let a = spec.augment
        let augmentation = Augmentation(cropPadding: a.cropPadding, padMode: a.padMode == "zero" ? .zero : .reflect,
                                        horizontalFlip: a.flip, maxRotationDegrees: a.rotationDegrees,
                                        brightness: a.brightness, contrast: a.contrast,
                                        randomResizedCropMinScale: a.randomResizedCropMinScale)
        return try DatasetProvider(train: train, test: test, validation: validation, augmentation: augmentation,
                                   normalization: spec.normalization == "imagenet" ? .imagenet : .cifar10,
                                   threads: threads)
    }

    static func locate(_ name: String, dataRoot: String?, isDataset: (String) -> Bool) throws -> String? {
        guard !name.isEmpty else { return nil }
        if isDataset(name) { return name }
        for root in DataLocator.searchRoots(dataRoot: dataRoot) {
            let p = (root as NSString).appendingPathComponent(name)
            if isDataset(p) { return p }
        }
        return nil
    }

    /// Splits off the last `n` images of each class in file order (a fixed, stratified validation
    /// set); the rest, in their order, stay for training. Every class must keep at least one image.
    public static func holdOut(_ set: ImageSet, lastPerClass n: Int) throws -> (rest: ImageSet, heldOut: ImageSet) {
        let counts = set.perClassCounts()
        if let c = counts.firstIndex(where: { $0 <= n }) {
            throw TrainingError.data("validation_per_class \(n) leaves no training image of class `\(set.classNames[c])` "
                                     + "(\(counts[c]) in \(set.name))")
        }
        var seen = [Int](repeating: 0, count: set.classCount)
        var rest: [Int] = [], held: [Int] = []
        for (i, l) in set.labels.enumerated() {
            seen[l] += 1
            if seen[l] > counts[l] - n { held.append(i) } else { rest.append(i) }
        }
        return (set.subset(rest), set.subset(held))
    }

    /// The first `n` images of each class in file order (a fixed, balanced subset).
    public static func firstPerClass(_ set: ImageSet, _ n: Int) -> ImageSet {
        var taken = [Int](repeating: 0, count: set.classCount)
        var keep: [Int] = []
        for (i, l) in set.labels.enumerated() where taken[l] < n {
            taken[l] += 1
            keep.append(i)
        }
        return set.subset(keep)
    }

    public var classes: Int { train.classCount }
    public var classNames: [String] { train.classNames }
    public var trainCount: Int { train.count }
    public var testCount: Int { test.count }
    public var imageShape: [Int] { [train.channels, train.height, train.width] }

    public func batchesPerEpoch(batchSize: Int) -> Int { train.count / batchSize }

    public func trainBatches(seed: UInt64, epoch: Int, startBatch: Int, batchSize: Int) -> AnyIterator<LabeledBatch> {
        let loader = try! BatchLoader(images: train, batchSize: batchSize, shuffle: true, dropLast: true,
                                      augmentation: augmentation, normalization: normalization, seed: seed,
                                      threads: max(1, threads / 2))
        let batches = try! loader.epoch(epoch, startingAt: startBatch)
        return AnyIterator { batches.next().map { LabeledBatch(x: $0.x, labels: $0.labels, indices: $0.indices) } }
    }

    public func testBatches(batchSize: Int) -> AnyIterator<LabeledBatch> { inOrder(test, batchSize: batchSize) }

    public var validationCount: Int { validation?.count ?? 0 }

    /// `train.labels`: `LabeledBatch.indices` are positions in `train`.
    public var trainLabels: [Int]? { train.labels }

    /// MD5 over the pixels and labels of train, test and validation (computed once).
    public private(set) lazy var identity: String = {
        var md5 = MD5()
        for set in [train, test] + (validation.map { [$0] } ?? []) {
            set.pixels.withUnsafeBytes { md5.update($0) }
            set.labels.map(Int32.init).withUnsafeBytes { md5.update($0) }
        }
        return "md5 \(md5.finalize()) (\(train.count) train, \(test.count) test, \(validationCount) validation)"
    }()

    public func validationBatches(batchSize: Int) -> AnyIterator<LabeledBatch>? {
        validation.map { inOrder($0, batchSize: batchSize) }
    }

    /// A split in file order, no augmentation.
    func inOrder(_ set: ImageSet, batchSize: Int) -> AnyIterator<LabeledBatch> {
        let loader = try! BatchLoader(images: set, batchSize: batchSize, shuffle: false, dropLast: false,
                                      augmentation: .none, normalization: normalization, seed: 0, threads: 1)
        let batches = try! loader.epoch(0)
        return AnyIterator { batches.next().map { LabeledBatch(x: $0.x, labels: $0.labels) } }
    }
}
