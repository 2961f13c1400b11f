// ILSVRC-2012's validation layout: one flat `val/` folder of images plus a label file, instead of
// one folder per class. Recognised when `val/` has no sub-folders.

import Foundation

extension ImageFolder {
    /// Label files read for a flat `val/`, in this order, from the dataset root.
    ///
    /// - `val_labels.txt`: `<file name> <wnid>` per line (whitespace-separated; the format of the
    ///   common `valprep` scripts' input).
    /// - `LOC_val_solution.csv`: Kaggle's ImageNet object-localisation challenge file, header
    ///   `ImageId,PredictionString`; the image is `<ImageId>.JPEG` and its class is the first
    ///   token of the prediction string (`n01751748 x y x y …`).
    /// - Deviation: the devkit's `ILSVRC2012_validation_ground_truth.txt` (class numbers 1…1000 in
    ///   the devkit's `meta.mat` order, not the sorted-wnid order) is not read: convert it first.
    public static let flatValidationLabelFiles = ["val_labels.txt", "LOC_val_solution.csv"]

    /// Whether `dir` holds images but no sub-folders (a flat validation split).
    static func isFlat(_ dir: String) throws -> Bool {
        try subdirectories(dir).isEmpty
    }

    /// File name → wnid from the first label file present under `root`, or nil when there is none.
    static func flatValidationLabels(root: String) throws -> (file: String, labels: [String: String])? {
        for name in flatValidationLabelFiles {
            let path = (root as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw DatasetError(.corrupt, file: path, "not readable as UTF-8 text")
            }
            var labels: [String: String] = [:]
            let csv = name.hasSuffix(".csv")
            for (n, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.isEmpty || (csv && n == 0 && line.hasPrefix("ImageId")) { continue }
                let fields: [Substring]
                if csv {
                    let parts = line.split(separator: ",", maxSplits: 1)
                    guard parts.count == 2, let wnid = parts[1].split(separator: " ").first else {
                        throw DatasetError(.corrupt, file: path, "line \(n + 1): expected ImageId,PredictionString")
                    }
                    fields = [Substring(String(parts[0]) + ".JPEG"), wnid]
                } else {
                    fields = line.split(whereSeparator: \.isWhitespace)
                    guard fields.count == 2 else {
                        throw DatasetError(.corrupt, file: path, "line \(n + 1): expected `<file name> <wnid>`, got `\(line)`")
                    }
                }
                let file = String(fields[0]), wnid = String(fields[1])
                if let earlier = labels[file], earlier != wnid {
                    throw DatasetError(.corrupt, file: path, "line \(n + 1): \(file) labelled both \(earlier) and \(wnid)")
                }
                labels[file] = wnid
            }
            return (path, labels)
        }
        return nil
    }

    /// The index of a flat validation folder: every image must have a label naming one of `ids`,
    /// every labelled image must exist, and every class must have at least one image.
    static func scanFlat(dir: String, root: String, ids: [String], names: [String]) throws -> ImageFolderIndex {
        guard let (labelFile, labels) = try flatValidationLabels(root: root) else {
            throw DatasetError(.notFound, file: dir, "a flat validation folder (no class sub-folders) needs a label file in "
                               + "\(root): one of \(flatValidationLabelFiles.joined(separator: ", "))")
        }
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            throw DatasetError(.io, file: dir, "cannot list directory")
        }
        let label = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        var entries: [ImageFolderEntry] = [], skipped: [String] = [], seen = Set<String>()
        for f in files.sorted() where !f.hasPrefix(".") {
            let full = (dir as NSString).appendingPathComponent(f)
            guard imageExtensions.contains((f as NSString).pathExtension.lowercased()) else { skipped.append(full); continue }
            guard let wnid = labels[f] else { throw DatasetError(.classMismatch, file: full, "has no label in \(labelFile)") }
            guard let y = label[wnid] else {
                throw DatasetError(.classMismatch, file: labelFile, "\(f) is labelled \(wnid), which is not a class of train/")
            }
            var st = stat()
            guard stat(full, &st) == 0 else { throw DatasetError(.io, file: full, "cannot stat") }
            #if os(Linux)
            let mtime = st.st_mtim
            #else
            let mtime = st.st_mtimespec
            #endif
            entries.append(ImageFolderEntry(path: f, label: y, size: Int64(st.st_size),
                                            mtimeNanoseconds: Int64(mtime.tv_sec) * 1_000_000_000 + Int64(mtime.tv_nsec)))
            seen.insert(f)
        }
        if let missing = labels.keys.sorted().first(where: { !seen.contains($0) }) {
            throw DatasetError(.notFound, file: (dir as NSString).appendingPathComponent(missing),
                               "listed in \(labelFile) but missing (\(labels.count - seen.count) such)")
        }
        let counts = Dictionary(grouping: entries, by: \.label).mapValues(\.count)
        if let empty = ids.indices.first(where: { counts[$0] == nil }) {
            throw DatasetError(.emptyClass, file: dir, "no validation image of class \(ids[empty]) (per \(labelFile))")
        }
        // Sorted by class, then file name, as a foldered split is.
        entries.sort { ($0.label, $0.path) < ($1.label, $1.path) }
        return ImageFolderIndex(directory: dir, classIDs: ids, classNames: names, entries: entries, skipped: skipped)
    }
}
