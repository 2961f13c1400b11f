import XCTest
import Cluster
import Training

final class LaunchEnvironmentTests: XCTestCase {
    func testLaunchersAreRecognisedAndASingleProcessIsNot() {
        XCTAssertEqual(LaunchEnvironment.detect(["OMPI_COMM_WORLD_RANK": "1", "OMPI_COMM_WORLD_SIZE": "4"]),
                       LaunchEnvironment(rank: 1, size: 4, launcher: "mpirun"))
        XCTAssertEqual(LaunchEnvironment.detect(["PMI_RANK": "0", "PMI_SIZE": "2"]),
                       LaunchEnvironment(rank: 0, size: 2, launcher: "pmi"))
        XCTAssertEqual(LaunchEnvironment.detect(["SLURM_PROCID": "3", "SLURM_NTASKS": "8"]),
                       LaunchEnvironment(rank: 3, size: 8, launcher: "srun"))
        XCTAssertNil(LaunchEnvironment.detect([:]))
        XCTAssertNil(LaunchEnvironment.detect(["OMPI_COMM_WORLD_RANK": "0", "OMPI_COMM_WORLD_SIZE": "1"]), "one process: no MPI")
        XCTAssertNil(LaunchEnvironment.detect(["SLURM_PROCID": "0", "SLURM_NTASKS": "1", "SLURM_JOB_ID": "7"]),
                     "an sbatch script's own shell is not a launch")
        XCTAssertNil(LaunchEnvironment.detect(["OMPI_COMM_WORLD_RANK": "4", "OMPI_COMM_WORLD_SIZE": "4"]), "rank out of range")
        XCTAssertNil(try MPIWorld.joinIfLaunched([:]), "a plain atkd never initialises MPI")
    }
}

final class UnitShardTests: XCTestCase {
    func testRoundRobinCoversEveryUnitOnce() throws {
        let shards = try (0..<3).map { try UnitShard(parsing: "\($0)/3") }
        for k in 0..<10 { XCTAssertEqual(shards.filter { $0.owns(unit: k) }.count, 1) }
        XCTAssertEqual((0..<8).filter { shards[1].owns(unit: $0) }, [1, 4, 7])
        XCTAssertTrue((0..<5).allSatisfy { UnitShard.whole.owns(unit: $0) })
        for bad in ["3/3", "-1/2", "1", "a/b", "0/0", "1/2/3"] {
            XCTAssertThrowsError(try UnitShard(parsing: bad), bad) { XCTAssertTrue("\($0)".contains("--shard \(bad)")) }
        }
    }
}
