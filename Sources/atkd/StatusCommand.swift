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
            + "another seed of the same arm, or (≈, a distillation arm never measured) over the experiment's other "
            + "distillation units. Example: atkd status experiments/evidence-*.json")

    @Argument(help: "Experiment specs (JSON).")
    var specs: [String]

    @Option(help: "Folder of run directories.")
    var runs = "runs"

    @Option(help: ArgumentHelp("A model trained on its own by `atkd train --spec SPEC --name NAME` (repeatable): "
                               + "its folder NAME/teacher, with SPEC's teacher epochs.", valueName: "NAME=SPEC"))
    var trained: [String] = []

    func run() throws {
        do {
            var units: [CampaignUnit] = []
            for path in specs {
                let spec = try SpecLoader.load(path: path)
                units += CampaignStatus.units(of: spec, runsRoot: runs,
                                              projectRoot: FileManager.default.currentDirectoryPath)
            }
            for item in trained {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw ValidationError("--trained wants NAME=SPEC, got '\(item)'")
                }
                units.append(CampaignStatus.trainedUnit(name: parts[0], spec: try SpecLoader.load(path: parts[1]),
                                                        runsRoot: runs))
            }
            print(CampaignStatus.table(units))
            let folders = CampaignStatus.teacherOutputFolders(experiments: units.map(\.experiment), runsRoot: runs)
            CampaignStatus.teacherOutputLines(folders).forEach { print($0) }
        } catch let e as ValidationError { throw e } catch { fail(error) }
    }
}
