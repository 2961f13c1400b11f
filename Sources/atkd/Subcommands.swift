// The registry of subcommands; each lives in its own file.

import ArgumentParser
import Training

extension ATKD {
    static var allSubcommands: [ParsableCommand.Type] {
        [RunCommand.self, TrainCommand.self, DistillCommand.self, EvalCommand.self, RegressCommand.self,
         Version.self, Verify.self, DataCommand.self, ReportCommand.self, BenchCommand.self, ModelsCommand.self,
         StatusCommand.self, ConvertCommand.self, ExportCommand.self, SlurmCommand.self]
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version (and the commit of the checkout it runs in).")
    func run() { print(ATKD.versionLine) }
}

extension ATKD {
    /// `atkd 0.6.0 (checkout 1a2b3c4d…, clean)`: the tool's version and, when run inside a git
    /// checkout, its commit and whether tracked files differ (what run provenance records).
    static var versionLine: String {
        let git = GitState.shared
        guard let commit = git.commit else { return "atkd \(ATKDVersion.string)" }
        return "atkd \(ATKDVersion.string) (checkout \(commit), \(git.dirty == true ? "dirty" : "clean"))"
    }
}
