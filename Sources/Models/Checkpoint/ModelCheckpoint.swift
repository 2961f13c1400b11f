// Model checkpoints: every parameter and buffer of a model, by name, in a TensorArchive,
// with the architecture and class count in the metadata.

import TensorCore
import NN

/// Saves and restores a model's parameters and buffers (BN running statistics).
///
/// Metadata always holds `architecture` (= `model.name`) and `classes`
/// (= `model.numClasses`); callers add their own (config, dataset, epoch, …).
/// Loading is all-or-nothing: every check runs before any tensor is assigned.
public enum ModelCheckpoint {
    /// Metadata keys written by `save` (caller values under these keys are replaced).
    public static let architectureKey = "architecture"
    public static let classesKey = "classes"

    /// Parameters then buffers of `model`, in the model's order, by name.
    public static func namedTensors(of model: any Model, file: String) throws -> [(String, Tensor)] {
        let named = model.parameters.map { ($0.name, $0.value) } + model.buffers.map { ($0.name, $0.value) }
        var seen = Set<String>()
        for (name, _) in named where !seen.insert(name).inserted {
            throw CheckpointError(file: file, .duplicateName(name))
        }
        return named
    }

    /// Writes every parameter and buffer of `model` to `path` (atomically).
    public static func save(model: any Model, metadata: [String: String], to path: String) throws {
        var meta = metadata
        meta[architectureKey] = model.name
        meta[classesKey] = String(model.numClasses)
        try TensorArchive.write(tensors: try namedTensors(of: model, file: path), metadata: meta, to: path)
    }

    /// Loads `path` into `model` and returns the checkpoint's metadata.
    ///
    /// Throws `CheckpointError` (naming the file and the tensor) for a different
    /// architecture or class count, a missing or extra tensor, or a shape mismatch,
    /// and `TensorArchiveError` for an unreadable file; the model is unchanged then.
    @discardableResult
    public static func load(into model: any Model, from path: String) throws -> [String: String] {
        if path.hasSuffix(".safetensors") { return try loadSafeTensors(into: model, from: path) }
        let archive = try TensorArchive.readEntries(from: path)
        let meta = archive.metadata
        guard meta[architectureKey] == model.name else {
            throw CheckpointError(file: path, .wrongArchitecture(expected: model.name, found: meta[architectureKey]))
        }
        if let classes = meta[classesKey], classes != String(model.numClasses) {
            throw CheckpointError(file: path, .wrongClassCount(expected: model.numClasses, found: classes))
        }
        let stored = Dictionary(uniqueKeysWithValues: archive.entries.map { ($0.name, $0.tensor) })
        let wanted = try namedTensors(of: model, file: path)
        for (name, value) in wanted {
            guard let t = stored[name] else { throw CheckpointError(file: path, .missingTensor(name)) }
            guard t.shape == value.shape else {
                throw CheckpointError(file: path, .shapeMismatch(tensor: name, expected: value.shape, found: t.shape))
            }
        }
        let names = Set(wanted.map { $0.0 })
        if let extra = archive.entries.first(where: { !names.contains($0.name) }) {
            throw CheckpointError(file: path, .unexpectedTensor(extra.name))
        }
        for p in model.parameters { p.value = stored[p.name]! }
        for b in model.buffers { b.value = stored[b.name]! }
        return meta
    }

    /// The metadata of a checkpoint, `.atkd` or `.safetensors` (its `__metadata__`), without its tensors' use.
    public static func metadata(of path: String) throws -> [String: String] {
        path.hasSuffix(".safetensors") ? try SafeTensors.read(from: path).metadata : try TensorArchive.read(from: path).metadata
    }

    // MARK: safetensors (PyTorch state_dict names)

    /// `<bn>.num_batches_tracked` for every batch norm (each `<bn>.running_mean` buffer).
    static func batchCounterNames(of model: any Model) -> [String] {
        model.buffers.map(\.name).filter { $0.hasSuffix(".running_mean") }
            .map { String($0.dropLast(".running_mean".count)) + ".num_batches_tracked" }
    }

    /// Writes `model` as a PyTorch state_dict in safetensors: every parameter and buffer as F32 under
    /// its name (the zoo's names are the reference codebases' state_dict keys), plus each batch
    /// norm's `num_batches_tracked` as an I64 scalar (`batchesTracked`; PyTorch reads it only with
    /// momentum = None, so 0 is harmless), and `architecture` / `classes` in `__metadata__`.
    public static func exportSafeTensors(model: any Model, metadata: [String: String] = [:], batchesTracked: Int64 = 0,
                                         to path: String) throws {
        var meta = metadata
        meta[architectureKey] = model.name
        meta[classesKey] = String(model.numClasses)
        try SafeTensors.write(floats: try namedTensors(of: model, file: path),
                              integers: batchCounterNames(of: model).map { ($0, [], [batchesTracked]) },
                              metadata: meta, to: path)
    }

    /// Loads a safetensors state_dict into `model`: the keys must be exactly the model's
    /// parameters and buffers (`num_batches_tracked` counters are accepted and ignored, as PyTorch
    /// ignores them outside momentum = None), else `keyMismatch` lists every missing and extra key;
    /// shapes must agree. Float dtypes F32/F64/F16/BF16 are converted to Float. The model is
    /// unchanged when it throws. Returns `__metadata__`.
    @discardableResult
    public static func loadSafeTensors(into model: any Model, from path: String) throws -> [String: String] {
        let (entries, meta) = try SafeTensors.read(from: path)
        if let arch = meta[architectureKey], arch != model.name {
            throw CheckpointError(file: path, .wrongArchitecture(expected: model.name, found: arch))
        }
        let counters = Set(batchCounterNames(of: model))
        let wanted = try namedTensors(of: model, file: path)
        let wantedNames = Set(wanted.map(\.0))
        let stored = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })
        let missing = wanted.map(\.0).filter { stored[$0] == nil }
        let unexpected = entries.map(\.name).filter { !wantedNames.contains($0) && !counters.contains($0) }
        if !missing.isEmpty || !unexpected.isEmpty {
            throw CheckpointError(file: path, .keyMismatch(missing: missing, unexpected: unexpected.sorted()))
        }
        var values: [String: Tensor] = [:]
        for (name, value) in wanted {
            let e = stored[name]!
            guard let floats = e.floats else {
                throw CheckpointError(file: path, .shapeMismatch(tensor: "\(name) (dtype \(e.dtype), not a float)",
                                                                 expected: value.shape, found: e.shape))
            }
            // A 0-d tensor in PyTorch is [] here and there; any other shape must match exactly.
            guard e.shape == value.shape else {
                throw CheckpointError(file: path, .shapeMismatch(tensor: name, expected: value.shape, found: e.shape))
            }
            values[name] = Tensor(shape: value.shape, data: floats)
        }
        for p in model.parameters { p.value = values[p.name]! }
        for b in model.buffers { b.value = values[b.name]! }
        return meta
    }
}
