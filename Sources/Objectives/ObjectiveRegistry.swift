// The registry of objectives by name: adding a method = one file + one entry here.

import TensorCore

/// Builds objectives from a name and `ObjectiveOptions`.
public enum ObjectiveRegistry {
    typealias Factory = (ObjectiveOptions, String, any Kernels) -> any Objective

    static let factories: [String: Factory] = [
        "ce": { o, n, e in
            CrossEntropyObjective(ceWeight: o.resolvedCEWeight(objective: n), labelSmoothing: o.labelSmoothing, engine: e)
        },
        "kd": { o, n, e in
            KDObjective(ceWeight: o.resolvedCEWeight(objective: n), kdWeight: o.kdWeight, temperature: o.temperature,
                        labelSmoothing: o.labelSmoothing, engine: e)
        },
        "at": { o, n, e in
            ATObjective(ceWeight: o.resolvedCEWeight(objective: n), atWeight: o.atWeight, atOptions: o.atLossOptions,
                        perTap: o.atTermPerTap, labelSmoothing: o.labelSmoothing, referencePixels: o.atReferencePixels,
                        engine: e)
        },
        "atkd": { o, n, e in
            ATKDObjective(ceWeight: o.resolvedCEWeight(objective: n), kdWeight: o.kdWeight, temperature: o.temperature,
                          atWeight: o.atWeight, atOptions: o.atLossOptions, perTap: o.atTermPerTap,
                          labelSmoothing: o.labelSmoothing, referencePixels: o.atReferencePixels, engine: e)
        },
        "dkd": { o, n, e in
            DKDObjective(ceWeight: o.resolvedCEWeight(objective: n), alpha: o.related.dkdAlpha, beta: o.related.dkdBeta,
                         temperature: o.related.dkdTemperature, warmupEpochs: o.related.dkdWarmupEpochs,
                         labelSmoothing: o.labelSmoothing, engine: e)
        },
        "rkd": { o, n, e in
            RKDObjective(ceWeight: o.resolvedCEWeight(objective: n), weight: o.related.rkdWeight,
                         distanceWeight: o.related.rkdDistanceWeight, angleWeight: o.related.rkdAngleWeight,
                         labelSmoothing: o.labelSmoothing, engine: e)
        },
        "sp": { o, n, e in
            SPObjective(ceWeight: o.resolvedCEWeight(objective: n), weight: o.related.spWeight,
                        labelSmoothing: o.labelSmoothing, engine: e)
        },
        "pkt": { o, n, e in
            PKTObjective(ceWeight: o.resolvedCEWeight(objective: n), weight: o.related.pktWeight,
                         labelSmoothing: o.labelSmoothing, engine: e)
        },
        "fitnet": { o, n, e in
            FitNetObjective(ceWeight: o.resolvedCEWeight(objective: n), weight: o.related.fitnetWeight,
                            hintTap: o.related.fitnetHintTap, labelSmoothing: o.labelSmoothing, engine: e)
        },
        "crd": { o, n, e in crd(o, n, e, kd: nil) },
        "crdkd": { o, n, e in
            crd(o, n, e, kd: KDObjective(ceWeight: 0, kdWeight: o.related.crdkdKDWeight, temperature: o.temperature,
                                         labelSmoothing: o.labelSmoothing, engine: e))
        },
    ]

    static func crd(_ o: ObjectiveOptions, _ n: String, _ e: any Kernels, kd: KDObjective?) -> CRDObjective {
        let r = o.related
        return CRDObjective(name: n, ceWeight: o.resolvedCEWeight(objective: n), weight: r.crdWeight,
                            featureDim: r.crdFeatureDim, negatives: r.crdNegatives, temperature: r.crdTemperature,
                            momentum: r.crdMomentum, kd: kd, labelSmoothing: o.labelSmoothing, engine: e)
    }

    /// Registered names, sorted.
    public static var names: [String] { factories.keys.sorted() }

    /// The objective called `name` with `options`; `engine` computes cross-entropy and,
    /// when taps differ in size, the pooling / resizing of AT.
    /// Throws `ObjectiveError` for an unknown name or an impossible option (naming the key).
    public static func make(name: String, options: ObjectiveOptions = .defaults,
                            engine: any Kernels) throws -> any Objective {
        guard let factory = factories[name] else {
            throw ObjectiveError.unknownObjective(name: name, known: names)
        }
        try options.validate()
        return factory(options, name, engine)
    }
}
