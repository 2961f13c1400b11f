// The `atkd` command-line tool: one executable, one subcommand per task.

import ArgumentParser

@main
struct ATKD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atkd",
        abstract: "Knowledge distillation with attention transfer, reproduced on the CPU.",
        subcommands: ATKD.allSubcommands)
}
