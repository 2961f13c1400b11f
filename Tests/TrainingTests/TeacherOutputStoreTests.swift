import XCTest
import Foundation
import TensorCore
import Models
import Objectives
import RelatedMethods
import Training

final class TeacherOutputStoreTests: XCTestCase {
    var root = ""
    let atOptions = ObjectiveFactory.atOptions(distill: DistillSpec())
    let identity = RunFingerprint(components: ["seed": "1", "teacher": "t weights md5 0"])

    override func setUp() { root = NSTemporaryDirectory() + "atkd-teacher-store-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func outputs(n: Int = 4, seed: UInt64 = 3) -> NetworkOutputs {
        var rng = SeededRNG(seed: seed)
        return NetworkOutputs(logits: .randn([n, 10], std: 2, rng: &rng), taps: [],
                              attentionTargets: [.randn([n, 1, 8, 8], std: 1, rng: &rng), .randn([n, 1, 4, 4], std: 1, rng: &rng)],
                              attentionTargetOptions: atOptions, embedding: .randn([n, 16], std: 1, rng: &rng),
                              keptTaps: [1: .randn([n, 2, 4, 4], std: 1, rng: &rng)],
                              lastTapSimilarity: SP.teacherSimilarity(.randn([n, 3], std: 1, rng: &rng)))
    }

    func bits(_ t: Tensor?) -> [UInt32]? { t?.data.map(\.bitPattern) }

    /// Logits, attention targets and the embedding come back with their bits; raw taps and SP's G_t
    /// are not kept, and the needs read back say so. Another batch's labels read nothing.
    func testKeepsTheBitsOfLogitsTargetsAndEmbeddingOnly() throws {
        let store = try TeacherOutputStore(directory: root, identity: identity, capacityBytes: .max)
        let o = outputs()
        let all = TeacherNeeds(attentionTargets: true, embedding: true, taps: [1], lastTapSimilarity: true)
        store.save(epoch: 2, batch: 5, labels: [3, 1, 4, 1], needs: all, outputs: o)
        let back = try XCTUnwrap(store.load(epoch: 2, batch: 5, labels: [3, 1, 4, 1], atOptions: atOptions))
        XCTAssertEqual(back.needs, TeacherNeeds(attentionTargets: true, embedding: true))
        XCTAssertEqual(bits(back.outputs.logits), bits(o.logits))
        XCTAssertEqual(back.outputs.attentionTargets?.map { bits($0)! }, o.attentionTargets?.map { bits($0)! })
        XCTAssertEqual(back.outputs.attentionTargets?.map(\.shape), [[4, 1, 8, 8], [4, 1, 4, 4]])
        XCTAssertEqual(back.outputs.attentionTargetOptions, atOptions)
        XCTAssertEqual(bits(back.outputs.embedding), bits(o.embedding))
        XCTAssertEqual(back.outputs.keptTaps.count, 0)
        XCTAssertNil(back.outputs.lastTapSimilarity)
        XCTAssertEqual(store.reads, 1)
        XCTAssertEqual(store.writes, 1)
        XCTAssertNil(store.load(epoch: 2, batch: 5, labels: [3, 1, 4, 2], atOptions: atOptions))
        XCTAssertNil(store.load(epoch: 2, batch: 6, labels: [3, 1, 4, 1], atOptions: atOptions))
        // Logits alone: no targets, no embedding.
        store.save(epoch: 0, batch: 0, labels: [0, 0, 0, 0], needs: .logits, outputs: o)
        let logitsOnly = try XCTUnwrap(store.load(epoch: 0, batch: 0, labels: [0, 0, 0, 0], atOptions: atOptions))
        XCTAssertEqual(logitsOnly.needs, .logits)
        XCTAssertNil(logitsOnly.outputs.attentionTargets)
        XCTAssertNil(logitsOnly.outputs.embedding)
        XCTAssert(store.rejected.isEmpty, "\(store.rejected)")
    }

    /// A damaged entry (a flipped byte, a truncated file) counts as absent, is named in `rejected`
    /// and removed, so it is recomputed and rewritten.
    func testAnUnreadableEntryIsRejectedAndRemoved() throws {
        let store = try TeacherOutputStore(directory: root, identity: identity, capacityBytes: .max)
        let damages: [(inout [UInt8]) -> Void] = [{ $0[$0.count / 2] ^= 0x40 }, { $0.removeLast($0.count / 3) }]
        for (k, damage) in damages.enumerated() {
            store.save(epoch: 0, batch: k, labels: [1, 2, 3, 4], needs: .logitsAndAttentionTargets, outputs: outputs())
            let file = "\(root)/e0-b\(k)-n4.atkd"
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            damage(&bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            XCTAssertNil(store.load(epoch: 0, batch: k, labels: [1, 2, 3, 4], atOptions: atOptions))
            XCTAssertEqual(store.rejected.count, k + 1)
            XCTAssertFalse(FileManager.default.fileExists(atPath: file))
        }
        XCTAssert(store.summary.contains("2 unreadable"), store.summary)
    }

    /// Reopened for the same identity (by the next process: the last one's store is gone), the
    /// folder's entries are read (and counted in `bytes`); for another identity they are removed
    /// first, and so are the temporary files of a killed write.
    func testAFolderMadeForAnotherIdentityIsEmptiedBeforeUse() throws {
        var first: TeacherOutputStore? = try TeacherOutputStore(directory: root, identity: identity, capacityBytes: .max)
        first?.save(epoch: 0, batch: 0, labels: [1, 2, 3, 4], needs: .logitsAndAttentionTargets, outputs: outputs())
        first?.save(epoch: 0, batch: 1, labels: [1, 2, 3, 4], needs: .logitsAndAttentionTargets, outputs: outputs())
        let written = try XCTUnwrap(first?.bytes)
        first = nil
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: "\(root)/e0-b2-n4.atkd.123.abc.tmp"))
        var same: TeacherOutputStore? = try TeacherOutputStore(directory: root, identity: identity, capacityBytes: .max)
        XCTAssertEqual(same?.writer, true)
        XCTAssertEqual(same?.bytes, written)
        XCTAssertGreaterThan(written, 0)
        XCTAssertNotNil(same?.load(epoch: 0, batch: 1, labels: [1, 2, 3, 4], atOptions: atOptions))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(root)/e0-b2-n4.atkd.123.abc.tmp"))
        same = nil
        var other = identity
        other.components["teacher"] = "t weights md5 1"
        let fresh = try TeacherOutputStore(directory: root, identity: other, capacityBytes: .max)
        XCTAssertEqual(fresh.bytes, 0)
        XCTAssertNil(fresh.load(epoch: 0, batch: 1, labels: [1, 2, 3, 4], atOptions: atOptions))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root).sorted(), ["identity.json", "lock", "users"])
        XCTAssertEqual(try RunFingerprint.load(directory: root, fileName: "identity.json"), other)
    }

    /// While one store writes a folder, a second one opened on it (another process; here another
    /// open file, which `flock` treats alike) reads the writer's entries but writes and cleans up
    /// nothing; one made for another identity reads nothing. The folder is removed only once no
    /// store has it open, writer or reader.
    func testASecondStoreOnAFolderOnlyReadsIt() throws {
        var first: TeacherOutputStore? = try TeacherOutputStore(directory: root, identity: identity, capacityBytes: .max)
        XCTAssertEqual(first?.writer, true)
        first?.save(epoch: 0, batch: 0, labels: [1, 2, 3, 4], needs: .logitsAndAttentionTargets, outputs: outputs())
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: "\(root)/e0-b1-n4.atkd.9.abc.tmp"))
        var reader: TeacherOutputStore? = try TeacherOutputStore(directory: root, identity: identity, capacityBytes: .max)
        XCTAssertEqual(reader?.writer, false)
        XCTAssert(FileManager.default.fileExists(atPath: "\(root)/e0-b1-n4.atkd.9.abc.tmp"), "a reader cleans nothing up")
        let read = try XCTUnwrap(reader?.load(epoch: 0, batch: 0, labels: [1, 2, 3, 4], atOptions: atOptions))
        XCTAssertEqual(bits(read.outputs.logits), bits(outputs().logits))
        reader?.save(epoch: 0, batch: 2, labels: [1, 2, 3, 4], needs: .logits, outputs: outputs())
        XCTAssertEqual(reader?.writes, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(root)/e0-b2-n4.atkd"))
        XCTAssert(reader?.summary.contains("read only") == true, reader?.summary ?? "")
        var other = identity
        other.components["seed"] = "2"
        var stranger: TeacherOutputStore? = try TeacherOutputStore(directory: root, identity: other, capacityBytes: .max)
        XCTAssertEqual(stranger?.writer, false)
        XCTAssertNil(stranger?.load(epoch: 0, batch: 0, labels: [1, 2, 3, 4], atOptions: atOptions))
        XCTAssert(FileManager.default.fileExists(atPath: "\(root)/e0-b0-n4.atkd"), "a reader of another identity removes nothing")
        stranger = nil
        try TeacherOutputStore.removeUnlessUsed(root)
        XCTAssert(FileManager.default.fileExists(atPath: root), "the writer and a reader have it open")
        first = nil
        try TeacherOutputStore.removeUnlessUsed(root)
        XCTAssert(FileManager.default.fileExists(atPath: root), "a reader still has it open")
        reader = nil
        try TeacherOutputStore.removeUnlessUsed(root)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root))
    }

    /// Writing stops once the folder holds `capacityBytes`.
    func testWritingStopsAtCapacity() throws {
        let store = try TeacherOutputStore(directory: root, identity: identity, capacityBytes: 1)
        for b in 0..<3 { store.save(epoch: 0, batch: b, labels: [1, 2, 3, 4], needs: .logits, outputs: outputs()) }
        XCTAssertEqual(store.writes, 1)
        XCTAssertNil(store.load(epoch: 0, batch: 1, labels: [1, 2, 3, 4], atOptions: atOptions))
        let budget = TeacherOutputStore.defaultCapacityBytes(at: NSTemporaryDirectory())
        XCTAssert(budget > 0 && budget <= 16 << 30, "\(budget)")
    }

    /// A second process of the seed (a new in-memory cache over the same folder) reads every batch the
    /// first one's kd arm stored: its atkd arm runs no teacher pass and ends bit-identical to an
    /// atkd run without any cache.
    func testALaterProcessReadsTheStoreAndGivesTheUncachedNumbers() throws {
        let runner = tinyExperimentRunner(root, name: "store", arms: ["kd", "atkd"], seeds: [1])
        let teacher = try runner.obtainTeacher()
        let plain = tinyExperimentRunner(root + "/plain", name: "store", arms: ["atkd"], seeds: [1])
        let uncached = try plain.runStudent(arm: "atkd", seed: 1, teacher: teacher)

        let firstProcess = TeacherOutputCache(atOptions: atOptions)
        firstProcess.alsoKeep = .logitsAndAttentionTargets
        _ = try runner.runStudent(arm: "kd", seed: 1, teacher: teacher, teacherCache: firstProcess)
        let folder = runner.teacherOutputDirectory(seed: 1)
        let store = try XCTUnwrap(firstProcess.store)
        XCTAssertEqual(store.directory, folder)
        let steps = SyntheticData(classes: 10, size: 8, trainPerClass: 4, testPerClass: 2).batchesPerEpoch(batchSize: 16)
        XCTAssertEqual(store.writes, steps)
        XCTAssertNil(store.identity.components["arm"])

        let secondProcess = TeacherOutputCache(atOptions: atOptions)
        let resumed = try runner.runStudent(arm: "atkd", seed: 1, teacher: teacher, teacherCache: secondProcess)
        XCTAssertEqual(secondProcess.storeHits, steps)
        XCTAssertEqual(secondProcess.misses, 0)
        XCTAssertEqual(resumed.final, uncached.final)
        XCTAssertEqual(try TensorArchive.read(from: "\(folder)/../../atkd-seed1/model.atkd").tensors,
                       try TensorArchive.read(from: "\(root)/plain/store/atkd-seed1/model.atkd").tensors)
    }

    /// `runAll` removes a seed's folder when the seed's units have finished, and with a disk budget
    /// of 0 makes none; the results are the same either way.
    func testRunAllRemovesASeedsOutputsWhenItsUnitsFinish() throws {
        let withStore = try tinyExperimentRunner(root + "/a", name: "x", arms: ["kd", "at"], seeds: [1, 2]).runAll()
        XCTAssert(FileManager.default.fileExists(atPath: "\(root)/a/x/teacher-outputs"), "a store was made")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(root)/a/x/teacher-outputs/seed1"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(root)/a/x/teacher-outputs/seed2"))
        let none = tinyExperimentRunner(root + "/b", name: "x", arms: ["kd", "at"], seeds: [1, 2])
        var options = none.options
        options.teacherCacheDiskBytes = 0
        let withoutStore = try ExperimentRunner(spec: none.spec, data: none.data, engine: none.engine, options: options).runAll()
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(root)/b/x/teacher-outputs"))
        XCTAssertEqual(withStore.map(\.final), withoutStore.map(\.final))
    }
}
