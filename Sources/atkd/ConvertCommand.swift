// `atkd convert IN OUT`: checkpoints to and from safetensors with PyTorch state_dict names.

import ArgumentParser
import Foundation
import TensorCore
import Models

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a checkpoint between .atkd and .safetensors (PyTorch state_dict names).",
        discussion: """
            The zoo's parameter and buffer names are the reference codebases' state_dict keys \
            (torchvision for resnet18/34/50 and mobilenetv2-imagenet, RepDistiller / attention-transfer for \
            wrn-*, kuangliu for the CIFAR MobileNetV2, RepDistiller for resnet20…), so the name map is the \
            identity; batch norms gain PyTorch's `num_batches_tracked` (I64) on export and lose it on import.
            .atkd → .safetensors needs nothing else. .safetensors → .atkd builds the model: --model (or the \
            file's `architecture` metadata), --classes (or `classes`), --input for the stem; missing, extra or \
            misshaped keys are errors that list them.
              atkd convert teachers/cifar10-wrn-16-2.atkd wrn.safetensors
              atkd convert torch_wrn.safetensors wrn.atkd --model wrn-16-2 --classes 10
            """)

    @Argument(help: "Input checkpoint (.atkd or .safetensors).")
    var input: String

    @Argument(help: "Output checkpoint (.atkd or .safetensors).")
    var output: String

    @Option(help: "Architecture of a .safetensors input (default: its `architecture` metadata).")
    var model: String?

    @Option(help: "Classes of a .safetensors input (default: its `classes` metadata).")
    var classes: Int?

    @Option(name: .customLong("input-size"), help: "Image side the model is built for (chooses the stem).")
    var inputSize = 32

    func run() throws {
        do {
            switch (input.hasSuffix(".safetensors"), output.hasSuffix(".safetensors")) {
            case (false, true):
                let archive = try TensorArchive.read(from: input)
                let floats = archive.tensors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                let counters = floats.map(\.0).filter { $0.hasSuffix(".running_mean") }
                    .map { String($0.dropLast(".running_mean".count)) + ".num_batches_tracked" }
                try SafeTensors.write(floats: floats, integers: counters.map { ($0, [], [0]) },
                                      metadata: archive.metadata, to: output)
                print("\(output): \(floats.count) tensors (+ \(counters.count) num_batches_tracked) from \(input)")
            case (true, false):
                let meta = try SafeTensors.read(from: input).metadata
                guard let arch = model ?? meta[ModelCheckpoint.architectureKey] else {
                    throw ValidationError("\(input) records no architecture: give --model (see `atkd models`)")
                }
                guard let k = classes ?? meta[ModelCheckpoint.classesKey].flatMap(Int.init) else {
                    throw ValidationError("\(input) records no class count: give --classes")
                }
                var rng = SeededRNG(seed: 0)
                let net = try ModelZoo.make(arch, classes: k, input: inputSize, rng: &rng)
                try ModelCheckpoint.loadSafeTensors(into: net, from: input)
                var keep = meta
                keep["converted_from"] = (input as NSString).lastPathComponent
                try ModelCheckpoint.save(model: net, metadata: keep, to: output)
                print("\(output): \(net.name), \(k) classes, \(net.parameterCount) parameters from \(input)")
            default:
                throw ValidationError("convert goes between .atkd and .safetensors (got \(input) → \(output))")
            }
        } catch let e as ValidationError { throw e } catch { fail(error) }
    }
}
