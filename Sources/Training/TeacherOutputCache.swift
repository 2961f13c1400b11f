// The frozen teacher's outputs on one seed's training batches, computed once and
// shared by every distillation arm of that seed (they see the same batches).

import Foundation
import TensorCore
import Objectives
import ZagoruykoAT
import RelatedMethods

/// Teacher outputs per training batch, keyed by (epoch, batch, batch size) and checked against
/// the batch's labels, plus the teacher's test-split predictions.
///
/// Arms of one seed draw the same batches (`DataProvider.trainBatches` depends only on seed,
/// epoch and sample), and the teacher is frozen in eval mode, so its outputs on batch (e, b) are
/// the same in every arm: the first arm computes them, later arms reuse them. What is kept is
/// exactly what the objectives read (`Objective.teacherNeeds`): always the logits; for the AT arms
/// (and `kd`, as before issue 22) `ZagoruykoAT.teacherTarget` of every tap pair (`[N, 1, H, W]` per
/// tap, not the teacher's much larger feature maps); the embedding `[N, D_t]` only for arms that
/// read it (RKD, PKT, CRD); SP's `G_t` of the last tap (N² numbers a batch, not the tap); raw taps
/// only at the indices an arm reads (FitNets' hint tap). An entry that lacks what an arm needs is
/// recomputed and replaced by one holding both; `alsoKeep` has the first pass keep, beside what its
/// arm reads, the compact outputs the seed's later arms read. So a run
/// gives the same numbers, bit for bit, with or without the cache, and after a resume that starts
/// with an empty one. Entries stop being added beyond `capacityBytes` (raw taps fill it fastest).
/// With a `store`, every computed entry's compact part also goes to disk, and an entry missing here
/// is looked up there before the teacher runs: a resumed process starts with what earlier ones made.
public final class TeacherOutputCache {
    public let atOptions: ATLossOptions
    public let capacityBytes: Int
    public private(set) var bytes = 0
    public private(set) var hits = 0
    public private(set) var misses = 0
    /// The hits served from `store` (counted in `hits` too).
    public private(set) var storeHits = 0
    /// The on-disk second level (`TeacherOutputStore`); nil: this process's memory only.
    public var store: TeacherOutputStore?
    /// Batches whose outputs are kept.
    public var entryCount: Int { entries.count }
    /// The teacher's argmax on the test split, in test-batch order (the agreement metric).
    public var testPredictions: [Int]?
    /// What the seed's other arms will ask for, kept on every entry from the first computation
    /// (attention targets, the embedding, SP's G_t; never raw taps, which fill the cache fastest): so an arm
    /// that asks for more than the arm before it (RKD's embedding after DKD's logits) still hits.
    /// Set by the runner from the arms it will run; `.logits` keeps only what each arm asks for.
    public var alsoKeep = TeacherNeeds.logits
    /// When true, `alsoKeep` is everything the arms still to run read (the runner narrows it unit by
    /// unit), so a recomputed entry keeps this arm's needs and `alsoKeep`, not what only finished arms
    /// asked for: FitNets, which recomputes the teacher on every batch for its raw hint tap, then no
    /// longer remakes SP's G_t for an SP arm that has run. False keeps everything any arm asked for.
    public var alsoKeepIsEverythingAhead = false

    struct Key: Hashable { let epoch: Int, batch: Int, batchSize: Int }
    struct Entry { let labels: [Int]; let needs: TeacherNeeds; let outputs: NetworkOutputs; let size: Int }
    private var entries: [Key: Entry] = [:]

    /// `capacityBytes`: `defaultCapacityBytes` unless the run says otherwise (`--teacher-cache-gib`).
    public init(atOptions: ATLossOptions, capacityBytes: Int = TeacherOutputCache.defaultCapacityBytes) {
        self.atOptions = atOptions
        self.capacityBytes = capacityBytes
    }

    /// A quarter of physical memory, at most 8 GiB (2 GiB when it cannot be read).
    ///
    /// Sized so that a whole seed fits on the campaign's pairs: logits and attention targets cost
    /// (10 + Σ_taps H·W)·4 B an image, for resnet50-w4 → mobilenetv2-half (taps 32², 16², 8², 4²)
    /// 5.5 kB · 45 000 images · 15 epochs = 3.7 GB; with 2 GiB the arms after the first recomputed
    /// the teacher for about half the epochs. Per process: ranks on one machine each hold one.
    public static var defaultCapacityBytes: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return 2 << 30 }
        return min(8 << 30, pages * pageSize / 4)
    }

    /// The teacher's outputs on training batch `batch` of `epoch`: from the cache when an entry
    /// with the same key and labels holds what `needs` asks for, else `compute()` reduced to what
    /// this and the earlier entry asked for (and kept while under capacity). Attention targets are
    /// made for student taps of `studentTapShapes`; when the tap counts differ (no AT pairing) an
    /// arm asking for them gets the full outputs, uncached.
    public func outputs(epoch: Int, batch: Int, labels: [Int], studentTapShapes: [[Int]],
                        needs: TeacherNeeds = .logitsAndAttentionTargets, engine: any Kernels,
                        compute: () -> NetworkOutputs) -> NetworkOutputs {
        let key = Key(epoch: epoch, batch: batch, batchSize: labels.count)
        var old = entries[key].flatMap { $0.labels == labels ? $0 : nil }
        if let hit = old, hit.needs.covers(needs) { hits += 1; return hit.outputs }
        let stored = store?.load(epoch: epoch, batch: batch, labels: labels, atOptions: atOptions)
        if let stored, old.map({ stored.needs.covers($0.needs) }) ?? true {
            let entry = Entry(labels: labels, needs: stored.needs, outputs: stored.outputs,
                              size: Self.size(of: stored.outputs, labels: labels))
            if stored.needs.covers(needs) {
                hits += 1; storeHits += 1
                keep(entry, at: key, replacing: old)
                return stored.outputs
            }
            old = entry
        }
        misses += 1
        let full = compute()
        let earlier = old.map { alsoKeepIsEverythingAhead ? $0.needs.intersection(alsoKeep) : $0.needs }
        var want = (earlier.map { $0.union(needs) } ?? needs)
            .union(alsoKeep.compact)
        if want.attentionTargets && full.taps.count != studentTapShapes.count {
            guard !needs.attentionTargets else { return full }  // no AT pairing: keep the taps
            want.attentionTargets = false
        }
        var targets: [Tensor]? = nil
        if want.attentionTargets {
            targets = ATObjective.teacherTargets(student: studentTapShapes, teacher: full.taps,
                                                 options: atOptions, engine: engine)
        }
        var kept: [Int: Tensor] = [:]
        for i in want.taps { kept[i] = full.tap(i) }
        var similarity: SP.Similarity? = nil
        if want.lastTapSimilarity, let last = full.tap(-1) { similarity = SP.teacherSimilarity(last) }
        let compact = NetworkOutputs(logits: full.logits, taps: [], attentionTargets: targets,
                                     attentionTargetOptions: targets == nil ? nil : atOptions,
                                     embedding: want.embedding ? full.embedding : nil, keptTaps: kept,
                                     lastTapSimilarity: similarity)
        keep(Entry(labels: labels, needs: want, outputs: compact, size: Self.size(of: compact, labels: labels)),
             at: key, replacing: old)
        if let store, !(stored.map { $0.needs.covers(TeacherOutputStore.kept(want)) } ?? false) {
            store.save(epoch: epoch, batch: batch, labels: labels, needs: want, outputs: compact)
        }
        return compact
    }

    /// Keeps `entry` in place of `old` while the cache stays within `capacityBytes`.
    func keep(_ entry: Entry, at key: Key, replacing old: Entry?) {
        let freed = old?.size ?? 0
        if bytes - freed + entry.size <= capacityBytes {
            entries[key] = entry
            bytes += entry.size - freed
        }
    }

    /// Bytes an entry of `outputs` takes: 4 a Float, 8 a label or Double.
    static func size(of outputs: NetworkOutputs, labels: [Int]) -> Int {
        4 * (outputs.logits.count + (outputs.attentionTargets ?? []).reduce(0) { $0 + $1.count }
             + (outputs.embedding?.count ?? 0) + outputs.keptTaps.values.reduce(0) { $0 + $1.count })
            + 8 * (labels.count + (outputs.lastTapSimilarity?.rows.count ?? 0))
    }
}
