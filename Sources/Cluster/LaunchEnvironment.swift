// Which rank of how many this process is, read from what the launcher (mpirun, srun) put in the
// environment — before, and independently of, MPI itself.

/// A process's place in a multi-process job, as its launcher describes it.
public struct LaunchEnvironment: Equatable, Sendable {
    public var rank: Int
    public var size: Int
    /// The launcher that said so: `mpirun` (Open MPI), `pmi` (MPICH/Hydra, PMIx), `srun` (Slurm).
    public var launcher: String

    public init(rank: Int, size: Int, launcher: String) { self.rank = rank; self.size = size; self.launcher = launcher }

    /// The rank and size from the environment, or nil when no launcher started more than one process.
    ///
    /// Open MPI's `OMPI_COMM_WORLD_RANK/SIZE`, then PMI / PMIx (`PMI_RANK`/`PMI_SIZE`,
    /// `PMIX_RANK` with `OMPI_COMM_WORLD_SIZE`), then Slurm's `SLURM_PROCID`/`SLURM_NTASKS` (srun).
    /// - Reference: Open MPI 4.1 mpirun(1) "Exported environment variables"; Slurm srun(1) "OUTPUT ENVIRONMENT VARIABLES".
    public static func detect(_ env: [String: String]) -> LaunchEnvironment? {
        let candidates: [(String, String, String)] = [
            ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "mpirun"),
            ("PMI_RANK", "PMI_SIZE", "pmi"),
            ("SLURM_PROCID", "SLURM_NTASKS", "srun"),
        ]
        for (r, s, launcher) in candidates {
            if let rank = env[r].flatMap(Int.init), let size = env[s].flatMap(Int.init), size > 1, (0..<size).contains(rank) {
                return LaunchEnvironment(rank: rank, size: size, launcher: launcher)
            }
        }
        return nil
    }
}
