// `atkd run SPEC`: a whole experiment — teacher, then every arm × seed.

import ArgumentParser
import Foundation
import Training
import Cluster

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment spec: obtain the teacher, then train every arm for every seed.",
        discussion: """
        Runs are resumable: run the same command again to continue unfinished runs (finished ones are \
        skipped). Ctrl-C checkpoints and exits. Results: runs/<name>/<arm>-seed<k>/{metrics.tsv, final.json}.

        More than one process: under `mpirun -np N` (or `srun`) the ranks share the units (arm × seed, \
        round robin) after rank 0 has obtained the teacher; each unit's numbers are those of the \
        sequential run with the same threads. Without MPI, `--shard i/n` trains shard i of n (a job \
        array), after `--teacher-only` has obtained the teacher.
        """)

    @Argument(help: "Experiment spec (JSON), e.g. experiments/cifar-cpu.json.")
    var spec: String

    @Option(help: "Comma-separated seeds overriding the spec's `seeds` (e.g. 1,2,3).")
    var seeds: String?

    @Option(help: "Comma-separated arms overriding the spec's `arms` (ce, kd, at, atkd; dkd, rkd, sp, pkt, fitnet, crd, crdkd).")
    var arms: String?

    @Flag(help: "Train the teacher even when its checkpoint exists.")
    var retrainTeacher = false

    @Option(help: "Train only shard i of n of the units (0 ≤ i < n, round robin over arm × seed); the teacher must exist.")
    var shard: String?

    @Flag(help: "Obtain the teacher (train it, or evaluate its checkpoint) and stop.")
    var teacherOnly = false

    @Option(help: ArgumentHelp(
        "GiB of teacher outputs a seed's distillation arms share, per process (0: none; results are the same).",
        discussion: "Default: a quarter of physical memory, at most 8 GiB."))
    var teacherCacheGib: Double?

    @Option(help: ArgumentHelp(
        "GiB of a seed's teacher outputs kept on disk for a later process of the seed (0: none; results are the same).",
        discussion: "Kept under runs/<name>/teacher-outputs/seed<k>/, removed when the seed's units have finished: "
            + "a run stopped and resumed mid-seed reads them instead of running the teacher again. One process only "
            + "(not with --shard, MPI or --data-parallel). Default: a quarter of the free disk space, at most 16 GiB."))
    var teacherCacheDiskGib: Double?

    @OptionGroup var location: RunLocationOptions
    @OptionGroup var data: DataOptions
    @OptionGroup var engine: EngineOptions
    @OptionGroup var parallel: ParallelOptions

    func validate() throws {
        if let g = teacherCacheGib, !(g >= 0 && g.isFinite) {
            throw ValidationError("--teacher-cache-gib: takes a size in GiB ≥ 0 (got \(g))")
        }
        if let g = teacherCacheDiskGib, !(g >= 0 && g.isFinite) {
            throw ValidationError("--teacher-cache-disk-gib: takes a size in GiB ≥ 0 (got \(g))")
        }
    }

    func run() throws {
        do {
            let launch = try parallel.join()
            var s = try Session.loadSpec(path: spec)
            if let seeds { s.seeds = try parseSeeds(seeds) }
            if let arms { s.arms = arms.split(separator: ",").map(String.init); try Session.validate(s, source: "--arms") }
            let session = try Session(spec: s, dataRoot: data.dataRoot, cacheDir: data.cacheDir,
                                      threads: engine.threads, engine: engine.engine, precision: engine.precision,
                                      quiet: location.quiet || (launch?.world.rank ?? 0) != 0)
            var options = location.runOptions(retrainTeacher: retrainTeacher)
            if let g = teacherCacheGib { options.teacherCacheBytes = Int(g * Double(1 << 30)) }
            if let g = teacherCacheDiskGib { options.teacherCacheDiskBytes = Int(g * Double(1 << 30)) }
            if let launch {
                guard shard == nil, !teacherOnly else { throw ValidationError("--data-parallel: trains every unit over all ranks; drop --shard/--teacher-only") }
                options.dataParallel = launch.dataParallel
                options.quiet = options.quiet || launch.world.rank != 0
                let runner = ExperimentRunner(spec: session.spec, data: session.data, engine: session.engine, options: options)
                InterruptHandler.install()
                runDataParallel(launch.world) { Session.table(try runner.runAll()) }
                return
            }
            let runner = ExperimentRunner(spec: session.spec, data: session.data, engine: session.engine, options: options)
            InterruptHandler.install()
            if teacherOnly {
                if runner.needsTeacher { _ = try runner.obtainTeacher() }
                return
            }
            if let world = try MPIWorld.joinIfLaunched(ProcessInfo.processInfo.environment) {
                try runSweep(runner, world: world)
                return
            }
            let part = try shard.map { try UnitShard(parsing: $0) } ?? .whole
            let summaries = try runner.runAll(shard: part, teacherLoadOnly: part.count > 1)
            print(Session.table(summaries))
        } catch let e as ValidationError { throw e } catch { fail(error) }
    }

    /// The units spread over the MPI ranks: rank 0 obtains the teacher, all wait for it, each trains
    /// its shard, all wait again, and rank 0 prints every unit. A failing rank stops the whole job.
    func runSweep(_ runner: ExperimentRunner, world: MPIWorld) throws {
        guard shard == nil else { throw ValidationError("--shard and an MPI launch both split the units; give one") }
        let part = UnitShard(index: world.rank, count: world.size)
        do {
            _ = try runner.runAll(shard: part, teacherLoadOnly: world.rank != 0, teacherReady: { try world.barrier() })
            try world.barrier()
        } catch {
            FileHandle.standardError.write(Data("error: rank \(world.rank) of \(world.size): \(error)\n".utf8))
            world.abort(ExitStatus.of(error))
        }
        if world.rank == 0 { print(Session.table(runner.finishedSummaries())) }
        world.finalize()
    }
}
