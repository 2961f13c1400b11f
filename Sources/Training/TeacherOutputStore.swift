// Teacher outputs on disk, one file per training batch: the second level of `TeacherOutputCache`,
// so that a process resumed mid-seed reads what an earlier process of that seed computed.

import Foundation
import TensorCore
import Models
import Objectives
import ZagoruykoAT

/// A folder of one seed's teacher outputs, one `TensorArchive` per training batch.
///
/// The in-process cache ends with its process: a campaign stopped mid-seed recomputed the teacher
/// on every epoch its remaining arms revisit — measured on (b) on 2026-12-04: 404–438 s an epoch
/// recomputing against 252–289 s reading the cache. The store keeps the compact part of each
/// computed entry — logits, attention targets, embedding; never raw taps (FitNets' hint, which fill
/// a disk fastest) or SP's `G_t` (Doubles; made from a raw tap) — in a checksummed archive written
/// atomically. `identity.json` records what the outputs depend on (the teacher's weights, the data,
/// seed, training settings with the batch size, engine and threads, the distillation settings with
/// the AT options, the student whose tap shapes the targets are made for); a folder made for
/// anything else is emptied before use. A value read back is the bits that were written, so a run
/// reading the store gives the numbers it gives recomputing. An unreadable entry counts as absent
/// (recomputed, rewritten, and named in `rejected`); a failed write turns the store off for the
/// process (`writeFailure`): the run goes on recomputing, as without a store.
///
/// One process writes a folder: the first to open it holds an exclusive `flock` on its `lock` file
/// while the store lives. Another process opening it meanwhile (two arms of one seed run side by
/// side, `--arms`) only reads what the writer has finished — entries are renamed into place whole
/// and never change — and never writes or cleans up. Every store holds a shared lock on `users`, so
/// the folder is removed (`removeUnlessUsed`) only once no store of any process has it open.
public final class TeacherOutputStore {
    public let directory: String
    public let identity: RunFingerprint
    /// Whether this process holds the folder's lock (writes, cleans up, removes); false: it only reads.
    public let writer: Bool
    /// The lock file's descriptor while `writer` (closing it releases the lock); −1 otherwise.
    private let lockDescriptor: Int32
    /// The `users` file's descriptor, shared-locked while the store lives.
    private let usersDescriptor: Int32
    /// Whether the folder holds outputs of `identity` (a reader of another identity's folder reads nothing).
    private let readable: Bool
    /// Writing stops at this many bytes of entries in the folder.
    public let capacityBytes: Int
    /// Bytes of the entries in the folder (those found at opening and those written since).
    public private(set) var bytes = 0
    /// Entries read back, and written.
    public private(set) var reads = 0, writes = 0
    /// Entries found unreadable (each `file: why`); they were removed and count as absent.
    public private(set) var rejected: [String] = []
    /// Why writing stopped (nil while it works).
    public private(set) var writeFailure: String?

    static let identityFile = "identity.json"
    /// The folder under an experiment's run folder that holds one subfolder per seed.
    public static let folderName = "teacher-outputs"

    /// Opens (creating) `directory` for outputs of `identity`, as its writer when no other process
    /// holds the lock: then entries recorded for another identity, or under an unreadable one, and
    /// the temporary files of a killed write are removed first. Else as a reader.
    public init(directory: String, identity: RunFingerprint, capacityBytes: Int) throws {
        self.directory = directory
        self.identity = identity
        self.capacityBytes = capacityBytes
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let users = open("\(directory)/\(Self.usersFile)", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard users >= 0 else { throw TeacherOutputStoreError("\(directory)/\(Self.usersFile): cannot open (errno \(errno))") }
        _ = flock(users, LOCK_SH)
        usersDescriptor = users
        let fd = open("\(directory)/\(Self.lockFile)", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            close(users)
            throw TeacherOutputStoreError("\(directory)/\(Self.lockFile): cannot open (errno \(errno))")
        }
        writer = flock(fd, LOCK_EX | LOCK_NB) == 0
        if !writer { close(fd) }
        lockDescriptor = writer ? fd : -1
        let recorded = try? RunFingerprint.load(directory: directory, fileName: Self.identityFile)
        readable = writer || recorded == identity
        guard writer else { return }
        for name in try fm.contentsOfDirectory(atPath: directory) where name.hasSuffix(".atkd") || name.hasSuffix(".tmp") {
            let path = "\(directory)/\(name)"
            if recorded != identity || name.hasSuffix(".tmp") { try fm.removeItem(atPath: path) } else { bytes += Self.fileSize(path) }
        }
        if recorded != identity { try identity.save(directory: directory, fileName: Self.identityFile) }
    }

    deinit {
        if lockDescriptor >= 0 { close(lockDescriptor) }
        close(usersDescriptor)
    }

    static let lockFile = "lock", usersFile = "users"

    /// Removes `directory` unless some store (of any process) has it open; nothing when absent.
    public static func removeUnlessUsed(_ directory: String) throws {
        guard FileManager.default.fileExists(atPath: directory) else { return }
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        for name in [lockFile, usersFile] {
            let fd = open("\(directory)/\(name)", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return }
            held.append(fd)
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return }
        }
        try FileManager.default.removeItem(atPath: directory)
    }

    /// A quarter of the free space where `path` lies, at most 16 GiB: a whole seed of the campaign's
    /// largest pair (resnet50-w4 → mobilenetv2-half: 3.7 GB, `TeacherOutputCache.defaultCapacityBytes`)
    /// fits four times. 0 when the free space cannot be read.
    public static func defaultCapacityBytes(at path: String) -> Int {
        let free = (try? FileManager.default.attributesOfFileSystem(forPath: path))?[.systemFreeSize] as? NSNumber
        return min(16 << 30, (free?.intValue ?? 0) / 4)
    }

    /// Bytes of the file at `path` (0 when it cannot be read).
    public static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// One line for the log: what was read and written, and what went wrong.
    public var summary: String {
        var line = "teacher outputs on disk: \(reads) batches read, \(writes) written, "
            + String(format: "%.2f GB", Double(bytes) / 1e9) + " in \(directory)"
        if !writer { line += readable ? " (read only: another process writes it)" : " (another process writes it for another run: not read)" }
        if !rejected.isEmpty { line += "; \(rejected.count) unreadable, recomputed (first: \(rejected[0]))" }
        if let writeFailure { line += "; writing stopped: \(writeFailure)" }
        return line
    }

    func path(epoch: Int, batch: Int, batchSize: Int) -> String {
        "\(directory)/e\(epoch)-b\(batch)-n\(batchSize).atkd"
    }

    /// What `save` wrote for batch `batch` of `epoch` with these labels, or nil (none, another
    /// batch's labels, or unreadable). Attention targets come back marked as made with `atOptions`
    /// (the identity holds the options they were made with).
    public func load(epoch: Int, batch: Int, labels: [Int], atOptions: ATLossOptions)
        -> (needs: TeacherNeeds, outputs: NetworkOutputs)? {
        let file = path(epoch: epoch, batch: batch, batchSize: labels.count)
        guard readable, FileManager.default.fileExists(atPath: file) else { return nil }
        do {
            let (tensors, metadata) = try TensorArchive.read(from: file)
            guard metadata["labels"] == Self.text(labels) else { return nil }
            guard let logits = tensors["logits"], let flags = metadata["needs"] else {
                throw TeacherOutputStoreError("no logits or needs")
            }
            let count = tensors.keys.filter { $0.hasPrefix("attention.") }.count
            let targets = try (0..<count).map { k in
                guard let t = tensors["attention.\(k)"] else { throw TeacherOutputStoreError("attention.\(k) missing") }
                return t
            }
            let parts = Set(flags.split(separator: ",").map(String.init))
            let needs = TeacherNeeds(attentionTargets: parts.contains("attention"), embedding: parts.contains("embedding"))
            guard needs.attentionTargets == (count > 0), needs.embedding == (tensors["embedding"] != nil) else {
                throw TeacherOutputStoreError("needs \(flags) disagree with the tensors \(tensors.keys.sorted())")
            }
            reads += 1
            return (needs, NetworkOutputs(logits: logits, taps: [], attentionTargets: needs.attentionTargets ? targets : nil,
                                          attentionTargetOptions: needs.attentionTargets ? atOptions : nil,
                                          embedding: tensors["embedding"]))
        } catch {
            rejected.append("\(file): \(error)")
            if writer {
                bytes -= Self.fileSize(file)
                try? FileManager.default.removeItem(atPath: file)
            }
            return nil
        }
    }

    /// What of `needs` the store keeps: logits, attention targets and the embedding.
    public static func kept(_ needs: TeacherNeeds) -> TeacherNeeds {
        TeacherNeeds(attentionTargets: needs.attentionTargets, embedding: needs.embedding)
    }

    /// Writes the kept part (`kept(needs)`) of `outputs` for batch `batch` of `epoch`, atomically.
    public func save(epoch: Int, batch: Int, labels: [Int], needs: TeacherNeeds, outputs: NetworkOutputs) {
        guard writer, writeFailure == nil, bytes < capacityBytes else { return }
        let keep = Self.kept(needs)
        var tensors: [(String, Tensor)] = [("logits", outputs.logits)]
        if keep.attentionTargets, let targets = outputs.attentionTargets {
            tensors += targets.enumerated().map { ("attention.\($0.offset)", $0.element) }
        }
        if keep.embedding, let e = outputs.embedding { tensors.append(("embedding", e)) }
        let flags = [keep.attentionTargets ? "attention" : nil, keep.embedding ? "embedding" : nil].compactMap { $0 }
        do {
            let file = path(epoch: epoch, batch: batch, batchSize: labels.count)
            let before = Self.fileSize(file)
            try TensorArchive.write(tensors: tensors, metadata: ["labels": Self.text(labels), "needs": flags.joined(separator: ","),
                                                                 "epoch": String(epoch), "batch": String(batch)],
                                    to: file)
            writes += 1
            bytes += Self.fileSize(file) - before
        } catch {
            writeFailure = "\(error)"
        }
    }

    static func text(_ labels: [Int]) -> String { labels.map(String.init).joined(separator: ",") }
}

/// A `TeacherOutputStore` entry that does not hold what its metadata says, or a lock file that cannot be opened.
struct TeacherOutputStoreError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
