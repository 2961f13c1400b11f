// Finds experiment directories (given, or every one under runs/ and <out>/runs/) and, when one
// experiment appears in several places, picks the copy with the most progress.

import Foundation

/// Which directory the report uses for an experiment, and what else was found.
public struct ExperimentChoice {
    public var results: ExperimentResults
    /// Other copies of the same experiment that were not used.
    public var alternatives: [String]
}

public enum ExperimentLocator {
    /// Expands the arguments: an experiment directory stays; a folder of experiments (no
    /// `spec.json` and no run folders of its own) becomes its subfolders. No arguments = `roots`.
    public static func expand(_ arguments: [String], roots: [String]) -> (directories: [String], warnings: [String]) {
        let fm = FileManager.default
        var dirs: [String] = [], warnings: [String] = []
        let inputs = arguments.isEmpty ? roots.filter { fm.fileExists(atPath: $0) } : arguments
        for raw in inputs {
            let path = raw.count > 1 && raw.hasSuffix("/") ? String(raw.dropLast()) : raw
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { warnings.append("\(path): does not exist; skipped"); continue }
            guard isDir.boolValue else { warnings.append("\(path): not a directory; skipped"); continue }
            if looksLikeExperiment(path) || !arguments.isEmpty && !looksLikeFolderOfExperiments(path) {
                dirs.append(path)
            } else {
                for sub in ((try? fm.contentsOfDirectory(atPath: path)) ?? []).sorted() {
                    var subDir: ObjCBool = false
                    if fm.fileExists(atPath: "\(path)/\(sub)", isDirectory: &subDir), subDir.boolValue { dirs.append("\(path)/\(sub)") }
                }
            }
        }
        var seen = Set<String>()
        return (dirs.filter { seen.insert(($0 as NSString).standardizingPath).inserted }, warnings)
    }

    /// Has `spec.json`, a `teacher/` or an `<arm>-seed<k>/` folder.
    static func looksLikeExperiment(_ path: String) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return entries.contains("spec.json") || entries.contains("teacher")
            || entries.contains { ExperimentResults.parseRunName($0) != nil }
    }

    /// Some subfolder looks like an experiment.
    static func looksLikeFolderOfExperiments(_ path: String) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return entries.contains { looksLikeExperiment("\(path)/\($0)") }
    }

    /// Loads every directory and keeps one per experiment name: the most finished runs, then the
    /// most recorded epochs; on a tie, a directory outside `archiveRoot` (the live runs) wins.
    public static func choose(_ directories: [String], archiveRoot: String) -> [ExperimentChoice] {
        let loaded = directories.map(ExperimentResults.load(directory:))
        var order: [String] = []
        for e in loaded where !order.contains(e.name) { order.append(e.name) }
        let archive = (archiveRoot as NSString).standardizingPath
        func inArchive(_ e: ExperimentResults) -> Bool {
            (e.directory as NSString).standardizingPath.hasPrefix(archive + "/")
        }
        return order.map { name in
            let copies = loaded.filter { $0.name == name }
            let best = copies.max { a, b in
                let (pa, pb) = (a.progress, b.progress)
                return (pa.finished, pa.epochs, inArchive(a) ? 0 : 1) < (pb.finished, pb.epochs, inArchive(b) ? 0 : 1)
            }!
            return ExperimentChoice(results: best, alternatives: copies.filter { $0.directory != best.directory }.map(\.directory))
        }
    }
}
