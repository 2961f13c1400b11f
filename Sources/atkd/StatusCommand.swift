// `atkd status SPEC...`: what a campaign has done, what runs and what remains, with its measured cost.

import ArgumentParser
import Foundation
import Reports
import Training

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each unit (teacher, arm × seed) of experiment specs: done, running, remaining, and the cost of the rest.",
        discussion: "Seconds per epoch are the median `epoch_seconds` measured in the unit's metrics.tsv, or (~) in "
            + "another seed of the same arm. Example: atkd status experiments/evidence-*.json")

    @Argument(help: "Experiment specs (JSON).")
    var specs: [String]

    @Option(help: "Folder of run directories.")
    var runs = "runs"

    func run() throws {
        do {
            var units: [CampaignUnit] = []
            for path in specs {
                let spec = try SpecLoader.load(path: path)
                units += CampaignStatus.units(of: spec, runsRoot: runs,
                                              projectRoot: FileManager.default.currentDirectoryPath)
            }
            print(CampaignStatus.table(units))
        } catch let e as ValidationError { throw e } catch { fail(error) }
    }
}
