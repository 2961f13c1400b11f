// ImageFolder (ImageNet) layout: `root/{train,val}/<wnid>/*.JPEG`, scanned in a
// fixed order, class sets checked across splits, optional `classes.txt`.

import Foundation

/// One source image of an ImageFolder split.
public struct ImageFolderEntry: Sendable, Equatable, Codable {
    /// Path relative to the split directory: `<wnid>/<file>`.
    public let path: String
    public let label: Int
    /// Size in bytes and modification time (ns since 1970) at scan time.
    public let size: Int64
    public let mtimeNanoseconds: Int64
}

/// The scanned contents of one split, before decoding.
public struct ImageFolderIndex: Sendable, Equatable {
    /// The split directory (`root/train`, `root/val`).
    public let directory: String
    /// Folder names (WordNet ids) in label order.
    public let classIDs: [String]
    /// Human-readable names in label order (from `classes.txt`, else the ids).
    public let classNames: [String]
    /// Images sorted by class, then by file name.
    public let entries: [ImageFolderEntry]
    /// Files ignored because their extension is not an image one (see `ImageFolder`).
    public let skipped: [String]

    public init(directory: String, classIDs: [String], classNames: [String], entries: [ImageFolderEntry],
                skipped: [String]) {
        self.directory = directory
        self.classIDs = classIDs
        self.classNames = classNames
        self.entries = entries
        self.skipped = skipped
    }
}

/// Reader for the torchvision `ImageFolder` layout.
///
/// - Classes: sorted sub-directory names of `train/`, label = position; when
///   `root/classes.txt` (`wnid<TAB>name` per line) exists, label = line order
///   and the folders must match its ids exactly.
/// - Files within a class are sorted by name; only `.jpg`/`.jpeg` (any case)
///   are images.
/// - Policy for other files inside a class folder: **skipped with a warning**
///   (listed in `ImageFolderIndex.skipped`, printed by `atkd data check`),
///   as torchvision skips non-image extensions. A file that has an image
///   extension but does not decode is an error, never skipped.
/// - An empty class folder, or train/val folders naming different classes,
///   is an error.
/// - A `val/` without sub-folders is ILSVRC-2012's flat layout, labelled by a file
///   (`ImageFolder+FlatValidation.swift`).
public enum ImageFolder {
    public static let imageExtensions: Set<String> = ["jpg", "jpeg"]

    /// The directory of `split` under `root`: `train/`, and `val/` (else `test/`) for `.test`.
    public static func splitDirectory(root: String, split: Split) -> String? {
        let names = split == .train ? ["train"] : ["val", "test"]
        for n in names {
            let p = (root as NSString).appendingPathComponent(n)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue { return p }
        }
        return nil
    }

    /// True when `root` has a `train/` or `val/` directory.
    public static func looksLikeImageFolder(_ root: String) -> Bool {
        splitDirectory(root: root, split: .train) != nil || splitDirectory(root: root, split: .test) != nil
    }

    static func subdirectories(_ dir: String) throws -> [String] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: dir) else {
            throw DatasetError(.io, file: dir, "cannot list directory")
        }
        return names.filter { n in
            var isDir: ObjCBool = false
            return !n.hasPrefix(".") && fm.fileExists(atPath: (dir as NSString).appendingPathComponent(n),
                                                      isDirectory: &isDir) && isDir.boolValue
        }.sorted()
    }

    /// Class ids and names of the dataset at `root`, checked across splits.
    public static func classes(root: String) throws -> (ids: [String], names: [String]) {
        var perSplit: [(String, [String])] = []
        for split in Split.allCases {
            guard let d = splitDirectory(root: root, split: split) else { continue }
            let sub = try subdirectories(d)
            if split != .train && sub.isEmpty { continue }  // a flat validation folder: classes come from train/
            perSplit.append((d, sub))
        }
        guard let (firstDir, ids) = perSplit.first else {
            throw DatasetError(.notFound, file: root, "no train/ or val/ directory (ImageFolder layout expected)")
        }
        guard !ids.isEmpty else { throw DatasetError(.notFound, file: firstDir, "no class folders") }
        for (dir, other) in perSplit.dropFirst() where other != ids {
            let missing = Set(ids).subtracting(other).sorted(), extra = Set(other).subtracting(ids).sorted()
            throw DatasetError(.classMismatch, file: dir,
                               "class folders differ from \(firstDir): missing \(missing), extra \(extra)")
        }
        let listPath = (root as NSString).appendingPathComponent("classes.txt")
        guard FileManager.default.fileExists(atPath: listPath) else { return (ids, ids) }
        guard let text = try? String(contentsOfFile: listPath, encoding: .utf8) else {
            throw DatasetError(.corrupt, file: listPath, "not readable as UTF-8 text")
        }
        var listed: [String] = [], names: [String] = []
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            let parts = t.split(separator: "\t", maxSplits: 1)
            let id = String(parts[0]).trimmingCharacters(in: .whitespaces)
            guard !listed.contains(id) else {
                throw DatasetError(.classMismatch, file: listPath, "line \(n + 1): class \(id) listed twice")
            }
            listed.append(id)
            names.append(parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : id)
        }
        guard Set(listed) == Set(ids) else {
            throw DatasetError(.classMismatch, file: listPath,
                               "lists \(listed.count) classes but the folders are \(ids.count); "
                               + "not in folders: \(Set(listed).subtracting(ids).sorted()), "
                               + "not listed: \(Set(ids).subtracting(listed).sorted())")
        }
        return (listed, names)
    }

    /// Scans `split` of the dataset at `root`: every class folder must hold
    /// at least one image.
    public static func scan(root: String, split: Split) throws -> ImageFolderIndex {
        let (ids, names) = try classes(root: root)
        guard let dir = splitDirectory(root: root, split: split) else {
            throw DatasetError(.notFound, file: root,
                               "no \(split == .train ? "train/" : "val/ (or test/)") directory")
        }
        if split != .train, try isFlat(dir) { return try scanFlat(dir: dir, root: root, ids: ids, names: names) }
        let fm = FileManager.default
        var entries: [ImageFolderEntry] = [], skipped: [String] = []
        for (label, id) in ids.enumerated() {
            let classDir = (dir as NSString).appendingPathComponent(id)
            guard let files = try? fm.contentsOfDirectory(atPath: classDir) else {
                throw DatasetError(.io, file: classDir, "cannot list directory")
            }
            var count = 0
            for f in files.sorted() {
                let full = (classDir as NSString).appendingPathComponent(f)
                guard imageExtensions.contains((f as NSString).pathExtension.lowercased()) else {
                    skipped.append(full)
                    continue
                }
                var st = stat()
                guard stat(full, &st) == 0 else { throw DatasetError(.io, file: full, "cannot stat") }
                guard (st.st_mode & S_IFMT) == S_IFREG else { skipped.append(full); continue }
                #if os(Linux)
                let mtime = st.st_mtim
                #else
                let mtime = st.st_mtimespec
                #endif
                entries.append(ImageFolderEntry(
                    path: id + "/" + f, label: label, size: Int64(st.st_size),
                    mtimeNanoseconds: Int64(mtime.tv_sec) * 1_000_000_000 + Int64(mtime.tv_nsec)))
                count += 1
            }
            if count == 0 {
                throw DatasetError(.emptyClass, file: classDir, "class folder holds no .jpg/.jpeg images")
            }
        }
        return ImageFolderIndex(directory: dir, classIDs: ids, classNames: names, entries: entries, skipped: skipped)
    }
}
