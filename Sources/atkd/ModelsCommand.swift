// `atkd models`: every architecture of the zoo with its parameter and MAC counts.

import ArgumentParser
import Foundation
import TensorCore
import FastEngine
import NN
import Models

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the architectures with parameters and multiply-accumulates per image.")

    @Flag(help: "One JSON object per line: name, classes, input, params, macs, taps.")
    var json = false

    @Option(help: "Number of classes of the classifier.")
    var classes = 10

    @Option(help: "Input side in pixels (32, 64 or 224); ≤ 64 selects the CIFAR stems.")
    var input = 32

    @Option(help: "Comma-separated names (default: every listed architecture).")
    var names: String?

    func validate() throws {
        guard classes >= 1 else { throw ValidationError("--classes must be at least 1") }
        guard input >= 8 else { throw ValidationError("--input must be at least 8") }
    }

    func run() throws {
        let list = names.map { $0.split(separator: ",").map(String.init) } ?? (ModelZoo.names + ModelZoo.variantNames)
        if !json {
            print("name".padding(toLength: 28, withPad: " ", startingAt: 0)
                  + "params".leftPadded(13) + "MMACs".leftPadded(12) + "  taps (C×H)")
        }
        for name in list {
            var rng = SeededRNG.shapesOnly  // counts need shapes, not random weights
            let model: any Model
            do { model = try ModelZoo.make(name, classes: classes, input: input, rng: &rng) } catch {
                throw ValidationError("\(error)")
            }
            // Shapes only: a counting forward with no arithmetic (MACs depend on shapes alone).
            let ctx = ForwardContext(engine: ShapeOnlyKernels(), training: false, countMACs: true)
            let out = model.forward(Tensor(zeros: [1, 3, input, input]), ctx)
            let macs = ctx.macs ?? 0
            let taps = out.taps.map { "\($0.value.shape[1])x\($0.value.shape[2])" }
            if json {
                let row: [String: Any] = ["name": name, "classes": classes, "input": input,
                                          "params": model.parameterCount, "macs": macs, "taps": taps]
                let data = try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(name.padding(toLength: 28, withPad: " ", startingAt: 0)
                      + String(model.parameterCount).leftPadded(13)
                      + String(format: "%12.1f", Double(macs) / 1e6) + "  " + taps.joined(separator: " "))
            }
        }
    }
}

private extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
