// Persistent worker threads for `parallelParts`. libdispatch's `concurrentPerform` hands the
// second part to a parked pool thread; on the 2-vCPU VMs this project runs on, that thread started
// 0.1–2.5 ms after the call and about half of the calls ran both parts on the caller (a 2-part job
// of 2.4 ms a part: 4.8–5.3 ms when serial, 2.6 ms when not). These workers spin for a while after
// each job before they park, and a job's parts are claimed from one atomic word by whoever comes
// first, so a late worker never holds a job up: the caller runs what is unclaimed. Which thread runs
// a part never changes that part's arithmetic, so results keep their bits.

import Synchronization
import VectorShuffles
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class PartWorkers: @unchecked Sendable {
    static let shared = PartWorkers()

    /// How long an idle worker polls before it parks (a training step's parallel regions come
    /// microseconds to a few milliseconds apart).
    static let spinNanoseconds: UInt64 = 500_000

    /// `generation << 20 | parts << 10 | next`: the current job, its part count and the next
    /// unclaimed part. A claim is a compare-and-swap of `next`, so it also checks the generation.
    private let claim = Atomic<Int>(0)
    /// Parts of the current job not finished yet.
    private let unfinished = Atomic<Int>(0)
    /// A job is in flight: a concurrent or nested `run` runs its parts itself.
    private let inUse = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    /// The current job's body: written before `claim` publishes the job, read after a part is claimed.
    private var job: ((Int) -> Void)?
    private var generation = 0
    private var started = 0
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    private init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    /// Runs `body(part)` for every part in `0 ..< parts` (≤ 1023) across the caller and up to
    /// `parts − 1` workers, and returns when all have finished.
    func run(_ parts: Int, _ body: (Int) -> Void) {
        guard parts > 1, parts < 1024,
              inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for part in 0..<parts { body(part) }
            return
        }
        defer { inUse.store(false, ordering: .releasing) }
        startWorkers(parts - 1)
        withoutActuallyEscaping(body) { body in
            job = body
            generation &+= 1
            unfinished.store(parts, ordering: .relaxed)
            // NOTE: sequentially consistent, as the sleepers' count read after it: a worker that
            // counted itself asleep before this store is woken below; one after it sees the job.
            claim.store(generation << 20 | parts << 10, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(condition)
                pthread_mutex_unlock(mutex)
            }
            work(generation)
            // NOTE: after a short spin the wait yields: on a machine with more runnable threads than
            // cores, the worker that holds the last part may be waiting for this very core.
            var polls = 0
            while unfinished.load(ordering: .acquiring) > 0 {
                polls &+= 1
                if polls < 1024 { atkd_spin_pause() } else { sched_yield() }
            }
            // Every part is claimed and done: no worker reads `job` again for this generation.
            job = nil
        }
    }

    /// Claims and runs parts of job `gen` until none is left.
    private func work(_ gen: Int) {
        while true {
            let word = claim.load(ordering: .acquiring)
            let parts = (word >> 10) & 1023, next = word & 1023
            guard word >> 20 == gen, next < parts else { return }
            if claim.compareExchange(expected: word, desired: word + 1, ordering: .acquiringAndReleasing).exchanged {
                job!(next)
                unfinished.subtract(1, ordering: .releasing)
            }
        }
    }

    private func startWorkers(_ count: Int) {
        while started < count {
            var thread = pthread_t()
            let context = Unmanaged.passUnretained(self).toOpaque()
            let status = pthread_create(&thread, nil, { context in
                Unmanaged<PartWorkers>.fromOpaque(context!).takeUnretainedValue().workerLoop()
            }, context)
            // NOTE: without a worker the caller runs every part itself: slower, never wrong.
            guard status == 0 else { return }
            pthread_detach(thread)
            started += 1
        }
    }

    private func workerLoop() -> Never {
        var seen = 0
        while true {
            var idleSince = monotonicNanoseconds(), polls = 0
            while claim.load(ordering: .acquiring) >> 20 == seen {
                atkd_spin_pause()
                polls &+= 1
                if polls & 255 == 0 && monotonicNanoseconds() - idleSince > Self.spinNanoseconds {
                    pthread_mutex_lock(mutex)
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while claim.load(ordering: .sequentiallyConsistent) >> 20 == seen { pthread_cond_wait(condition, mutex) }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_unlock(mutex)
                    idleSince = monotonicNanoseconds()
                }
            }
            seen = claim.load(ordering: .acquiring) >> 20
            work(seen)
        }
    }

    private func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
