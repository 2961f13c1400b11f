// Which kernel engines a verification run uses.

import FastEngine
import ReferenceEngine
import TensorCore

/// `reference` (the specification), `fast`, or `both` in that order.
public enum EngineChoice: String, CaseIterable, Sendable {
    case reference, fast, both

    /// The engines to run, reference first.
    public var engines: [any Kernels] {
        switch self {
        case .reference: return [ReferenceEngine()]
        case .fast: return [FastEngine()]
        case .both: return [ReferenceEngine(), FastEngine()]
        }
    }
}
