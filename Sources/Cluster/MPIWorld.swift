// MPI for atkd: initialised only when a launcher started several processes, so a plain `atkd`
// never touches MPI; rank, size, barrier and the sums data-parallel training needs.

import CMPI

/// The MPI job this process belongs to (`MPI_COMM_WORLD`).
public final class MPIWorld: @unchecked Sendable {
    public let rank: Int
    public let size: Int

    private init(rank: Int, size: Int) { self.rank = rank; self.size = size }

    /// The world when `LaunchEnvironment.detect` finds a multi-process launch (then `MPI_Init_thread`
    /// runs, once), else nil. Throws when MPI's own view disagrees with the environment's.
    public static func joinIfLaunched(_ env: [String: String]) throws -> MPIWorld? {
        guard let launch = LaunchEnvironment.detect(env) else { return nil }
        if atkd_mpi_initialized() == 0 {
            guard atkd_mpi_init() == MPI_SUCCESS else { throw MPIError("MPI_Init_thread failed under \(launch.launcher)") }
        }
        let world = MPIWorld(rank: Int(atkd_mpi_rank()), size: Int(atkd_mpi_size()))
        guard world.rank == launch.rank, world.size == launch.size else {
            throw MPIError("\(launch.launcher) says rank \(launch.rank) of \(launch.size), MPI says \(world.rank) of \(world.size) "
                           + "(was atkd started by a launcher of another MPI than the Open MPI it is linked with?)")
        }
        return world
    }

    /// Every rank waits here until all have arrived.
    public func barrier() throws {
        guard atkd_mpi_barrier() == MPI_SUCCESS else { throw MPIError("MPI_Barrier failed on rank \(rank)") }
    }

    /// `values` summed element-wise over all ranks, the same result on every rank.
    ///
    /// NOTE: MPI fixes neither the reduction order nor its tree for a given size; Open MPI's
    /// default algorithms are deterministic for a fixed size and message, so runs repeat bit for bit
    /// with the same rank count, not across rank counts.
    public func sum(_ values: inout [Float]) throws {
        let n = Int32(values.count)
        let rc = values.withUnsafeMutableBufferPointer { atkd_mpi_allreduce_sum_float($0.baseAddress, n) }
        guard rc == MPI_SUCCESS else { throw MPIError("MPI_Allreduce (\(values.count) floats) failed on rank \(rank)") }
    }

    public func sum(_ values: inout [Double]) throws {
        let n = Int32(values.count)
        let rc = values.withUnsafeMutableBufferPointer { atkd_mpi_allreduce_sum_double($0.baseAddress, n) }
        guard rc == MPI_SUCCESS else { throw MPIError("MPI_Allreduce (\(values.count) doubles) failed on rank \(rank)") }
    }

    /// Ends MPI (call once, at exit, on every rank).
    public func finalize() { _ = atkd_mpi_finalize() }

    /// Stops every rank of the job with `code` (after a rank failed, so the others do not wait for ever).
    public func abort(_ code: Int32) { _ = atkd_mpi_abort(code) }
}

public struct MPIError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = "MPI: " + d }
}
