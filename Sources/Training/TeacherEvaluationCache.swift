// A reused teacher's evaluation, cached so that an experiment reusing the teacher reads it instead
// of evaluating the teacher again: shipped beside the checkpoint (`x.atkd` → `x.eval.json`, read
// only) or kept under the runs folder (`<runs>/teacher-evaluations/x.eval.json`, written by runs).

import Foundation

/// Evaluations of one teacher checkpoint, one per (weights, data, engine, threads, corruption subset).
///
/// An entry is used only when every component of its key is the current one: other weights (a
/// retrained file under the same name), other data, another engine or thread count (float
/// round-off) or another corruption subset make a new entry, never a stale answer.
public enum TeacherEvaluationCache {
    public static let formatName = "atkd-teacher-evaluations"
    public static let formatVersion = 1

    public struct Key: Codable, Equatable {
        /// MD5 of the teacher's parameters and buffers (`RunFingerprint.digest(floats:)`).
        public var weights: String
        public var data: String
        public var engine: String
        public var threads: Int
        public var corruptionPerClass: Int
        public init(weights: String, data: String, engine: String, threads: Int, corruptionPerClass: Int) {
            self.weights = weights; self.data = data; self.engine = engine; self.threads = threads
            self.corruptionPerClass = corruptionPerClass
        }
    }

    struct Entry: Codable { var key: Key; var summary: RunSummary }
    struct File: Codable { var format: String; var version: Int; var entries: [Entry] }

    /// The shipped file: `teachers/x.atkd` → `teachers/x.eval.json` (any extension is replaced).
    public static func shippedPath(for checkpoint: String) -> String {
        (checkpoint as NSString).deletingPathExtension + ".eval.json"
    }

    /// The file runs write: `<runsRoot>/teacher-evaluations/x.eval.json`. Copy it beside the
    /// checkpoint to ship it (runs never write into the tracked teachers/ folder).
    public static func localPath(for checkpoint: String, runsRoot: String) -> String {
        "\(runsRoot)/teacher-evaluations/" + (shippedPath(for: checkpoint) as NSString).lastPathComponent
    }

    /// The cached summary for `key` and the file it came from (shipped first), or nil.
    public static func lookup(checkpoint: String, runsRoot: String, key: Key) -> (summary: RunSummary, file: String)? {
        for file in [shippedPath(for: checkpoint), localPath(for: checkpoint, runsRoot: runsRoot)] {
            if let hit = read(file)?.entries.last(where: { $0.key == key }) { return (hit.summary, file) }
        }
        return nil
    }

    /// Adds (or replaces) the entry for `key` in the runs folder's file, atomically.
    public static func store(_ summary: RunSummary, checkpoint: String, runsRoot: String, key: Key) throws {
        let file = localPath(for: checkpoint, runsRoot: runsRoot)
        var doc = read(file) ?? File(format: formatName, version: formatVersion, entries: [])
        doc.entries.removeAll { $0.key == key }
        doc.entries.append(Entry(key: key, summary: summary))
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(e.encode(doc), to: file)
    }

    static func read(_ file: String) -> File? {
        guard let data = FileManager.default.contents(atPath: file),
              let doc = try? JSONDecoder().decode(File.self, from: data),
              doc.format == formatName, doc.version == formatVersion else { return nil }
        return doc
    }
}
