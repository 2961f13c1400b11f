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
}
