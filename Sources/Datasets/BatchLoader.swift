// BatchLoader: shuffled, augmented, normalised batches assembled on background
// threads ahead of the trainer (bounded), deterministic and resumable mid-epoch.

import Foundation
import TensorCore

/// One mini-batch.
public struct Batch: Sendable {
    /// `[B, C, H, W]` normalised images.
    public let x: Tensor
    /// Labels, one per image.
    public let labels: [Int]
    /// Positions of the images in the loader's `ImageSet`.
    public let indices: [Int]
    /// Which epoch and which batch of it this is.
    public let epoch: Int
    public let batchIndex: Int
}

/// Produces the batches of an `ImageSet`.
///
/// Determinism: the epoch order is `SampleRandomness.permutation(seed, epoch)`
/// and sample `i`'s augmentation comes from `sampleRNG(seed, epoch, i)`, so
/// batch `k` of epoch `e` is a pure function of `(images, options, e, k)`:
/// the same on every run, for any thread count, and when resuming at `k`.
public final class BatchLoader: @unchecked Sendable {
    public let images: ImageSet
    public let batchSize: Int
    public let shuffle: Bool
    /// Drop the last, smaller batch of an epoch.
    public let dropLast: Bool
    public let augmentation: Augmentation
    public let normalization: Normalization
    public let seed: UInt64
    /// Background threads assembling batches (0 = assemble on the caller's thread).
    public let threads: Int
    /// Most batches assembled ahead of the consumer.
    public let prefetch: Int
    let lut: [Float]
    let unitLUT: [Float]

    public init(images: ImageSet, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false,
                augmentation: Augmentation = .none, normalization: Normalization, seed: UInt64 = 0,
                threads: Int = 2, prefetch: Int = 4) throws {
        guard batchSize > 0, threads >= 0, prefetch >= 1 else {
            throw DatasetError(.invalidArgument, file: images.name,
                               "batch size \(batchSize) and prefetch \(prefetch) must be ≥ 1, threads \(threads) ≥ 0")
        }
        guard normalization.mean.count == images.channels else {
            throw DatasetError(.invalidArgument, file: images.name,
                               "normalisation has \(normalization.mean.count) channels, images have \(images.channels)")
        }
        try augmentation.validate(height: images.height, width: images.width)
        self.images = images
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.augmentation = augmentation
        self.normalization = normalization
        self.seed = seed
        self.threads = threads
        self.prefetch = prefetch
        lut = normalization.lookupTable()
        unitLUT = (0..<(images.channels * 256)).map { Float($0 % 256) / 255 }
    }

    /// Batches per epoch: `⌊N/B⌋` with `dropLast`, else `⌈N/B⌉`.
    public var batchesPerEpoch: Int {
        dropLast ? images.count / batchSize : (images.count + batchSize - 1) / batchSize
    }

    /// The order in which epoch `epoch` visits the images.
    public func order(epoch: Int) -> [Int] {
        shuffle ? SampleRandomness.permutation(seed: seed, epoch: epoch, count: images.count)
                : Array(0..<images.count)
    }

    /// Assembles batch `batchIndex` of `epoch` on the calling thread.
    public func makeBatch(epoch: Int, batchIndex: Int) -> Batch {
        makeBatch(epoch: epoch, batchIndex: batchIndex, order: order(epoch: epoch))
    }

    func makeBatch(epoch: Int, batchIndex: Int, order: [Int]) -> Batch {
        let lo = batchIndex * batchSize, hi = min(lo + batchSize, images.count)
        let idx = Array(order[lo..<hi])
        let per = images.imageBytes
        var x = [Float](repeating: 0, count: idx.count * per)
        let scratchCount = augmentation.isPhotometric ? 2 * per : 1
        // uint8 C·H·W buffer for the random-resized crop's output.
        let cropped = UnsafeMutablePointer<UInt8>.allocate(capacity: augmentation.randomResizedCropMinScale > 0 ? per : 1)
        defer { cropped.deallocate() }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: scratchCount) { scratch in
            images.pixels.withUnsafeBufferPointer { px in
                lut.withUnsafeBufferPointer { l in
                    unitLUT.withUnsafeBufferPointer { u in
                        x.withUnsafeMutableBufferPointer { out in
                            for (k, i) in idx.enumerated() {
                                var rng = SampleRandomness.sampleRNG(seed: seed, epoch: epoch, index: i)
                                let draw = SampleDraw(augmentation, height: images.height, width: images.width,
                                                      rng: &rng)
                                var src = px.baseAddress! + i * per
                                if let crop = draw.crop {
                                    RandomResizedCrop.resizeCrop(src, into: cropped,
                                                                 channels: images.channels, height: images.height,
                                                                 width: images.width, crop: crop)
                                    src = UnsafePointer(cropped)
                                }
                                renderSample(src, into: out.baseAddress! + k * per,
                                             channels: images.channels, height: images.height, width: images.width,
                                             augmentation: augmentation, draw: draw, lut: l.baseAddress!,
                                             unitLUT: u.baseAddress!, normalization: normalization,
                                             scratch: scratch.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        let shape = [idx.count, images.channels, images.height, images.width]
        return Batch(x: Tensor(shape: shape, data: x), labels: idx.map { images.labels[$0] },
                     indices: idx, epoch: epoch, batchIndex: batchIndex)
    }

    /// The batches of `epoch` from `startingAt` on (for exact resume),
    /// prefetched on `threads` background threads.
    public func epoch(_ epoch: Int, startingAt start: Int = 0) throws -> EpochBatches {
        guard (0...batchesPerEpoch).contains(start) else {
            throw DatasetError(.invalidArgument, file: images.name,
                               "start batch \(start) outside 0...\(batchesPerEpoch) (batch size \(batchSize))")
        }
        return EpochBatches(loader: self, epoch: epoch, start: start)
    }
}
