// The `atkd` command-line tool: one executable, one subcommand per task.

import ArgumentParser
import Foundation
import FastEngine

@main
struct ATKD: ParsableCommand {
    static func main() {
        CPURequirements.check()
        // `--version` is answered here: the line runs git, which no other invocation should pay for.
        if CommandLine.arguments.dropFirst().first == "--version" { print(ATKD.versionLine); return }
        OpenBLASCoreType.ensure()
        HeapReuse.configure(environment: ProcessInfo.processInfo.environment)
        // ATKD_CONV=gemm: every convolution through im2col + GEMM; =direct: 3×3 stride-1 convs
        // through the direct kernel instead of Winograd (for comparisons and debugging).
        switch ProcessInfo.processInfo.environment["ATKD_CONV"] {
        case "gemm": FastEngine.useDirectConv3x3 = false; FastEngine.useWinograd3x3 = false
        case "direct": FastEngine.useWinograd3x3 = false
        default: break
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "atkd",
        abstract: "Knowledge distillation with attention transfer, reproduced on the CPU.",
        subcommands: ATKD.allSubcommands)
}
