// Deliberate faults for checking that the CI regression catches broken gradients.

import TensorCore
import NN
import Objectives

/// Wraps an objective and corrupts one of its gradients, selected by the
/// `ATKD_FAULT` environment variable (never set in normal use):
/// - `at-grad-flip`: the AT terms' tap gradients change sign (the student is pushed
///   away from the teacher's attention instead of towards it);
/// - `at-grad-zero`: the AT terms put no gradient on the taps (AT silently disabled).
public struct FaultInjectedObjective: Objective {
    public let inner: any Objective
    public let fault: String

    public static let known = ["at-grad-flip", "at-grad-zero"]

    public init(inner: any Objective, fault: String) { self.inner = inner; self.fault = fault }

    public var name: String { inner.name }
    public var needsTeacher: Bool { inner.needsTeacher }

    public var teacherNeeds: TeacherNeeds { inner.teacherNeeds }
    public var needsSetup: Bool { inner.needsSetup }
    public func prepare(_ setup: ObjectiveSetup) throws { try inner.prepare(setup) }
    public var parameters: [Parameter] { inner.parameters }
    public var buffers: [Buffer] { inner.buffers }
    public func stateRecord() -> [String: String] { inner.stateRecord() }
    public func restore(stateRecord: [String: String]) throws { try inner.restore(stateRecord: stateRecord) }

    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, labels: [Int]) -> [LossTerm] {
        terms(student: student, teacher: teacher, batch: ObjectiveBatch(labels: labels))
    }

    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, batch: ObjectiveBatch) -> [LossTerm] {
        inner.terms(student: student, teacher: teacher, batch: batch).map { term in
            guard term.name.hasPrefix("at") else { return term }
            var t = term
            switch fault {
            case "at-grad-flip": t.dTaps = term.dTaps.map { $0.map { $0 * -1 } }
            case "at-grad-zero": t.dTaps = term.dTaps.map { _ in nil }
            default: break
            }
            return t
        }
    }
}
