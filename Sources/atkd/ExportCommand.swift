// `atkd export CKPT --onnx OUT`: the model as ONNX (opset 13) for device runtimes, with an optional
// reference batch (test images and our logits) to check a runtime against.

import ArgumentParser
import Foundation
import TensorCore
import NN
import Models
import FileIO
import ONNXExport
import Training

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a checkpoint to ONNX (opset 13, eval mode; built and encoded with protobuf-c from onnx.proto).",
        discussion: """
            --reference N also writes OUT.reference.safetensors: the first N test images of the spec's dataset \
            (normalised, `x`), their labels and this engine's eval logits, so a runtime can be checked \
            against us (`make test-onnx` does it with onnxruntime).
            """)

    @Argument(help: "Model checkpoint (.atkd or .safetensors with metadata).")
    var checkpoint: String

    @Option(help: "Where to write the ONNX model.")
    var onnx: String

    @Option(help: "Write OUT.reference.safetensors with this many test images and our logits (0 = none).")
    var reference = 0

    @Option(help: "Spec whose dataset the reference batch and the input size come from (default: CIFAR-10).")
    var spec: String?

    @OptionGroup var data: DataOptions
    @OptionGroup var engine: EngineOptions

    func run() throws {
        do {
            let s = try spec.map { try Session.loadSpec(path: $0) } ?? ExperimentSpec()
            let meta = try ModelCheckpoint.metadata(of: checkpoint)
            guard let arch = meta[ModelCheckpoint.architectureKey], let classes = meta[ModelCheckpoint.classesKey].flatMap(Int.init) else {
                throw ValidationError("\(checkpoint): no architecture or class count in its metadata")
            }
            var rng = SeededRNG(seed: 0)
            let model = try ModelZoo.build(ModelSpec(parsing: arch), classes: classes, input: s.dataset.resolution, rng: &rng)
            try ModelCheckpoint.load(into: model, from: checkpoint)
            let bytes = try ONNXExporter.export(model, input: s.dataset.resolution)
            try FileBytes.writeAtomically(bytes, to: onnx)
            print("\(onnx): \(arch), \(classes) classes, input [batch, 3, \(s.dataset.resolution), \(s.dataset.resolution)], "
                  + "opset \(ONNXExporter.opset), \(bytes.count) bytes")
            guard reference > 0 else { return }
            let session = try Session(spec: s, dataRoot: data.dataRoot, cacheDir: data.cacheDir,
                                      threads: engine.threads, engine: engine.engine, precision: engine.precision, quiet: true)
            var xs: [Float] = [], labels: [Int64] = [], logits: [Float] = []
            let batches = session.data.testBatches(batchSize: 250)
            while labels.count < reference, let b = batches.next() {
                let take = min(b.labels.count, reference - labels.count)
                let x = Tensor(shape: [take] + Array(b.x.shape.dropFirst()), data: Array(b.x.data.prefix(take * b.x.count / b.labels.count)))
                xs += x.data
                labels += b.labels.prefix(take).map(Int64.init)
                logits += model.forward(x, ForwardContext(engine: session.engine, training: false)).logits.data
            }
            let n = labels.count, side = s.dataset.resolution
            let path = onnx + ".reference.safetensors"
            try SafeTensors.write(floats: [("x", Tensor(shape: [n, 3, side, side], data: xs)),
                                          ("logits", Tensor(shape: [n, classes], data: logits))],
                                  integers: [("labels", [n], labels)],
                                  metadata: ["architecture": arch, "engine": session.engine.name,
                                             "threads": String(session.engine.threads)], to: path)
            print("\(path): \(n) test images, their labels and \(session.engine.name)-engine logits")
        } catch let e as ValidationError { throw e } catch { fail(error) }
    }
}
