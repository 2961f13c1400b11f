// The runner's teacher outputs on disk: where a seed's are kept, and the store a run's cache gets.

import Foundation

extension ExperimentRunner {
    /// Where seed `seed`'s teacher outputs are kept on disk.
    public func teacherOutputDirectory(seed: Int) -> String { "\(experimentDirectory)/\(TeacherOutputStore.folderName)/seed\(seed)" }

    /// Gives `cache` the disk store of `seed` for `run`'s teacher outputs (one process writing the
    /// experiment's folder, and a disk budget): reopened when the run's identity differs from the
    /// store's. Its identity is the run's fingerprint without the arm: what the teacher's outputs on
    /// the seed's batches depend on, the same for every arm of the seed.
    func attachStore(to cache: TeacherOutputCache, run: TrainingRun, seed: Int, shard: UnitShard) throws {
        let budget = options.teacherCacheDiskBytes ?? TeacherOutputStore.defaultCapacityBytes(at: experimentDirectory)
        guard shard.count == 1, options.dataParallel == nil, options.writes, budget > 0 else { return }
        var identity = run.fingerprint()
        identity.components["arm"] = nil
        if cache.store?.identity != identity || cache.store?.directory != teacherOutputDirectory(seed: seed) {
            cache.store = try TeacherOutputStore(directory: teacherOutputDirectory(seed: seed), identity: identity,
                                                 capacityBytes: budget)
        }
    }
}
