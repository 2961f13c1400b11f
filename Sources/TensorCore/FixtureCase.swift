// The evaluator contract for golden fixtures (format v1, Fixtures/README.md):
// each module that owns ops registers an evaluator; `Verification` runs them.

/// A parameter of a fixture op as read from JSON.
public enum FixtureParam: Equatable, Sendable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case list([FixtureParam])
    case null
}

/// One parsed, shape-validated fixture: what an evaluator needs to compute outputs.
public struct FixtureCase: Sendable {
    public var name: String
    public var op: String
    public var params: [String: FixtureParam]
    /// Input tensors by name; integer inputs (labels) hold whole numbers.
    public var inputs: [String: Tensor]
    /// Upstream gradients by output name, for ops with tensor outputs:
    /// gradients are of `Σ output ⊙ upstream`. Empty for scalar-output ops.
    public var upstream: [String: Tensor]
    public init(name: String, op: String, params: [String: FixtureParam], inputs: [String: Tensor],
                upstream: [String: Tensor]) {
        self.name = name; self.op = op; self.params = params; self.inputs = inputs; self.upstream = upstream
    }
}

/// Errors an evaluator throws for a malformed fixture; the message names the field.
public struct FixtureError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Computes the outputs a fixture expects (`y`, `loss`, `grad.x`, …) for the ops it owns.
public protocol FixtureEvaluator {
    /// Op names this evaluator handles.
    static var ops: Set<String> { get }
    /// Every output and gradient the op produces, keyed as in the fixture's `expected`.
    static func evaluate(_ fixture: FixtureCase, engine: any Kernels) throws -> [String: Tensor]
}

extension FixtureCase {
    /// A required tensor input; throws naming the fixture and field when absent.
    public func input(_ key: String) throws -> Tensor {
        guard let t = inputs[key] else { throw FixtureError("\(name): missing inputs.\(key)") }
        return t
    }
    public func number(_ key: String, default value: Double? = nil) throws -> Double {
        switch params[key] {
        case .number(let v)?: return v
        case .bool(let b)?: return b ? 1 : 0
        case nil: if let value { return value }; throw FixtureError("\(name): missing params.\(key)")
        default: throw FixtureError("\(name): params.\(key) must be a number")
        }
    }
    public func int(_ key: String, default value: Int? = nil) throws -> Int {
        let v = try number(key, default: value.map(Double.init))
        guard v == v.rounded() else { throw FixtureError("\(name): params.\(key) must be an integer") }
        return Int(v)
    }
    public func string(_ key: String, default value: String? = nil) throws -> String {
        switch params[key] {
        case .string(let s)?: return s
        case nil: if let value { return value }; throw FixtureError("\(name): missing params.\(key)")
        default: throw FixtureError("\(name): params.\(key) must be a string")
        }
    }
    public func bool(_ key: String, default value: Bool? = nil) throws -> Bool {
        switch params[key] {
        case .bool(let b)?: return b
        case nil: if let value { return value }; throw FixtureError("\(name): missing params.\(key)")
        default: throw FixtureError("\(name): params.\(key) must be true or false")
        }
    }
    /// Integer labels stored as a tensor of whole numbers.
    public func labels(_ key: String = "labels") throws -> [Int] {
        try input(key).data.map { v in
            guard v == v.rounded(), v >= 0 else { throw FixtureError("\(name): inputs.\(key) must hold class indices") }
            return Int(v)
        }
    }
}
