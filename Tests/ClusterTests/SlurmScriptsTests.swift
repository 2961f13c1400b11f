import XCTest
import Cluster

final class SlurmScriptsTests: XCTestCase {
    func testArrayModeChainsTheUnitsAfterTheTeacher() {
        let s = SlurmScripts(spec: "experiments/cifar-smoke.json", experiment: "cifar-smoke", mode: .array(shards: 4),
                             atkd: "/opt/atkd/bin/atkd", runs: "runs", cpusPerTask: 2, time: "01:00:00",
                             extraFlags: ["--data-root", "/data/my sets"], projectRoot: "/home/u/atkd")
        let f = s.files()
        XCTAssertEqual(Set(f.keys), ["teacher.sbatch", "units.sbatch", "submit.sh"])
        let teacher = f["teacher.sbatch"]!, units = f["units.sbatch"]!, submit = f["submit.sh"]!
        XCTAssertTrue(teacher.contains("/opt/atkd/bin/atkd run experiments/cifar-smoke.json --runs runs --threads 2 "
                                       + "--data-root '/data/my sets' --teacher-only"), teacher)
        XCTAssertTrue(units.contains("#SBATCH --array=0-3\n"), units)
        XCTAssertTrue(units.contains("--shard \"$SLURM_ARRAY_TASK_ID/4\""), units)
        XCTAssertTrue(units.contains("#SBATCH --cpus-per-task=2\n") && units.contains("#SBATCH --time=01:00:00\n"))
        XCTAssertTrue(units.contains("cd /home/u/atkd\n"))
        XCTAssertFalse(teacher.contains("--array"))
        XCTAssertTrue(submit.contains("--dependency=afterok:\"${teacher%%;*}\" units.sbatch"), submit)
        XCTAssertTrue(f.values.allSatisfy { $0.hasPrefix("#!/usr/bin/env bash\n") })
        // sbatch stops reading directives at the first command.
        for (name, text) in f {
            let lines = text.split(separator: "\n")
            let firstCommand = lines.firstIndex { !$0.hasPrefix("#") && !$0.isEmpty } ?? lines.endIndex
            XCTAssertFalse(lines[firstCommand...].contains { $0.hasPrefix("#SBATCH") }, "\(name): a directive after a command")
        }
    }

    func testMPIModeIsOneJobOfNTasks() {
        let s = SlurmScripts(spec: "e.json", experiment: "e", mode: .mpi(ranks: 8), atkd: "atkd", runs: "runs",
                             cpusPerTask: 4, nodes: 2, projectRoot: "/p")
        let f = s.files()
        XCTAssertEqual(Set(f.keys), ["units.sbatch", "submit.sh"])
        XCTAssertTrue(f["units.sbatch"]!.contains("#SBATCH --ntasks=8\n#SBATCH --cpus-per-task=4\n#SBATCH --nodes=2\n"))
        XCTAssertTrue(f["units.sbatch"]!.contains("\nmpirun atkd run e.json --runs runs --threads 4\n"))
    }

    func testDataParallelFlagsReachTheMPILine() {
        let s = SlurmScripts(spec: "e.json", experiment: "e", mode: .mpi(ranks: 4), atkd: "atkd", runs: "runs",
                             cpusPerTask: 2, extraFlags: ["--data-parallel", "--sync-bn"], projectRoot: "/p")
        XCTAssertTrue(s.files()["units.sbatch"]!.contains("\nmpirun atkd run e.json --runs runs --threads 2 --data-parallel --sync-bn\n"))
    }
}
