// A ProcessGroup whose members are threads of one process: what data-parallel code does over MPI,
// testable without a launcher. Sums are taken in rank order, so results repeat bit for bit.

import Foundation
import NN

/// The meeting point of `size` in-process ranks.
public final class ThreadGroupHub: @unchecked Sendable {
    public let size: Int
    private let condition = NSCondition()
    private var contributions: [Any?]
    private var arrived = 0
    private var leaving = 0
    private var round = 0
    private var result: Any = ()

    public init(size: Int) {
        precondition(size >= 1)
        self.size = size
        contributions = Array(repeating: nil, count: size)
    }

    /// The element-wise sum of every rank's `values`, in rank order; blocks until all ranks arrive.
    func sum<T: AdditiveArithmetic>(rank: Int, _ values: [T]) -> [T] {
        condition.lock(); defer { condition.unlock() }
        while leaving > 0 { condition.wait() }  // the previous round's results are still being read
        contributions[rank] = values
        arrived += 1
        let myRound = round
        if arrived == size {
            let all = contributions.map { $0 as! [T] }
            precondition(Set(all.map(\.count)).count == 1, "ranks summed arrays of different lengths: \(all.map(\.count))")
            var total = all[0]
            for r in 1..<size { for i in total.indices { total[i] += all[r][i] } }
            result = total
            arrived = 0; leaving = size; round += 1
            condition.broadcast()
        } else {
            while round == myRound { condition.wait() }
        }
        let out = result as! [T]
        leaving -= 1
        if leaving == 0 { condition.broadcast() }
        return out
    }

    /// Runs `body(rank)` on `size` threads at once and returns the results in rank order.
    public func run<T>(_ body: @escaping (ThreadGroupMember) throws -> T) -> [Result<T, Error>] {
        let slots = ResultSlots<T>(size), done = DispatchGroup()
        for r in 0..<size {
            done.enter()
            let t = Thread { [self] in
                let outcome = Result { try body(ThreadGroupMember(hub: self, rank: r)) }
                slots.lock.lock(); slots.results[r] = outcome; slots.lock.unlock()
                done.leave()
            }
            t.stackSize = 16 << 20
            t.start()
        }
        done.wait()
        return slots.results.map { $0! }
    }
}

/// One rank of a `ThreadGroupHub`.
public final class ThreadGroupMember: ProcessGroup {
    public let hub: ThreadGroupHub
    public let rank: Int
    public var size: Int { hub.size }
    public init(hub: ThreadGroupHub, rank: Int) { self.hub = hub; self.rank = rank }
    public func sum(_ values: inout [Float]) { values = hub.sum(rank: rank, values) }
    public func sum(_ values: inout [Double]) { values = hub.sum(rank: rank, values) }
}

/// Each thread's result, written under a lock.
private final class ResultSlots<T>: @unchecked Sendable {
    var results: [Result<T, Error>?]
    let lock = NSLock()
    init(_ n: Int) { results = Array(repeating: nil, count: n) }
}
