// Committed summaries: the small files of each run (spec, final.json, metrics, steps, events — never
// checkpoints) copied into <out>/runs/<experiment>/ so a fresh clone can rebuild the report.

import Foundation

public enum RunArchive {
    /// The files copied from the experiment folder and from each run folder.
    public static let smallFiles = ["spec.json", "final.json", "metrics.tsv", "steps.tsv", "events.jsonl"]

    /// Mirrors the small files of `experiment` into `<archiveRoot>/<folder name>/`; a small file the
    /// source no longer has is removed from the copy. Returns the destination (nil when the source
    /// already is that destination).
    @discardableResult
    public static func copy(_ experiment: ExperimentResults, into archiveRoot: String) throws -> String? {
        let fm = FileManager.default
        let source = (experiment.directory as NSString).standardizingPath
        let dest = ((archiveRoot as NSString).appendingPathComponent((source as NSString).lastPathComponent) as NSString)
            .standardizingPath
        guard source != dest else { return nil }
        var folders = [""]
        for entry in ((try? fm.contentsOfDirectory(atPath: source)) ?? []).sorted() {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: "\(source)/\(entry)", isDirectory: &isDir), isDir.boolValue,
               entry == "teacher" || ExperimentResults.parseRunName(entry) != nil {
                folders.append(entry)
            }
        }
        for folder in folders {
            let from = folder.isEmpty ? source : "\(source)/\(folder)"
            let to = folder.isEmpty ? dest : "\(dest)/\(folder)"
            let names = folder.isEmpty ? ["spec.json"] : smallFiles
            let present = names.filter { fm.fileExists(atPath: "\(from)/\($0)") }
            if !present.isEmpty { try fm.createDirectory(atPath: to, withIntermediateDirectories: true) }
            for name in names {
                let target = "\(to)/\(name)"
                if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
                if present.contains(name) { try fm.copyItem(atPath: "\(from)/\(name)", toPath: target) }
            }
        }
        return dest
    }
}
