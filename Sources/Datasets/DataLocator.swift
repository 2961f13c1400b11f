// Where datasets are found: --data-root, then ATKD_DATA, then ./data/, then
// ../shared/datasets/; a not-found error says where to put the files.

import Foundation

/// The datasets the tool knows by name.
public enum DatasetKind: String, Sendable, CaseIterable, Codable {
    case cifar10
    case imagenette

    /// Folder names looked for under each search root, in preference order.
    public var folderNames: [String] {
        switch self {
        case .cifar10: return [CIFAR10.folderName]
        case .imagenette: return ["imagenette-72", "imagenette2-160", "imagenette2-320", "imagenette2", "imagenette"]
        }
    }

    /// The per-channel normalisation conventionally used with this dataset.
    public var normalization: Normalization {
        self == .cifar10 ? .cifar10 : .imagenet
    }
}

/// Resolves dataset directories.
public enum DataLocator {
    /// Search roots: `dataRoot` (`--data-root`) alone when given, else `ATKD_DATA` alone when set,
    /// else `./data`, `../shared/datasets` (both relative to the working directory).
    /// Explicit means explicit: a given `--data-root` is the only root searched, else a set
    /// `ATKD_DATA` is; only when neither is given are the defaults searched — so a typo in a path
    /// is a not-found error naming it, never training on other data.
    public static func searchRoots(dataRoot: String?,
                                   environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let r = dataRoot, !r.isEmpty { return [r] }
        if let r = environment["ATKD_DATA"], !r.isEmpty { return [r] }
        return ["data", "../shared/datasets"]
    }

    /// True when `dir` is the dataset itself (not a folder holding it).
    static func isDataset(_ dir: String, _ kind: DatasetKind) -> Bool {
        kind == .cifar10 ? CIFAR10.looksLikeCIFAR(dir) : ImageFolder.looksLikeImageFolder(dir)
    }

    /// The directory of dataset `kind`: the first search root that is the
    /// dataset, or holds it under one of `kind.folderNames`.
    public static func locate(_ kind: DatasetKind, dataRoot: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let roots = searchRoots(dataRoot: dataRoot, environment: environment)
        for root in roots {
            if isDataset(root, kind) { return root }
            for name in kind.folderNames {
                let p = (root as NSString).appendingPathComponent(name)
                if isDataset(p, kind) { return p }
            }
        }
        let looked = roots.map { "  \($0)/\(kind.folderNames[0])" }.joined(separator: "\n")
        switch kind {
        case .cifar10:
            throw DatasetError(.notFound, file: kind.folderNames[0], """
                CIFAR-10 not found. Looked in:
                \(looked)
                Put the binary version there: download \(CIFAR10.archiveURL)
                (MD5 \(CIFAR10.archiveMD5)) and extract it into ./data/ (tar xzf cifar-10-binary.tar.gz -C data),
                or pass --data-root DIR, or set ATKD_DATA=DIR, or run `atkd data download cifar10`.
                Plain .bin and zstd-compressed .bin.zst batch files are both read.
                """)
        case .imagenette:
            throw DatasetError(.notFound, file: kind.folderNames[0], """
                Imagenette (ImageFolder layout train/<wnid>/*.JPEG, val/<wnid>/*.JPEG) not found. Looked in:
                \(looked)
                Put it under ./data/, or pass --data-root DIR, or set ATKD_DATA=DIR.
                """)
        }
    }
}

/// One-call loading for the trainer.
public enum DatasetCatalog {
    /// Loads `split` of `kind`: CIFAR-10 from its batch files; ImageFolder
    /// datasets decoded at `resolution` through the preprocessed cache
    /// (`cacheDir`, else `ATKD_CACHE`, else the project's `cache/`).
    public static func load(_ kind: DatasetKind, split: Split, dataRoot: String? = nil, resolution: Int = 64,
                            cacheDir: String? = nil, threads: Int = 2, progress: Bool = true) throws -> ImageSet {
        let dir = try DataLocator.locate(kind, dataRoot: dataRoot)
        switch kind {
        case .cifar10:
            return try CIFAR10.load(directory: dir, split: split)
        case .imagenette:
            let index = try ImageFolder.scan(root: dir, split: split)
            return try PreprocessCache.resolve(explicit: cacheDir)
                .load(index, resolution: resolution, threads: threads, progress: progress).images
        }
    }
}
