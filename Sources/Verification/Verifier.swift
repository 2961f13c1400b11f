// Runs golden fixtures under one engine and compares every expected key.

import Foundation
import TensorCore

/// The outcome of one fixture under one engine.
public struct FixtureResult: Sendable {
    public var file: String
    /// The fixture's name, or the file path when the file could not be parsed.
    public var name: String
    public var engine: String
    public var passed: Bool
    /// Largest |got − expected| over all keys (the failing key's when failed).
    public var maxAbsError: Double
    /// The key with the largest error relative to its tolerance, or the key that failed.
    public var worstKey: String?
    /// Why it failed when no number says it: a missing key, a shape, a thrown error.
    public var note: String?
}

/// Verifies fixtures under one engine: `|got − exp| ≤ atol + rtol·|exp|` for
/// every element of every `expected` key. A key the evaluator does not
/// produce fails; outputs nobody expects are ignored.
public struct Verifier {
    public var engine: any Kernels
    public var evaluators: [any FixtureEvaluator.Type]

    public init(engine: any Kernels, evaluators: [any FixtureEvaluator.Type] = EvaluatorRegistry.all) {
        self.engine = engine
        self.evaluators = evaluators
    }

    /// Parses and verifies the file at `path`; a malformed file is a failure whose note is the error.
    public func verify(path: String) -> FixtureResult {
        do {
            return verify(try FixtureFile.load(path: path, knownOps: opsKnown))
        } catch {
            return FixtureResult(file: path, name: path, engine: engine.name, passed: false,
                                 maxAbsError: .infinity, worstKey: nil, note: "\(error)")
        }
    }

    /// Ops the evaluators of this verifier handle.
    public var opsKnown: Set<String> { evaluators.reduce(into: []) { $0.formUnion($1.ops) } }

    /// Evaluates a parsed fixture and compares each expected key.
    public func verify(_ file: FixtureFile) -> FixtureResult {
        let f = file.fixture
        var result = FixtureResult(file: file.path, name: f.name, engine: engine.name, passed: false,
                                   maxAbsError: .infinity, worstKey: nil, note: nil)
        guard let evaluator = EvaluatorRegistry.evaluator(for: f.op, in: evaluators) else {
            result.note = "\(file.path): op: no evaluator handles \"\(f.op)\""
            return result
        }
        let got: [String: Tensor]
        do { got = try evaluator.evaluate(f, engine: engine) } catch {
            result.note = "\(file.path): \(error)"
            return result
        }
        var maxAbs = 0.0, worstRatio = -1.0, worstAbs = 0.0, worstDetail = ""
        for key in file.expected.keys.sorted() {
            let exp = file.expected[key]!
            guard let g = got[key] else {
                result.worstKey = key
                result.note = "expected.\(key) is not produced by \(evaluator)"
                return result
            }
            guard g.shape == exp.shape else {
                result.worstKey = key
                result.note = "expected.\(key) has shape \(formatShape(exp.shape)), got \(formatShape(g.shape))"
                return result
            }
            let c = Self.compare(g, exp, file.tolerance)
            maxAbs = max(maxAbs, c.maxAbs)
            // NOTE: `!(a <= b)` so that a NaN ratio becomes the worst.
            if !worstRatio.isNaN, !(c.ratio <= worstRatio) {
                worstRatio = c.ratio; worstAbs = c.maxAbs; worstDetail = c.worstDetail; result.worstKey = key
            }
        }
        result.passed = worstRatio <= 1
        result.maxAbsError = result.passed ? maxAbs : worstAbs
        if !result.passed { result.note = "expected.\(result.worstKey ?? "?"): \(worstDetail)" }
        return result
    }

    /// Largest |got − exp|, and the largest `|got − exp| / (atol + rtol·|exp|)` (> 1 fails; NaN fails).
    static func compare(_ got: Tensor, _ exp: Tensor, _ tol: FixtureTolerance)
        -> (maxAbs: Double, ratio: Double, worstDetail: String) {
        var maxAbs = 0.0, ratio = 0.0, worst = 0
        for i in 0..<exp.count {
            let g = Double(got.data[i]), e = Double(exp.data[i])
            let d = abs(g - e)
            guard !d.isNaN else { return (.nan, .nan, "element \(i) is \(g), expected \(e)") }
            maxAbs = max(maxAbs, d)
            let r = d / (tol.atol + tol.rtol * abs(e))
            if r > ratio { ratio = r; worst = i }
        }
        let detail = exp.count == 0 ? "empty" :
            "element \(worst) is \(got.data[worst]), expected \(exp.data[worst]) (atol \(tol.atol), rtol \(tol.rtol))"
        return (maxAbs, ratio, detail)
    }

    /// Every `*.json` under the given files and directories (recursively), sorted and without duplicates.
    /// A named file is taken whatever its extension; a path that does not exist throws.
    public static func fixturePaths(_ paths: [String]) throws -> [String] {
        let fm = FileManager.default
        var found = Set<String>()
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                throw FixtureFileError(file: path, field: "(path)", message: "no such file or directory")
            }
            guard isDir.boolValue else { found.insert(path); continue }
            guard let walker = fm.enumerator(atPath: path) else { continue }
            for case let rel as String in walker where rel.hasSuffix(".json") {
                let full = (path as NSString).appendingPathComponent(rel)
                var sub: ObjCBool = false
                if fm.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue { found.insert(full) }
            }
        }
        return found.sorted()
    }
}
