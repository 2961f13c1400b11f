import XCTest
import Foundation
import TensorCore
import Training

/// `experiments/imagenet-paper.json` (full ILSVRC-2012, 224 px, ResNet-50 + AW-conv → MobileNetV2)
/// runs as written, streamed from JPEG files: a few steps of its teacher and an AT+KD student on the
/// ImageNet subset, at 224 px.
final class ImageNetRecipeTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func testPaperRecipeRunsAFewStepsOnTheSubsetAt224() throws {
        let root = Self.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets").path
        guard FileManager.default.fileExists(atPath: "\(root)/imagenette-72/train") else {
            throw XCTSkip("the ImageNet subset is not under \(root)")
        }
        var spec = try SpecLoader.load(path: Self.packageRoot.appendingPathComponent("experiments/imagenet-paper.json").path)
        XCTAssertEqual(spec.dataset.kind, "imagefolder-stream")
        XCTAssertEqual(spec.dataset.resolution, 224)
        // The recipe as written, on 10 training images (2 steps of 5) and 10 test images.
        spec.dataset.path = "imagenette-72"
        spec.dataset.trainPerClass = 1
        spec.dataset.testPerClass = 1
        for role in [\ExperimentSpec.teacher, \ExperimentSpec.student] {
            spec[keyPath: role].train.epochs = 1
            spec[keyPath: role].train.batchSize = 5
            spec[keyPath: role].train.milestones = []
        }
        spec.arms = ["atkd"]
        spec.seeds = [1]
        spec.evalEvery = 1
        let session = try Session(spec: spec, dataRoot: root, cacheDir: nil, threads: 2, engine: nil, quiet: true)
        XCTAssertEqual(session.data.imageShape, [3, 224, 224])
        let batch = session.data.trainBatches(seed: 1, epoch: 0, startBatch: 0, batchSize: 5).next()!
        XCTAssertEqual(batch.x.shape, [5, 3, 224, 224])
        XCTAssert(batch.x.data.allSatisfy(\.isFinite))
        XCTAssertEqual(session.data.testBatches(batchSize: 4).next()!.x.shape, [4, 3, 224, 224])

        let runs = NSTemporaryDirectory() + "atkd-imagenet-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: runs) }
        var options = RunOptions()
        options.runsRoot = runs
        options.quiet = true
        let runner = ExperimentRunner(spec: session.spec, data: session.data, engine: session.engine, options: options)
        let summaries = try runner.runAll()
        XCTAssertEqual(summaries.map(\.arm), ["atkd"])
        let teacher = try RunSummary.load(path: "\(runs)/imagenet-paper/teacher/final.json")
        XCTAssertEqual(teacher.model, "resnet50-awconv")
        XCTAssertEqual(summaries[0].model, "mobilenetv2")
        for dir in ["teacher", "atkd-seed1"] {
            let rows = try String(contentsOfFile: "\(runs)/imagenet-paper/\(dir)/metrics.tsv", encoding: .utf8)
                .split(separator: "\n").filter { MetricsHeader.columns(of: $0) == nil }
            XCTAssertEqual(rows.count, 1, dir)
            XCTAssert(Double(rows[0].split(separator: "\t")[2])!.isFinite, "\(dir) train loss")
        }
    }
}
