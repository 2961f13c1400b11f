// The `atkd` command-line tool: one executable, one subcommand per task.

import ArgumentParser
import Foundation

@main
struct ATKD: ParsableCommand {
    static func main() {
        OpenBLASCoreType.ensure()
        HeapReuse.configure(environment: ProcessInfo.processInfo.environment)
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
