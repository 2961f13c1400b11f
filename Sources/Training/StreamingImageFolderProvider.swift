// An image folder read as it is trained on (`dataset.kind = imagefolder-stream`): every batch's
// JPEGs are decoded, cropped and normalised when the batch is drawn — the way ImageNet is trained,
// whose 1.28 M images (≈ 190 GB decoded at 224 px) fit in no memory.

import Foundation
import Dispatch
import TensorCore
import Datasets

/// A `DataProvider` over the files of an ImageFolder tree (`train/<class>/*.JPEG`, `val/<class>/…` or
/// ILSVRC's flat `val/` with a label file), decoded per batch with the ImageNet transforms of
/// `StreamedSample`: random-resized crop + flip for training, resize r·8/7 + centre crop for test
/// and validation. The crop and flip of image i in epoch e depend only on (seed, e, i).
///
/// A file that does not decode mid-run stops the process with its name and exit code 65 (the
/// iterator cannot throw); the run's last checkpoint is intact. `atkd data check DIR` finds such
/// files beforehand.
public final class StreamingImageFolderProvider: DataProvider {
    public let train: ImageFolderIndex
    public let test: ImageFolderIndex
    let trainEntries: [ImageFolderEntry]
    let testEntries: [ImageFolderEntry]
    let validationEntries: [ImageFolderEntry]
    public let resolution: Int
    public let minScale: Float
    public let flip: Bool
    public let normalization: Normalization
    public let threads: Int
    let lut: [Float]

    public init(root: String, resolution: Int, minScale: Float, flip: Bool, normalization: Normalization, threads: Int,
                trainPerClass: Int = 0, testPerClass: Int = 0, validationPerClass: Int = 0) throws {
        train = try ImageFolder.scan(root: root, split: .train)
        test = try ImageFolder.scan(root: root, split: .test)
        guard train.classIDs == test.classIDs else {
            throw TrainingError.data("\(root): train and val name different classes")
        }
        var rest = train.entries, held: [ImageFolderEntry] = []
        if validationPerClass > 0 {
            let counts = Dictionary(grouping: train.entries, by: \.label).mapValues(\.count)
            if let (label, n) = counts.first(where: { $0.value <= validationPerClass }) {
                throw TrainingError.data("validation_per_class \(validationPerClass) leaves no training image of class "
                                         + "`\(train.classNames[label])` (\(n) in \(train.directory))")
            }
            var seen: [Int: Int] = [:]
            rest = []
            for e in train.entries {
                seen[e.label, default: 0] += 1
                if seen[e.label]! > counts[e.label]! - validationPerClass { held.append(e) } else { rest.append(e) }
            }
        }
        trainEntries = Self.firstPerClass(rest, trainPerClass)
        testEntries = Self.firstPerClass(test.entries, testPerClass)
        validationEntries = held
        self.resolution = resolution; self.minScale = minScale; self.flip = flip
        self.normalization = normalization; self.threads = max(1, threads)
        lut = normalization.lookupTable()
    }

    static func firstPerClass(_ entries: [ImageFolderEntry], _ n: Int) -> [ImageFolderEntry] {
        guard n > 0 else { return entries }
        var taken: [Int: Int] = [:]
        return entries.filter { e in
            taken[e.label, default: 0] += 1
            return taken[e.label]! <= n
        }
    }

    public var classes: Int { train.classIDs.count }
    public var classNames: [String] { train.classNames }
    public var trainCount: Int { trainEntries.count }
    public var testCount: Int { testEntries.count }
    public var validationCount: Int { validationEntries.count }
    public var imageShape: [Int] { [3, resolution, resolution] }
    public var trainLabels: [Int]? { trainEntries.map(\.label) }
    public func batchesPerEpoch(batchSize: Int) -> Int { trainEntries.count / batchSize }

    /// The files' names, sizes and labels (their contents are not read to name them).
    public private(set) lazy var identity: String = {
        var md5 = MD5()
        for (tag, entries) in [("train", trainEntries), ("test", testEntries), ("validation", validationEntries)] {
            for e in entries { md5.update(Array("\(tag)\t\(e.path)\t\(e.size)\t\(e.label)\n".utf8)) }
        }
        return "files md5 \(md5.finalize()) (\(trainCount) train, \(testCount) test, \(validationCount) validation, "
            + "streamed at \(resolution) px)"
    }()

    public func trainBatches(seed: UInt64, epoch: Int, startBatch: Int, batchSize: Int) -> AnyIterator<LabeledBatch> {
        trainBatches(seed: seed, epoch: epoch, startBatch: startBatch, batchSize: batchSize, rows: 0..<batchSize)
    }

    /// Only the images `rows` of each batch are read and decoded (a data-parallel rank's share).
    public func trainBatches(seed: UInt64, epoch: Int, startBatch: Int, batchSize: Int,
                             rows: Range<Int>) -> AnyIterator<LabeledBatch> {
        var rng = SeededRNG(seed: mixSeed(seed, UInt64(epoch), 0x57EA))
        let order = rng.permutation(trainEntries.count)
        var b = startBatch
        let n = batchesPerEpoch(batchSize: batchSize)
        return AnyIterator {
            guard b < n else { return nil }
            defer { b += 1 }
            let picked = Array(order[(b * batchSize + rows.lowerBound)..<(b * batchSize + rows.upperBound)])
            return self.batch(picked.map { self.trainEntries[$0] }, directory: self.train.directory, indices: picked) {
                image, k in
                var sampleRNG = SeededRNG(seed: mixSeed(seed, UInt64(epoch), UInt64(picked[k])))
                return StreamedSample.train(image, resolution: self.resolution, minScale: self.minScale, flip: self.flip,
                                            rng: &sampleRNG)
            }
        }
    }

    public func testBatches(batchSize: Int) -> AnyIterator<LabeledBatch> {
        inOrder(testEntries, directory: test.directory, batchSize: batchSize)
    }

    public func validationBatches(batchSize: Int) -> AnyIterator<LabeledBatch>? {
        validationEntries.isEmpty ? nil : inOrder(validationEntries, directory: train.directory, batchSize: batchSize)
    }

    func inOrder(_ entries: [ImageFolderEntry], directory: String, batchSize: Int) -> AnyIterator<LabeledBatch> {
        var start = 0
        return AnyIterator {
            guard start < entries.count else { return nil }
            let part = Array(entries[start..<min(start + batchSize, entries.count)])
            start += part.count
            return self.batch(part, directory: directory, indices: nil) { image, _ in
                StreamedSample.evaluate(image, resolution: self.resolution)
            }
        }
    }

    /// Decodes and transforms `entries` over `threads` threads (one JPEG decoder each), normalised
    /// into one [B, 3, r, r] tensor.
    func batch(_ entries: [ImageFolderEntry], directory: String, indices: [Int]?,
               transform: @escaping (RGBImage, Int) -> [UInt8]) -> LabeledBatch {
        let r = resolution, plane = 3 * r * r, count = entries.count
        let parts = min(threads, count), lut = self.lut
        let data = [Float](unsafeUninitializedCapacity: count * plane) { buffer, initialized in
            let out = SharedOutput(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let decoder: JPEGDecoder
                do { decoder = try JPEGDecoder() } catch { Self.stop(error) }
                for k in stride(from: part, to: count, by: parts) {
                    let path = (directory as NSString).appendingPathComponent(entries[k].path)
                    do {
                        guard let bytes = FileManager.default.contents(atPath: path) else {
                            throw DatasetError(.io, file: path, "cannot read (moved or deleted since the scan?)")
                        }
                        let pixels = transform(try decoder.decode([UInt8](bytes), file: path), k)
                        // Normalised through the table lut[c·256 + v]; each thread writes only its images.
                        let d = out.pointer + k * plane
                        for i in 0..<plane { d[i] = lut[(i / (r * r)) * 256 + Int(pixels[i])] }
                    } catch { Self.stop(error) }
                }
            }
            initialized = count * plane
        }
        return LabeledBatch(x: Tensor(shape: [count, 3, r, r], data: data), labels: entries.map(\.label), indices: indices)
    }

    static func stop(_ error: Error) -> Never {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(65)
    }
}

/// The batch's storage as the decoding threads see it: disjoint rows per thread.
private struct SharedOutput: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ p: UnsafeMutablePointer<Float>) { pointer = p }
}
