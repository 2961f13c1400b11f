// Reasons a run stops early, each with a message that says what to do.

public enum TrainingError: Error, CustomStringConvertible {
    case nonFinite(String)
    case interrupted(String)
    case badCheckpoint(String)
    case data(String)
    /// A run folder records another run than the one asked for (spec, teacher, data, engine…).
    case identityMismatch(String)

    public var description: String {
        switch self {
        case .nonFinite(let m): return "non-finite loss: \(m); the last good checkpoint is kept (lower the learning rate and resume)"
        case .interrupted(let m): return "interrupted: \(m); run the same command again to continue"
        case .badCheckpoint(let m): return "bad checkpoint: \(m)"
        case .data(let m): return "data: \(m)"
        case .identityMismatch(let m): return "run identity: \(m)"
        }
    }
}
