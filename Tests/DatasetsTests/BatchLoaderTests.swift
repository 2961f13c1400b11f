import Datasets
import TensorCore
import XCTest

/// A small random-pixel set: `n` images of 3×`h`×`w`, labels `i % classes`.
func randomImageSet(_ n: Int, h: Int = 8, w: Int = 8, classes: Int = 4, seed: UInt64 = 1) -> ImageSet {
    var rng = SeededRNG(seed: seed)
    let px = (0..<(n * 3 * h * w)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    return try! ImageSet(name: "random", channels: 3, height: h, width: w, pixels: px,
                         labels: (0..<n).map { $0 % classes }, classNames: (0..<classes).map { "c\($0)" })
}

final class BatchLoaderTests: XCTestCase {
    let aug = Augmentation(cropPadding: 2, padMode: .reflect, horizontalFlip: true)

    func collect(_ loader: BatchLoader, epoch: Int, start: Int = 0) throws -> [Batch] {
        Array(try loader.epoch(epoch, startingAt: start))
    }

    func testEpochCoversEveryImageOnceAndShapesAreRight() throws {
        let set = randomImageSet(50)
        let loader = try BatchLoader(images: set, batchSize: 16, normalization: .cifar10, seed: 3)
        let batches = try collect(loader, epoch: 0)
        XCTAssertEqual(batches.map { $0.labels.count }, [16, 16, 16, 2])
        XCTAssertEqual(batches[0].x.shape, [16, 3, 8, 8])
        XCTAssertEqual(batches.flatMap(\.indices).sorted(), Array(0..<50))
        XCTAssertEqual(batches.flatMap(\.labels), batches.flatMap(\.indices).map { set.labels[$0] })
        XCTAssertEqual(batches.map(\.batchIndex), [0, 1, 2, 3])
    }

    func testDropLastAndNoShuffle() throws {
        let loader = try BatchLoader(images: randomImageSet(50), batchSize: 16, shuffle: false, dropLast: true,
                                     normalization: .cifar10)
        XCTAssertEqual(loader.batchesPerEpoch, 3)
        let batches = try collect(loader, epoch: 5)
        XCTAssertEqual(batches.flatMap(\.indices), Array(0..<48))
    }

    func testSameSeedSameBatchesForAnyThreadCount() throws {
        let set = randomImageSet(70)
        var reference: [[Float]]?
        for threads in [0, 1, 2, 3] {
            let loader = try BatchLoader(images: set, batchSize: 8, augmentation: aug, normalization: .cifar10,
                                         seed: 42, threads: threads, prefetch: 2)
            let xs = try collect(loader, epoch: 1).map(\.x.data)
            if let r = reference { XCTAssertEqual(xs, r, "threads \(threads)") } else { reference = xs }
        }
    }

    func testEpochsAndSeedsChangeOrder() throws {
        let set = randomImageSet(64)
        let a = try BatchLoader(images: set, batchSize: 64, normalization: .cifar10, seed: 1)
        let b = try BatchLoader(images: set, batchSize: 64, normalization: .cifar10, seed: 2)
        XCTAssertNotEqual(a.order(epoch: 0), a.order(epoch: 1))
        XCTAssertNotEqual(a.order(epoch: 0), b.order(epoch: 0))
        XCTAssertEqual(a.order(epoch: 3), SampleRandomness.permutation(seed: 1, epoch: 3, count: 64))
    }

    func testResumeAtBatchGivesTheSameRemainingBatches() throws {
        let loader = try BatchLoader(images: randomImageSet(60), batchSize: 7, augmentation: aug,
                                     normalization: .cifar10, seed: 9)
        let full = try collect(loader, epoch: 2)
        let tail = try collect(loader, epoch: 2, start: 5)
        XCTAssertEqual(tail.map(\.indices), full[5...].map(\.indices))
        XCTAssertEqual(tail.map(\.x.data), full[5...].map(\.x.data))
        XCTAssertEqual(loader.makeBatch(epoch: 2, batchIndex: 3).x, full[3].x)
        XCTAssertEqual(try collect(loader, epoch: 2, start: loader.batchesPerEpoch).count, 0)
        assertDatasetError(.invalidArgument, ["start batch"]) { try loader.epoch(0, startingAt: 99) }
    }

    func testAugmentationOfASampleDoesNotDependOnBatchSize() throws {
        let set = randomImageSet(30)
        let a = try BatchLoader(images: set, batchSize: 4, augmentation: aug, normalization: .cifar10, seed: 5)
        let b = try BatchLoader(images: set, batchSize: 10, augmentation: aug, normalization: .cifar10, seed: 5)
        func byIndex(_ l: BatchLoader) throws -> [Int: [Float]] {
            var out: [Int: [Float]] = [:]
            for batch in try l.epoch(0) {
                for (k, i) in batch.indices.enumerated() { out[i] = Array(batch.x.data[(k * 192)..<((k + 1) * 192)]) }
            }
            return out
        }
        XCTAssertEqual(try byIndex(a), try byIndex(b))
    }

    func testAbandonedEpochStopsCleanly() throws {
        let loader = try BatchLoader(images: randomImageSet(200), batchSize: 4, normalization: .cifar10, threads: 2)
        for _ in 0..<20 {
            let it = try loader.epoch(0)
            _ = it.next()
            it.cancel()
            XCTAssertNil(it.next())
        }
    }

    func testInvalidOptionsThrow() {
        let set = randomImageSet(4)
        assertDatasetError(.invalidArgument, ["batch size"]) {
            try BatchLoader(images: set, batchSize: 0, normalization: .cifar10)
        }
        assertDatasetError(.invalidArgument, ["crop padding"]) {
            try BatchLoader(images: set, batchSize: 2, augmentation: Augmentation(cropPadding: 8), normalization: .cifar10)
        }
    }

    func testCIFARThroughputWithCropAndFlip() throws {
        let set = randomImageSet(10_000, h: 32, w: 32, classes: 10)
        let loader = try BatchLoader(images: set, batchSize: 128, augmentation: .cifarStandard,
                                     normalization: .cifar10, seed: 1, threads: 2)
        let t0 = Date()
        var n = 0
        for b in try loader.epoch(0) { n += b.labels.count }
        let rate = Double(n) / Date().timeIntervalSince(t0)
        print("BatchLoader CIFAR crop+flip, 2 threads: \(Int(rate)) img/s")
        XCTAssertEqual(n, 10_000)
        XCTAssertGreaterThan(rate, 2000, "loader far below the 5000 img/s target (machine loaded?)")
    }
}
