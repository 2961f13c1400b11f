// The prefetching iterator over one epoch: worker threads claim batch numbers
// in order and park results in a bounded window the consumer drains in order.

import Foundation

/// Iterates the batches of one epoch, in order, while up to `prefetch`
/// further batches are being assembled on background threads. Dropping the
/// iterator (or calling `cancel`) stops its threads.
public final class EpochBatches: Sequence, IteratorProtocol {
    /// State shared with the worker threads.
    final class Shared: @unchecked Sendable {
        let condition = NSCondition()
        var nextToClaim: Int
        var nextToDeliver: Int
        var ready: [Int: Batch] = [:]
        var cancelled = false
        var running = 0
        init(start: Int) { nextToClaim = start; nextToDeliver = start }
    }

    public let epoch: Int
    let loader: BatchLoader
    let end: Int
    let order: [Int]
    let shared: Shared

    init(loader: BatchLoader, epoch: Int, start: Int) {
        self.loader = loader
        self.epoch = epoch
        self.end = loader.batchesPerEpoch
        self.order = loader.order(epoch: epoch)
        self.shared = Shared(start: start)
        let workers = Swift.min(loader.threads, Swift.max(0, end - start))
        guard workers > 0 else { return }
        let (shared, end, order, window) = (shared, end, order, loader.prefetch)
        shared.running = workers
        for _ in 0..<workers {
            let thread = Thread {
                while true {
                    shared.condition.lock()
                    while !shared.cancelled && shared.nextToClaim < end
                            && shared.nextToClaim >= shared.nextToDeliver + window {
                        shared.condition.wait()
                    }
                    if shared.cancelled || shared.nextToClaim >= end {
                        shared.running -= 1
                        shared.condition.broadcast()
                        shared.condition.unlock()
                        return
                    }
                    let k = shared.nextToClaim
                    shared.nextToClaim += 1
                    shared.condition.unlock()

                    let batch = loader.makeBatch(epoch: epoch, batchIndex: k, order: order)

                    shared.condition.lock()
                    shared.ready[k] = batch
                    shared.condition.broadcast()
                    shared.condition.unlock()
                }
            }
            thread.name = "atkd.loader"
            thread.start()
        }
    }

    deinit { cancel() }

    /// Stops the background threads after the batches they are assembling.
    public func cancel() {
        shared.condition.lock()
        shared.cancelled = true
        shared.ready.removeAll()
        shared.condition.broadcast()
        shared.condition.unlock()
    }

    /// Batches still to come in this epoch.
    public var remaining: Int { end - shared.nextToDeliver }

    public func next() -> Batch? {
        shared.condition.lock()
        defer { shared.condition.unlock() }
        let k = shared.nextToDeliver
        guard k < end, !shared.cancelled else { return nil }
        if shared.running == 0 && shared.ready[k] == nil {
            // No workers (threads = 0): assemble here.
            shared.condition.unlock()
            let b = loader.makeBatch(epoch: epoch, batchIndex: k, order: order)
            shared.condition.lock()
            shared.nextToDeliver += 1
            return b
        }
        while shared.ready[k] == nil { shared.condition.wait() }
        let b = shared.ready.removeValue(forKey: k)!
        shared.nextToDeliver += 1
        shared.condition.broadcast()
        return b
    }
}
