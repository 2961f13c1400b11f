// Reads an experiment spec strictly: unknown keys, wrong types and impossible
// values are rejected before any training, with the key named.

import Foundation
import Optim
import Objectives
import TensorCore

/// A spec that cannot run; the message names the file and the key.
public struct SpecError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ d: String) { description = d }
}

public enum SpecLoader {
    /// Parses `data` (JSON) over the defaults of `ExperimentSpec`; `source` names it in errors.
    public static func load(_ data: Data, source: String,
                            knownModels: ((String) -> Bool)? = nil, knownArms: Set<String>? = nil) throws -> ExperimentSpec {
        let user: Any
        do { user = try JSONSerialization.jsonObject(with: data) } catch {
            throw SpecError("\(source): not valid JSON\(jsonErrorPosition(error, in: data))")
        }
        guard var userDict = user as? [String: Any] else { throw SpecError("\(source): top level must be an object") }
        // A run folder's spec.json carries how it ran beside what it is; only the spec is read back.
        userDict.removeValue(forKey: "provenance")
        let defaults = try JSONSerialization.jsonObject(with: encoder.encode(ExperimentSpec())) as! [String: Any]
        let merged = try merge(userDict, over: defaults, path: "", source: source)
        let spec: ExperimentSpec
        do {
            spec = try decoder.decode(ExperimentSpec.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let DecodingError.typeMismatch(type, ctx) {
            throw SpecError("\(source): \(keyPath(ctx.codingPath)): expected \(type)")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw SpecError("\(source): \(keyPath(ctx.codingPath)): \(ctx.debugDescription)")
        }
        try validate(spec, source: source, knownModels: knownModels, knownArms: knownArms)
        return spec
    }

    /// ` at line L, column C (…)` from Foundation's "around character N" (a byte offset), or the
    /// error's own words when it names no position.
    static func jsonErrorPosition(_ error: Error, in data: Data) -> String {
        let detail = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? error.localizedDescription
        guard let range = detail.range(of: #"character (\d+)"#, options: .regularExpression),
              let offset = Int(detail[range].dropFirst("character ".count)) else { return " (\(detail))" }
        let prefix = data.prefix(max(0, min(offset, data.count)))
        let line = prefix.filter { $0 == 0x0A }.count + 1
        let column = prefix.count - (prefix.lastIndex(of: 0x0A).map { $0 - prefix.startIndex + 1 } ?? 0) + 1
        return " at line \(line), column \(column) (\(detail))"
    }

    public static func load(path: String, knownModels: ((String) -> Bool)? = nil, knownArms: Set<String>? = nil) throws -> ExperimentSpec {
        guard let data = FileManager.default.contents(atPath: path) else { throw SpecError("\(path): cannot read file") }
        return try load(data, source: path, knownModels: knownModels, knownArms: knownArms)
    }

    /// The fully resolved spec as pretty JSON (written into every run folder).
    public static func resolvedJSON(_ spec: ExperimentSpec) -> Data {
        (try? encoder.encode(spec)) ?? Data()
    }

    /// The resolved spec with a top-level `provenance` object (what a run folder records).
    public static func resolvedJSON(_ spec: ExperimentSpec, provenance: RunProvenance) -> Data {
        struct Record: Encodable {
            var spec: ExperimentSpec, provenance: RunProvenance
            func encode(to encoder: Encoder) throws {
                try spec.encode(to: encoder)
                var c = encoder.container(keyedBy: Key.self)
                try c.encode(provenance, forKey: Key(stringValue: "provenance")!)
            }
            struct Key: CodingKey {
                var stringValue: String; var intValue: Int? { nil }
                init?(stringValue: String) { self.stringValue = stringValue }
                init?(intValue: Int) { nil }
            }
        }
        return (try? encoder.encode(Record(spec: spec, provenance: provenance))) ?? Data()
    }

    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return e
    }
    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }

    /// Objects merge key by key; anything else replaces. A key absent from the defaults is unknown.
    static func merge(_ user: [String: Any], over base: [String: Any], path: String, source: String) throws -> [String: Any] {
        var out = base
        for (key, value) in user {
            let here = path.isEmpty ? key : "\(path).\(key)"
            guard let baseValue = base[key] else {
                let known = base.keys.sorted().joined(separator: ", ")
                throw SpecError("\(source): unknown key `\(here)` (known here: \(known))")
            }
            if let b = baseValue as? [String: Any] {
                guard let u = value as? [String: Any] else { throw SpecError("\(source): \(here): expected an object") }
                out[key] = try merge(u, over: b, path: here, source: source)
            } else {
                out[key] = value
            }
        }
        return out
    }

    static func keyPath(_ path: [CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? snake($0.stringValue) }.joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
    }

    static func snake(_ s: String) -> String {
        var out = ""
        for ch in s {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }

    /// Impossible values, named by key.
    static func validate(_ s: ExperimentSpec, source: String, knownModels: ((String) -> Bool)?, knownArms: Set<String>?) throws {
        func fail(_ key: String, _ why: String) -> SpecError { SpecError("\(source): \(key): \(why)") }
        for (role, m) in [("teacher", s.teacher), ("student", s.student)] as [(String, NetworkSpec)] {
            let t = m.train
            if let known = knownModels, !known(m.model) {
                throw fail("\(role).model", "unknown model `\(m.model)` (see `atkd models`)")
            }
            if !(t.lr > 0) || !t.lr.isFinite { throw fail("\(role).train.lr", "must be positive, got \(t.lr)") }
            if t.epochs < 1 { throw fail("\(role).train.epochs", "must be at least 1, got \(t.epochs)") }
            if t.batchSize < 1 { throw fail("\(role).train.batch_size", "must be at least 1, got \(t.batchSize)") }
            if !(0..<1).contains(t.momentum) { throw fail("\(role).train.momentum", "must be in [0, 1), got \(t.momentum)") }
            if t.weightDecay < 0 { throw fail("\(role).train.weight_decay", "must be ≥ 0, got \(t.weightDecay)") }
            if !(0..<1).contains(t.labelSmoothing) { throw fail("\(role).train.label_smoothing", "must be in [0, 1)") }
            if t.warmupEpochs < 0 || t.warmupEpochs > t.epochs { throw fail("\(role).train.warmup_epochs", "must be in 0...epochs") }
            if t.milestones.contains(where: { $0 < 1 || $0 > t.epochs }) { throw fail("\(role).train.milestones", "must lie in 1...epochs") }
        }
        let d = s.dataset
        if !["cifar10", "imagefolder", "imagefolder-stream"].contains(d.kind) {
            throw fail("dataset.kind", "must be cifar10, imagefolder or imagefolder-stream, got `\(d.kind)`")
        }
        if d.resolution < 8 { throw fail("dataset.resolution", "must be at least 8, got \(d.resolution)") }
        if d.trainPerClass < 0 { throw fail("dataset.train_per_class", "must be ≥ 0") }
        if d.testPerClass < 0 { throw fail("dataset.test_per_class", "must be ≥ 0") }
        if d.validationPerClass < 0 { throw fail("dataset.validation_per_class", "must be ≥ 0") }
        if !["cifar10", "imagenet"].contains(d.normalization) { throw fail("dataset.normalization", "must be cifar10 or imagenet") }
        if !["zero", "reflect"].contains(d.augment.padMode) { throw fail("dataset.augment.pad_mode", "must be zero or reflect") }
        if d.augment.cropPadding < 0 { throw fail("dataset.augment.crop_padding", "must be ≥ 0") }
        if !(0..<1).contains(d.augment.randomResizedCropMinScale) { throw fail("dataset.augment.random_resized_crop_min_scale", "must be in [0, 1)") }
        let k = s.distill
        if !(k.temperature > 0) { throw fail("distill.temperature", "must be positive, got \(k.temperature)") }
        for (key, v) in [("kd_weight", k.kdWeight), ("ce_weight", k.ceWeight), ("at_weight", k.atWeight)] where !(v >= 0) {
            throw fail("distill.\(key)", "must be ≥ 0, got \(v)")
        }
        if !(k.atP > 0) { throw fail("distill.at_p", "must be positive") }
        if !["code", "paper"].contains(k.atForm) { throw fail("distill.at_form", "must be code or paper") }
        if !["avgpool", "bilinear"].contains(k.atResize) { throw fail("distill.at_resize", "must be avgpool or bilinear") }
        if k.atReferencePixels < 0 { throw fail("distill.at_reference_pixels", "must be ≥ 0 (0 = off)") }
        if !["same", "mixed"].contains(k.atTapStates) { throw fail("distill.at_tap_states", "must be same or mixed") }
        do { try k.relatedMethods.validate() } catch ObjectiveError.invalidOption(let key, let value, let reason) {
            throw fail("distill.\(snake(key == "crdkdKDWeight" ? "crdkdKdWeight" : key))", "\(reason), got \(value)")
        }
        let arms = knownArms ?? Set(ObjectiveRegistry.names)
        if s.arms.isEmpty { throw fail("arms", "must list at least one of \(arms.sorted())") }
        if let bad = s.arms.first(where: { !arms.contains($0) }) { throw fail("arms", "unknown arm `\(bad)` (known arms: \(arms.sorted().joined(separator: ", ")))") }
        if s.seeds.isEmpty { throw fail("seeds", "must list at least one seed") }
        if s.threads < 1 { throw fail("threads", "must be at least 1") }
        if s.corruptionPerClass < 0 { throw fail("corruption_per_class", "must be ≥ 0 (0 = off)") }
        if !["fast", "reference"].contains(s.engine) { throw fail("engine", "must be fast or reference") }
        if Precision(rawValue: s.precision) == nil { throw fail("precision", "must be fp32 or bf16") }
        if s.precision == "bf16" && s.engine != "fast" { throw fail("precision", "bf16 runs on the fast engine only") }
        if s.evalEvery < 1 { throw fail("eval_every", "must be at least 1") }
        if s.name.isEmpty || s.name.contains("/") { throw fail("name", "must be a non-empty folder name") }
    }
}
