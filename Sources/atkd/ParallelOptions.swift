// `--data-parallel` and `--sync-bn`: one run over the ranks of an MPI launch (mpirun, srun).

import ArgumentParser
import Foundation
import NN
import Training
import Cluster

struct ParallelOptions: ParsableArguments {
    @Flag(help: "Under mpirun/srun: train each run over all ranks (each takes an equal share of every batch; gradients are summed with MPI_Allreduce). Without a launcher: one process, as usual.")
    var dataParallel = false

    @Flag(name: .customLong("sync-bn"),
          help: "With --data-parallel: batch-norm statistics over the whole global batch (synchronised), not each rank's share.")
    var syncBatchNorm = false

    func validate() throws {
        if syncBatchNorm && !dataParallel { throw ValidationError("--sync-bn: needs --data-parallel") }
    }

    /// The MPI world and the data-parallel settings when `--data-parallel` runs under a launcher.
    func join() throws -> (world: MPIWorld, dataParallel: DataParallel)? {
        guard dataParallel, let world = try MPIWorld.joinIfLaunched(ProcessInfo.processInfo.environment) else { return nil }
        return (world, DataParallel(group: MPIProcessGroup(world), synchronisedBatchNorm: syncBatchNorm))
    }
}

/// The MPI world as the trainer's `ProcessGroup`. A failed sum stops the whole job, as MPI's default
/// error handler would.
final class MPIProcessGroup: ProcessGroup {
    let world: MPIWorld
    init(_ world: MPIWorld) { self.world = world }
    var rank: Int { world.rank }
    var size: Int { world.size }
    func sum(_ values: inout [Float]) { run { try world.sum(&values) } }
    func sum(_ values: inout [Double]) { run { try world.sum(&values) } }

    private func run(_ body: () throws -> Void) {
        do { try body() } catch {
            FileHandle.standardError.write(Data("error: rank \(world.rank) of \(world.size): \(error)\n".utf8))
            world.abort(70)
        }
    }
}

/// Runs `body` on every rank; a rank that fails stops the job with its exit code (the others would
/// wait for ever in their next sum), rank 0 alone prints, and MPI ends cleanly.
func runDataParallel(_ world: MPIWorld, _ body: () throws -> String) {
    do {
        let text = try body()
        try world.barrier()
        if world.rank == 0 { print(text) }
    } catch {
        if case TrainingError.interrupted = error {
            if world.rank == 0 { FileHandle.standardError.write(Data("\(error)\n".utf8)) }
            world.abort(130)
        }
        FileHandle.standardError.write(Data("error: rank \(world.rank) of \(world.size): \(error)\n".utf8))
        world.abort(ExitStatus.of(error))
    }
    world.finalize()
}
