// A golden fixture file (format v1, Fixtures/README.md): strict parsing into
// a `FixtureCase`, its expected outputs, tolerance and provenance.

import Foundation
import TensorCore

/// A malformed fixture: the message names the file and the field,
/// e.g. `Fixtures/ops/x.json: inputs.weight: data has 53 values but shape [2,3,3,3] needs 54`.
public struct FixtureFileError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var field: String
    public var message: String
    public init(file: String, field: String, message: String) {
        self.file = file; self.field = field; self.message = message
    }
    public var description: String { "\(file): \(field): \(message)" }
}

/// A problem with one field, before the file name is attached.
public struct FixtureFieldError: Error, CustomStringConvertible, Equatable {
    public var field: String
    public var message: String
    public init(_ field: String, _ message: String) { self.field = field; self.message = message }
    public var description: String { "\(field): \(message)" }
}

/// Element-wise closeness: `|got − expected| ≤ atol + rtol·|expected|`.
public struct FixtureTolerance: Equatable, Sendable {
    public var rtol: Double
    public var atol: Double
    public init(rtol: Double, atol: Double) { self.rtol = rtol; self.atol = atol }
}

/// Where a fixture's numbers came from.
public struct FixtureProvenance: Equatable, Sendable {
    /// Generator script, relative to the package root.
    public var generator: String
    /// Library and version that computed the values, e.g. `torch 2.13.0`.
    public var library: String
    public var seed: Int
}

/// One parsed and validated fixture file.
public struct FixtureFile: Sendable {
    /// The path as given (used in every message).
    public var path: String
    /// What the evaluator needs: op, params, inputs, upstream gradients.
    public var fixture: FixtureCase
    /// Expected outputs and gradients by key (`y`, `loss`, `grad.x`, …).
    public var expected: [String: Tensor]
    public var tolerance: FixtureTolerance
    public var provenance: FixtureProvenance

    /// Reads and validates the file at `path`.
    /// - Parameter knownOps: ops some evaluator handles; any other op is an error.
    public static func load(path: String, knownOps: Set<String> = EvaluatorRegistry.ops) throws -> FixtureFile {
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw FixtureFileError(file: path, field: "(file)", message: "cannot be read: \(error.localizedDescription)")
        }
        return try FixtureFile(json: bytes, path: path, knownOps: knownOps)
    }

    /// Parses and validates fixture JSON; `path` only names the source in errors.
    public init(json: Data, path: String, knownOps: Set<String> = EvaluatorRegistry.ops) throws {
        let root: JSONValue
        do { root = try JSONValue.parse(json) } catch {
            throw FixtureFileError(file: path, field: "(document)", message: "not valid JSON (\(error))")
        }
        do {
            try self.init(root: root, path: path, knownOps: knownOps)
        } catch let e as FixtureFieldError {
            throw FixtureFileError(file: path, field: e.field, message: e.message)
        }
    }

    private init(root: JSONValue, path: String, knownOps: Set<String>) throws {
        guard case .object(let doc) = root else { throw FixtureFieldError("(document)", "must be a JSON object, got \(root.kind)") }
        if let format = doc["format"] {
            guard format == .number(1) else { throw FixtureFieldError("format", "only format 1 is supported, got \(format)") }
        }
        let name = try Self.string(doc, "name")
        let op = try Self.string(doc, "op")
        guard knownOps.contains(op) else {
            throw FixtureFieldError("op", "unknown op \"\(op)\" (known: \(knownOps.sorted().joined(separator: ", ")))")
        }
        var parsedParams: [String: FixtureParam] = [:]
        for (key, value) in try Self.object(doc, "params") { parsedParams[key] = try Self.param(value, field: "params.\(key)") }

        let inputs = try Self.tensors(doc, "inputs", required: true)
        let upstream = try Self.tensors(doc, "upstream", required: false)
        let expected = try Self.tensors(doc, "expected", required: true)
        guard !inputs.isEmpty else { throw FixtureFieldError("inputs", "must name at least one tensor") }
        guard !expected.isEmpty else { throw FixtureFieldError("expected", "must name at least one tensor") }

        let tol = try Self.object(doc, "tolerance")
        let rtol = try Self.number(tol, "rtol", field: "tolerance.rtol")
        let atol = try Self.number(tol, "atol", field: "tolerance.atol")
        for (v, f) in [(rtol, "tolerance.rtol"), (atol, "tolerance.atol")] where !(v >= 0 && v.isFinite) {
            throw FixtureFieldError(f, "must be a finite number ≥ 0, got \(v)")
        }
        let prov = try Self.object(doc, "provenance")
        let seed = try Self.number(prov, "seed", field: "provenance.seed")
        guard seed == seed.rounded(), abs(seed) < 1e15 else { throw FixtureFieldError("provenance.seed", "must be an integer") }
        provenance = FixtureProvenance(
            generator: try Self.string(prov, "generator", field: "provenance.generator"),
            library: try Self.string(prov, "library", field: "provenance.library"),
            seed: Int(seed))

        self.path = path
        self.fixture = FixtureCase(name: name, op: op, params: parsedParams, inputs: inputs, upstream: upstream)
        self.expected = expected
        self.tolerance = FixtureTolerance(rtol: rtol, atol: atol)
        try FixtureShapeRules.checkGeneric(fixture, expected: expected)
        try FixtureShapeRules.check(fixture)
    }

    // MARK: field readers (each error names its field)

    private static func value(_ obj: [String: JSONValue], _ key: String, field: String) throws -> JSONValue {
        guard let v = obj[key] else { throw FixtureFieldError(field, "missing") }
        return v
    }

    private static func string(_ obj: [String: JSONValue], _ key: String, field: String? = nil) throws -> String {
        let f = field ?? key
        guard case .string(let s) = try value(obj, key, field: f) else {
            throw FixtureFieldError(f, "must be a string, got \(obj[key]!.kind)")
        }
        guard !s.isEmpty else { throw FixtureFieldError(f, "must not be empty") }
        return s
    }

    private static func number(_ obj: [String: JSONValue], _ key: String, field: String) throws -> Double {
        guard case .number(let d) = try value(obj, key, field: field) else {
            throw FixtureFieldError(field, "must be a number, got \(obj[key]!.kind)")
        }
        return d
    }

    private static func object(_ obj: [String: JSONValue], _ key: String) throws -> [String: JSONValue] {
        guard case .object(let o) = try value(obj, key, field: key) else {
            throw FixtureFieldError(key, "must be an object, got \(obj[key]!.kind)")
        }
        return o
    }

    private static func param(_ v: JSONValue, field: String) throws -> FixtureParam {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let d): return .number(d)
        case .string(let s): return .string(s)
        case .array(let a): return .list(try a.enumerated().map { try param($1, field: "\(field)[\($0)]") })
        case .object: throw FixtureFieldError(field, "objects are not allowed in params")
        }
    }

    private static func tensors(_ obj: [String: JSONValue], _ key: String, required: Bool) throws -> [String: Tensor] {
        guard obj[key] != nil || required else { return [:] }
        var out: [String: Tensor] = [:]
        for (name, value) in try object(obj, key) {
            out[name] = try tensor(value, field: "\(key).\(name)")
        }
        return out
    }

    /// `{"shape": [..], "data": [..]}` with `data.count == Π shape`.
    static func tensor(_ v: JSONValue, field: String) throws -> Tensor {
        guard case .object(let t) = v else { throw FixtureFieldError(field, "must be a tensor object {shape, data}, got \(v.kind)") }
        guard case .array(let dims)? = t["shape"] else {
            throw FixtureFieldError(field, t["shape"] == nil ? "missing shape" : "shape must be an array")
        }
        guard case .array(let values)? = t["data"] else {
            throw FixtureFieldError(field, t["data"] == nil ? "missing data" : "data must be an array")
        }
        var shape: [Int] = []
        for (i, d) in dims.enumerated() {
            guard case .number(let n) = d, n >= 0, n == n.rounded(), n < 1e9 else {
                throw FixtureFieldError(field, "shape[\(i)] must be a non-negative integer, got \(d)")
            }
            shape.append(Int(n))
        }
        let needed = shape.reduce(1, *)
        guard values.count == needed else {
            throw FixtureFieldError(field, "data has \(values.count) values but shape \(formatShape(shape)) needs \(needed)")
        }
        var data = [Float](repeating: 0, count: needed)
        for (i, x) in values.enumerated() {
            guard case .number(let d) = x else { throw FixtureFieldError(field, "data[\(i)] is \(x.kind), not a number") }
            let f = Float(d)
            guard f.isFinite else { throw FixtureFieldError(field, "data[\(i)] = \(d) is not a finite Float") }
            data[i] = f
        }
        return Tensor(shape: shape, data: data)
    }
}

/// `[2,3,3,3]`: shapes as the fixture files write them.
func formatShape(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ",") + "]"
}
