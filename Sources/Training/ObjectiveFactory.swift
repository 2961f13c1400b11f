// From a spec's distillation settings to the registry's objectives.

import Foundation
import TensorCore
import Objectives
import ZagoruykoAT

public enum ObjectiveFactory {
    /// The arms a spec may list.
    public static var names: [String] { ObjectiveRegistry.names }

    /// The AT loss options of a spec (the same for the `at` and `atkd` arms).
    public static func atOptions(distill: DistillSpec) -> ATLossOptions {
        var o = ATLossOptions.authorsCode
        o.p = distill.atP
        o.form = ATLossForm(rawValue: distill.atForm) ?? .code
        o.spatialMatch = ATSpatialMatch(rawValue: distill.atResize) ?? .avgpool
        return o
    }

    /// What of the teacher's outputs `arms` read, together: what one seed's `TeacherOutputCache`
    /// keeps from its first pass (`alsoKeep`), so the arms after it hit.
    public static func teacherNeeds(ofArms arms: [String], distill: DistillSpec, train: TrainSpec,
                                    engine: any Kernels) throws -> TeacherNeeds {
        try arms.reduce(TeacherNeeds.logits) {
            try $0.union(make($1, distill: distill, train: train, engine: engine).teacherNeeds)
        }
    }

    /// The objective `arm` with the spec's weights: `ce`, `at` and the related-method arms keep CE
    /// weight 1 (RepDistiller `-r 1`), `kd` and `atkd` use `distill.ce_weight` (0.1) beside
    /// `kd_weight` (0.9); the related-method arms read `distill.dkd_*`, `rkd_*`, `sp_weight`,
    /// `pkt_weight`, `fitnet_*`, `crd_*` and `crdkd_kd_weight`.
    public static func make(_ arm: String, distill: DistillSpec, train: TrainSpec, engine: any Kernels) throws -> any Objective {
        var o = ObjectiveOptions.defaults
        o.temperature = distill.temperature
        o.kdWeight = distill.kdWeight
        o.ceWeight = (arm == "kd" || arm == "atkd") ? distill.ceWeight : nil
        o.atWeight = distill.atWeight
        let at = atOptions(distill: distill)
        o.p = at.p
        o.atForm = at.form
        o.spatialMatch = at.spatialMatch
        o.labelSmoothing = train.labelSmoothing
        o.atReferencePixels = distill.atReferencePixels
        o.related = distill.relatedMethods
        let objective = try ObjectiveRegistry.make(name: arm, options: o, engine: engine)
        if let fault = ProcessInfo.processInfo.environment["ATKD_FAULT"], !fault.isEmpty {
            guard FaultInjectedObjective.known.contains(fault) else {
                throw SpecError("ATKD_FAULT=\(fault): unknown fault (known: \(FaultInjectedObjective.known))")
            }
            return FaultInjectedObjective(inner: objective, fault: fault)
        }
        return objective
    }
}
