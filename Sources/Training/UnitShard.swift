// Which of an experiment's units (arm × seed, in spec order) one process of a sweep trains.

/// Shard `index` of `count`: units k with k mod count = index (round robin, so arms of every seed
/// spread over the shards). Every unit's numbers are those of the sequential run: a unit depends
/// only on its seed, arm, spec and teacher, never on which other units the process trained.
public struct UnitShard: Equatable, Sendable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public static let whole = UnitShard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "shard \(index)/\(count)")
        self.index = index; self.count = count
    }

    /// Parses `i/n` with 0 ≤ i < n (as Slurm's `SLURM_ARRAY_TASK_ID` of an `--array=0-(n-1)` job).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (0..<n).contains(i) else {
            throw SpecError("--shard \(text): expected i/n with 0 ≤ i < n, e.g. 0/4")
        }
        self.init(index: i, count: n)
    }

    public func owns(unit k: Int) -> Bool { k % count == index }

    public var description: String { "\(index)/\(count)" }
}
