// ImageSet: a labelled set of equally sized uint8 images held in memory (CHW
// per image), the one type every reader produces and the loader consumes.

/// A labelled image set, pixels kept as uint8 so that CIFAR-10 (150 MB as
/// Float) stays at 150/4 MB; conversion to Float happens per batch.
///
/// Layout: image `i` occupies `pixels[i·C·H·W ..< (i+1)·C·H·W]`, channel
/// planes in R, G, B order, each plane row-major (the CIFAR-10 record layout).
public struct ImageSet: Sendable, Equatable {
    /// A short name for messages ("cifar10/train", "imagenette-72/val").
    public var name: String
    public let channels: Int
    public let height: Int
    public let width: Int
    /// `count · channels · height · width` bytes.
    public var pixels: [UInt8]
    /// One label per image, each in `0..<classNames.count`.
    public var labels: [Int]
    /// Class names in label order.
    public let classNames: [String]

    /// Wraps decoded images; throws when sizes or labels disagree.
    public init(name: String, channels: Int, height: Int, width: Int,
                pixels: [UInt8], labels: [Int], classNames: [String]) throws {
        guard channels > 0, height > 0, width > 0 else {
            throw DatasetError(.invalidArgument, file: name, "image size \(channels)×\(height)×\(width) is empty")
        }
        guard pixels.count == labels.count * channels * height * width else {
            throw DatasetError(.invalidArgument, file: name,
                               "\(pixels.count) pixel bytes for \(labels.count) images of \(channels)×\(height)×\(width)")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classNames.count }) {
            throw DatasetError(.badLabel, file: name,
                               "image \(bad) has label \(labels[bad]) outside 0..<\(classNames.count)")
        }
        self.name = name
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
        self.labels = labels
        self.classNames = classNames
    }

    /// Number of images.
    public var count: Int { labels.count }
    /// Bytes per image, `C·H·W`.
    public var imageBytes: Int { channels * height * width }
    public var classCount: Int { classNames.count }

    /// Images per class, indexed by label.
    public func perClassCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for l in labels { counts[l] += 1 }
        return counts
    }

    /// The images at `indices`, in that order (indices are then renumbered 0..<n).
    public func subset(_ indices: [Int]) -> ImageSet {
        let b = imageBytes
        var px = [UInt8](repeating: 0, count: indices.count * b)
        px.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < count, "subset index \(i) outside 0..<\(count)")
                    (dst.baseAddress! + k * b).update(from: src.baseAddress! + i * b, count: b)
                }
            }
        }
        // The invariants hold by construction, so this cannot throw.
        return try! ImageSet(name: name, channels: channels, height: height, width: width,
                             pixels: px, labels: indices.map { labels[$0] }, classNames: classNames)
    }

    /// Indices of the first `n` images of each class in stored order (fewer
    /// where a class has fewer), returned in stored order.
    ///
    /// Deterministic — independent of seeds — so smoke runs and CI regression
    /// tests train on the same images on every machine.
    public func firstIndicesPerClass(_ n: Int) -> [Int] {
        var taken = [Int](repeating: 0, count: classNames.count)
        var out: [Int] = []
        out.reserveCapacity(min(count, n * classNames.count))
        for (i, l) in labels.enumerated() where taken[l] < n {
            taken[l] += 1
            out.append(i)
        }
        return out
    }

    /// The subset of the first `n` images of each class (see `firstIndicesPerClass`).
    public func firstPerClass(_ n: Int) -> ImageSet {
        var s = subset(firstIndicesPerClass(n))
        s.name = "\(name)[first \(n)/class]"
        return s
    }
}
