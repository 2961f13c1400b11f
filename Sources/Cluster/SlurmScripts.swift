// Slurm batch scripts for an experiment: a teacher job then a job array of shards, or one MPI job.

/// What `atkd slurm` writes: batch scripts and the `submit.sh` that chains them with `sbatch`.
///
/// - Array mode: `teacher.sbatch` (`atkd run SPEC --teacher-only`), then `units.sbatch`, an array
///   `--array=0-(n−1)` of `atkd run SPEC --shard $SLURM_ARRAY_TASK_ID/n`, submitted with
///   `--dependency=afterok:<teacher job>`. Each task is one process with `cpusPerTask` threads.
/// - MPI mode: `units.sbatch` with `--ntasks=ranks` running `mpirun atkd run SPEC` inside the
///   allocation (Open MPI reads Slurm's allocation itself); rank 0 obtains the teacher.
/// - Reference: Slurm 22.05 sbatch(1) (`--array`, `--dependency=afterok`, `--parsable`, `%A_%a`).
public struct SlurmScripts: Equatable {
    public enum Mode: Equatable { case array(shards: Int), mpi(ranks: Int) }

    public var spec: String
    public var experiment: String
    public var mode: Mode
    public var atkd: String
    public var runs: String
    public var cpusPerTask: Int
    public var nodes: Int?
    public var time: String?
    public var partition: String?
    /// Extra `atkd run` flags (e.g. `--data-root DIR`).
    public var extraFlags: [String]
    /// Where the jobs run `atkd` (relative paths in the spec and flags resolve from there); the
    /// jobs' logs go to the scripts' folder, where `submit.sh` calls `sbatch`.
    public var projectRoot: String

    public init(spec: String, experiment: String, mode: Mode, atkd: String, runs: String, cpusPerTask: Int,
                nodes: Int? = nil, time: String? = nil, partition: String? = nil, extraFlags: [String] = [], projectRoot: String) {
        self.spec = spec; self.experiment = experiment; self.mode = mode; self.atkd = atkd; self.runs = runs
        self.cpusPerTask = cpusPerTask; self.nodes = nodes; self.time = time; self.partition = partition
        self.extraFlags = extraFlags; self.projectRoot = projectRoot
    }

    /// File name → content.
    public func files() -> [String: String] {
        let run = ([quote(atkd), "run", quote(spec), "--runs", quote(runs), "--threads", String(cpusPerTask)]
                   + extraFlags.map(quote)).joined(separator: " ")
        switch mode {
        case .array(let n):
            let teacher = header(job: "\(experiment)-teacher", log: "teacher-%j") + ["", "\(run) --teacher-only"]
            let units = header(job: "\(experiment)-units", log: "units-%A_%a", directives: ["--array=0-\(n - 1)"]) + [
                "", "\(run) --shard \"$SLURM_ARRAY_TASK_ID/\(n)\""]
            let submit = submitHeader() + [
                "teacher=$(sbatch --parsable teacher.sbatch)",
                "units=$(sbatch --parsable --dependency=afterok:\"${teacher%%;*}\" units.sbatch)",
                "echo \"submitted: teacher job ${teacher%%;*}, units array ${units%%;*} (\(n) tasks)\""]
            return ["teacher.sbatch": lines(teacher), "units.sbatch": lines(units), "submit.sh": lines(submit)]
        case .mpi(let ranks):
            let units = header(job: "\(experiment)-mpi", log: "mpi-%j", tasks: ranks) + [
                "", "mpirun \(run)"]
            let submit = submitHeader() + [
                "job=$(sbatch --parsable units.sbatch)",
                "echo \"submitted: MPI job ${job%%;*} (\(ranks) ranks)\""]
            return ["units.sbatch": lines(units), "submit.sh": lines(submit)]
        }
    }

    /// NOTE: sbatch reads `#SBATCH` lines only before the first command: every directive comes first.
    func header(job: String, log: String, tasks: Int = 1, directives: [String] = []) -> [String] {
        var h = ["#!/usr/bin/env bash", "# Written by `atkd slurm` for \(spec); submit with ./submit.sh.",
                 "#SBATCH --job-name=\(job)", "#SBATCH --output=\(log).out", "#SBATCH --ntasks=\(tasks)",
                 "#SBATCH --cpus-per-task=\(cpusPerTask)"]
        if let nodes { h.append("#SBATCH --nodes=\(nodes)") }
        if let time { h.append("#SBATCH --time=\(time)") }
        if let partition { h.append("#SBATCH --partition=\(partition)") }
        h += directives.map { "#SBATCH " + $0 }
        h += ["set -euo pipefail", "export OPENBLAS_NUM_THREADS=\(cpusPerTask)", "cd \(quote(projectRoot))"]
        return h
    }

    func submitHeader() -> [String] {
        ["#!/usr/bin/env bash", "# Submits the jobs of \(spec) (written by `atkd slurm`).", "set -euo pipefail",
         "cd \"$(dirname \"$0\")\""]
    }

    func lines(_ l: [String]) -> String { l.joined(separator: "\n") + "\n" }

    /// Single-quoted for bash unless it is plainly safe.
    func quote(_ s: String) -> String {
        let safe = s.allSatisfy { $0.isLetter || $0.isNumber || "/._-=,:+@%".contains($0) }
        return safe && !s.isEmpty ? s : "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
