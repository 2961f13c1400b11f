// The one list of fixture evaluators: adding an op family = one entry here.

import HintonKD
import Models
import Objectives
import RelatedMethods
import TensorCore
import ZagoruykoAT
import ZhuAttention

/// Every evaluator `atkd verify` and the fixture tests know, in one list.
public enum EvaluatorRegistry {
    public static let all: [any FixtureEvaluator.Type] = [
        EngineOpsEvaluator.self,     // Fixtures/ops
        HintonKDFixtures.self,       // kd_loss
        ZagoruykoATFixtures.self,    // at_map, at_loss
        AWConvFixtures.self,         // awconv2d
        RelatedMethodsFixtures.self, // dkd_loss, rkd_loss, sp_loss, pkt_loss
        RelatedObjectiveFixtures.self, // fitnet_hint, crd_loss
        ModelFixtureEvaluator.self,  // model
    ]

    /// Every op some evaluator handles.
    public static var ops: Set<String> { all.reduce(into: []) { $0.formUnion($1.ops) } }

    /// The evaluator that handles `op`, if any (the first in list order).
    public static func evaluator(for op: String, in list: [any FixtureEvaluator.Type] = all)
        -> (any FixtureEvaluator.Type)? {
        list.first { $0.ops.contains(op) }
    }
}
