// The registry of subcommands; each lives in its own file.

import ArgumentParser

extension ATKD {
    static var allSubcommands: [ParsableCommand.Type] {
        [RunCommand.self, TrainCommand.self, DistillCommand.self, EvalCommand.self, RegressCommand.self,
         Version.self, Verify.self, DataCommand.self, ReportCommand.self, BenchCommand.self, ModelsCommand.self,
         StatusCommand.self, ConvertCommand.self, ExportCommand.self]
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print("atkd 0.1.0") }
}
