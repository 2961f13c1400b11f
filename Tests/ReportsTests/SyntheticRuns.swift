// Synthetic experiment folders for the report tests: spec.json, metrics.tsv, final.json and
// events.jsonl written exactly as `atkd run` writes them, with numbers the tests choose.

import Foundation
import XCTest
import TensorCore
import NN
import Models
import Training

/// A scratch folder removed at the end of the test.
final class ScratchDir {
    let path: String
    init(_ label: String) throws {
        path = NSTemporaryDirectory() + "atkd-reports-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Writes run folders with chosen numbers.
enum SyntheticRuns {
    static let classNames = ["plane", "car", "bird"]

    /// An experiment spec: resnet20 teacher and student (tiny, for attention maps), 3 epochs.
    static func spec(name: String, arms: [String] = ["ce", "kd", "at", "atkd"], seeds: [Int] = [1, 2]) -> ExperimentSpec {
        var s = ExperimentSpec()
        s.name = name
        s.arms = arms
        s.seeds = seeds
        s.teacher = NetworkSpec(model: "resnet20", train: TrainSpec(epochs: 3, lr: 0.1))
        s.student = NetworkSpec(model: "resnet20", train: TrainSpec(epochs: 3, lr: 0.05))
        s.dataset.trainPerClass = 4
        s.dataset.testPerClass = 2
        return s
    }

    static func writeSpec(_ spec: ExperimentSpec, to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try SpecLoader.resolvedJSON(spec).write(to: URL(fileURLWithPath: "\(dir)/spec.json"))
    }

    /// metrics.tsv with one row per `testTop1` entry (nil = not evaluated → `nan`).
    static func writeMetrics(to dir: String, arm: String, testTop1: [Double?], trainLoss: [Double], trainTop1: [Double]) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let terms = arm == "ce" || arm == "teacher" ? ["ce"] : arm == "kd" ? ["ce", "kd"] : arm == "at" ? ["at", "ce"] : ["at", "ce", "kd"]
        var text = "# epoch\tlr\ttrain_loss\ttrain_top1\t" + terms.map { "loss_\($0)" }.joined(separator: "\t")
            + "\ttest_top1\ttest_top5\ttest_nll\ttest_ece\tteacher_agreement\tepoch_seconds\ttrain_img_per_s\n"
        for (i, t) in testTop1.enumerated() {
            let row = ["\(i + 1)", "0.05", "\(trainLoss[i])", "\(trainTop1[i])"] + terms.map { _ in "\(trainLoss[i] / 2)" }
                + [t.map { "\($0)" } ?? "nan", t == nil ? "nan" : "1", "0.9", "0.05", "nan", "2.5", "100"]
            text += row.joined(separator: "\t") + "\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(dir)/metrics.tsv"))
    }

    /// steps.tsv as `StepLog` writes it: 4 steps per epoch, rows at steps 2 and 4 of each of 3 epochs,
    /// running means 2.0 then 1.5 (+ `shift`) for the loss, 0.5 for train top-1, AT distances
    /// 0.4 and 0.2 (+ `shift`) at taps stage1 and stage2.
    static func writeSteps(to dir: String, shift: Double) throws {
        var text = "step\tepoch\tlr\ttrain_loss\ttrain_top1\tloss_ce\tloss_kd\tat_distance.stage1\tat_distance.stage2\n"
        for step in stride(from: 2, through: 12, by: 2) {
            let loss = (step % 4 == 2 ? 2.0 : 1.5) + shift
            text += "\(step)\t\(Double(step) / 4)\t0.05\t\(loss)\t0.5\t\(loss / 2)\t\(loss / 2)\t\(0.4 + shift)\t\(0.2 + shift)\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(dir)/steps.tsv"))
    }

    /// final.json as `RunSummary.jsonData()` writes it (snake_case keys).
    static func writeFinal(to dir: String, arm: String, seed: Int, top1: Double, top5: Double = 1, perClass: [Double],
                           confusion: [[Int]], agreement: Double?, best: Double, bestEpoch: Int, params: Int = 272_474,
                           macs: Int = 40_000_000, latencyMs: Double = 3.5, wallSeconds: Double = 125,
                           imgPerSecond: Double = 100, model: String = "resnet20") throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var final: [String: Any] = ["count": confusion.joined().reduce(0, +), "top1": top1, "top5": top5, "nll": 0.7,
                                    "ece": 0.05, "per_class_accuracy": perClass, "confusion": confusion]
        if let agreement { final["teacher_agreement"] = agreement }
        let obj: [String: Any] = [
            "arm": arm, "seed": seed, "model": model, "epochs": 3, "final": final, "class_names": classNames,
            "best_top1": best, "best_epoch": bestEpoch, "params": params, "macs": macs, "checkpoint_bytes": params * 4,
            "latency_ms": latencyMs, "train_images_per_second": imgPerSecond, "train_seconds": wallSeconds * 0.9,
            "wall_seconds": wallSeconds, "labels": ["experiment": "synthetic", "role": arm == "teacher" ? "teacher" : "student"],
        ]
        let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: "\(dir)/final.json"))
    }

    /// A 3-class confusion matrix with `correct[c]` of 10 images of class c right (rest → next class).
    static func confusion(correct: [Int]) -> [[Int]] {
        (0..<3).map { c in (0..<3).map { p in p == c ? correct[c] : p == (c + 1) % 3 ? 10 - correct[c] : 0 } }
    }

    /// A finished run: metrics rows ending at `top1`, and final.json.
    static func finishedRun(_ expDir: String, arm: String, seed: Int, top1: Double, correct: [Int],
                            agreement: Double? = 0.9, trainTop1: Double = 0.95) throws {
        let dir = "\(expDir)/\(arm)-seed\(seed)"
        try writeMetrics(to: dir, arm: arm, testTop1: [top1 - 0.2, nil, top1], trainLoss: [2.0, 1.5, 1.0],
                         trainTop1: [0.5, 0.8, trainTop1])
        try writeFinal(to: dir, arm: arm, seed: seed, top1: top1, perClass: correct.map { Double($0) / 10 },
                       confusion: confusion(correct: correct), agreement: agreement, best: top1, bestEpoch: 3)
        try SpecLoader.resolvedJSON(spec(name: "x")).write(to: URL(fileURLWithPath: "\(dir)/spec.json"))
    }

    /// A trained-looking teacher: final.json (+ metrics.tsv).
    static func teacher(_ expDir: String, top1: Double, params: Int = 1_000_000) throws {
        let dir = "\(expDir)/teacher"
        try writeMetrics(to: dir, arm: "teacher", testTop1: [0.5, 0.7, top1], trainLoss: [2, 1, 0.5], trainTop1: [0.5, 0.8, 0.99])
        try writeFinal(to: dir, arm: "teacher", seed: 0, top1: top1, perClass: [0.9, 0.9, 0.9],
                       confusion: confusion(correct: [9, 9, 9]), agreement: nil, best: top1, bestEpoch: 3, params: params)
    }

    /// Saves a freshly initialised resnet20 (3 classes) as `path` (a model.atkd).
    static func checkpoint(_ path: String, seed: UInt64) throws {
        var rng = SeededRNG(seed: seed)
        let model = try ModelZoo.make("resnet20", classes: 3, input: 32, rng: &rng)
        try ModelCheckpoint.save(model: model, metadata: [:], to: path)
    }
}

/// Random normalised 32×32 images of 3 classes: what the attention maps read.
final class SyntheticData: DataProvider {
    let images: Int
    init(images: Int) { self.images = images }
    var classes: Int { 3 }
    var classNames: [String] { SyntheticRuns.classNames }
    var trainCount: Int { images }
    var testCount: Int { images }
    var imageShape: [Int] { [3, 32, 32] }
    func batchesPerEpoch(batchSize: Int) -> Int { images / batchSize }
    func trainBatches(seed: UInt64, epoch: Int, startBatch: Int, batchSize: Int) -> AnyIterator<LabeledBatch> { testBatches(batchSize: batchSize) }
    func testBatches(batchSize: Int) -> AnyIterator<LabeledBatch> {
        var done = false
        var rng = SeededRNG(seed: 7)
        let n = min(batchSize, images)
        let x = Tensor(shape: [n, 3, 32, 32], data: (0..<(n * 3 * 32 * 32)).map { _ in rng.uniform(-1, 1) })
        return AnyIterator {
            if done { return nil }
            done = true
            return LabeledBatch(x: x, labels: (0..<n).map { $0 % 3 })
        }
    }
}

/// Reads a file as text, failing the test when it is absent.
func readText(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    guard let d = FileManager.default.contents(atPath: path) else {
        XCTFail("missing \(path)", file: file, line: line)
        return ""
    }
    return String(decoding: d, as: UTF8.self)
}
