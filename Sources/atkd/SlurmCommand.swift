// `atkd slurm SPEC`: batch scripts that run an experiment on a Slurm cluster (a job array of shards
// after a teacher job, or one MPI job), and the submit.sh that chains them.

import ArgumentParser
import Foundation
import Training
import Cluster

struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write Slurm batch scripts for an experiment: a teacher job then a job array (--array), or one MPI job (--ranks N).",
        discussion: """
        Writes teacher.sbatch, units.sbatch and submit.sh into --out (default <runs>/<name>/slurm); run \
        ./submit.sh there. Array mode: the teacher job runs `atkd run SPEC --teacher-only`, then an array \
        of --tasks shards (default: one per unit) runs `atkd run SPEC --shard i/n` after it (afterok). \
        MPI mode: one job of N tasks runs `mpirun atkd run SPEC` (ranks share out the units), or with \
        --data-parallel `mpirun atkd run SPEC --data-parallel` (every unit over all N ranks). Jobs run in \
        the current directory.
        """)

    @Argument(help: "Experiment spec (JSON).")
    var spec: String

    @Flag(help: "A teacher job, then a job array of shards (the default).")
    var array = false

    @Option(help: "One MPI job of this many ranks instead of a job array.")
    var ranks: Int?

    @Flag(help: "With --ranks: the MPI job trains each unit over all ranks (`atkd run --data-parallel`) instead of sharing out the units.")
    var dataParallel = false

    @Flag(name: .customLong("sync-bn"), help: "With --data-parallel: synchronised batch norm.")
    var syncBatchNorm = false

    @Option(help: "Array tasks (shards); default: one per unit (arm × seed).")
    var tasks: Int?

    @Option(help: "CPUs (engine threads) per task (default: the spec's `threads`).")
    var cpusPerTask: Int?

    @Option(help: "Nodes (sbatch --nodes).")
    var nodes: Int?

    @Option(help: "Time limit per job (sbatch --time, e.g. 24:00:00).")
    var time: String?

    @Option(help: "Partition (sbatch --partition).")
    var partition: String?

    @Option(help: "The atkd binary the jobs run (default: this one).")
    var atkd: String?

    @Option(help: "Folder for the scripts (default: <runs>/<name>/slurm).")
    var out: String?

    @Option(help: "Folder of run directories, as the jobs will see it.")
    var runs = "runs"

    @Option(help: "Dataset root the jobs pass to atkd run (--data-root).")
    var dataRoot: String?

    func validate() throws {
        if array && ranks != nil { throw ValidationError("--array and --ranks choose two different jobs; give one") }
        if let ranks, ranks < 1 { throw ValidationError("--ranks \(ranks): must be at least 1") }
        if dataParallel && ranks == nil { throw ValidationError("--data-parallel: needs --ranks N (one MPI job)") }
        if syncBatchNorm && !dataParallel { throw ValidationError("--sync-bn: needs --data-parallel") }
        if let tasks, tasks < 1 { throw ValidationError("--tasks \(tasks): must be at least 1") }
        if let cpusPerTask, cpusPerTask < 1 { throw ValidationError("--cpus-per-task \(cpusPerTask): must be at least 1") }
        if let nodes, nodes < 1 { throw ValidationError("--nodes \(nodes): must be at least 1") }
    }

    func run() throws {
        do {
            let s = try Session.loadSpec(path: spec)
            let units = s.arms.count * s.seeds.count
            let mode: SlurmScripts.Mode = ranks.map { .mpi(ranks: $0) } ?? .array(shards: min(tasks ?? units, units))
            let cwd = FileManager.default.currentDirectoryPath
            let binary = atkd ?? URL(fileURLWithPath: CommandLine.arguments[0], relativeTo: URL(fileURLWithPath: cwd + "/"))
                .standardizedFileURL.path
            let scripts = SlurmScripts(spec: spec, experiment: s.name, mode: mode, atkd: binary, runs: runs,
                                       cpusPerTask: cpusPerTask ?? s.threads, nodes: nodes, time: time, partition: partition,
                                       extraFlags: (dataRoot.map { ["--data-root", $0] } ?? [])
                                           + (dataParallel ? ["--data-parallel"] : []) + (syncBatchNorm ? ["--sync-bn"] : []),
                                       projectRoot: cwd)
            let folder = out ?? "\(runs)/\(s.name)/slurm"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (name, text) in scripts.files().sorted(by: { $0.key < $1.key }) {
                let path = "\(folder)/\(name)"
                try AtomicFile.write(text, to: path)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
                print(path)
            }
            switch mode {
            case .array(let n): print("\(units) units in \(n) array tasks after the teacher job; submit: (cd \(folder) && ./submit.sh)")
            case .mpi(let r): print("\(units) units over \(r) MPI ranks; submit: (cd \(folder) && ./submit.sh)")
            }
        } catch let e as ValidationError { throw e } catch { fail(error) }
    }
}
