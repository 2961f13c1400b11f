// `at`: attention transfer, `ce_weight·ce + β·Σ_j at_j` over student/teacher tap pairs.

import TensorCore
import ZagoruykoAT

/// Terms `ce` (weight `ceWeight`) and `at = Σ_j at_j` (weight β = `atWeight`), or one term
/// `at.<j>` per tap pair when `perTap` is set. Taps pair by position: student tap j with
/// teacher tap j; the counts must agree.
///
/// - Paper: Zagoruyko & Komodakis, eq. (2): `L(W_S, x) + (β/2) Σ_j ‖q̂_S^j − q̂_T^j‖_p`.
/// - Reference: attention-transfer `cifar.py`: `loss + β·sum(at_loss(x, y) for x, y in zip(g_s, g_t))`,
///   β = 1000; RepDistiller `--distill attention -a 0 -b 1000` (CE weight 1).
/// - Deviation: see `ZagoruykoAT.loss` (code vs paper form, spatial matching).
public struct ATObjective: Objective {
    public let name = "at"
    public let needsTeacher = true
    public var ce: CrossEntropyObjective
    /// β, the weight of each AT term.
    public var atWeight: Float
    public var atOptions: ATLossOptions
    /// One term per tap pair instead of their sum.
    public var perTap: Bool
    /// S_ref of the resolution-fair weight (0 = off): tap j's term × S_j / S_ref.
    public var referencePixels: Int

    public init(ceWeight: Float, atWeight: Float, atOptions: ATLossOptions, perTap: Bool,
                labelSmoothing: Float, referencePixels: Int = 0, engine: any Kernels) {
        ce = CrossEntropyObjective(ceWeight: ceWeight, labelSmoothing: labelSmoothing, engine: engine)
        self.atWeight = atWeight; self.atOptions = atOptions; self.perTap = perTap
        self.referencePixels = referencePixels
    }

    /// The multiplier of tap j's term: S_j / S_ref with S_j = H·W of the student tap, or 1.
    ///
    /// NOTE: the code-form term is a mean over N·H·W of squared differences of maps with unit
    /// L2 norm over H·W, so at equal map agreement it scales as 1/S_j: with β = 1000 the taps of
    /// the AT paper's CIFAR WRNs (32², 16², 8²) weigh Σ β/S = 20.5, a ResNet-50 → MobileNetV2 pair
    /// at 32² (32², 16², 8², 4²) 83, and at 64² ImageNet stems (16², 8², 4², 2²) 332 (the 2×2 tap
    /// alone 250). With S_ref every tap weighs β/S_ref whatever its size.
    public func tapScale(_ shape: [Int]) -> Float {
        guard referencePixels > 0, shape.count == 4 else { return 1 }
        return Float(shape[2] * shape[3]) / Float(referencePixels)
    }

    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, labels: [Int]) -> [LossTerm] {
        guard let teacher else { preconditionFailure("objective \(name) needs the teacher's outputs") }
        return [ce.term(logits: student.logits, labels: labels)] + atTerms(student: student.taps, teacher: teacher)
    }

    /// The AT term(s) against the teacher's outputs: its precomputed attention targets when they
    /// were made with these options, else its taps.
    public func atTerms(student: [Tensor], teacher: NetworkOutputs) -> [LossTerm] {
        if let targets = teacher.attentionTargets, teacher.attentionTargetOptions == atOptions {
            return atTerms(student: student, targets: targets)
        }
        precondition(!teacher.taps.isEmpty || student.isEmpty,
                     "the teacher's outputs carry neither taps nor attention targets made with \(atOptions)")
        return atTerms(student: student, teacher: teacher.taps)
    }

    /// The teacher's attention targets for these student taps (`ZagoruykoAT.teacherTarget` per pair).
    public static func teacherTargets(student shapes: [[Int]], teacher: [Tensor], options: ATLossOptions,
                                      engine: any Kernels) -> [Tensor] {
        precondition(shapes.count == teacher.count,
                     "student has \(shapes.count) taps, teacher \(teacher.count); they pair by position")
        return zip(shapes, teacher).map {
            ZagoruykoAT.teacherTarget(teacher: $1, studentShape: $0, options: options, engine: engine)
        }
    }

    /// The AT term(s) for paired taps: `at` with gradients on every student tap, or `at.<j>`
    /// each with a gradient on tap j only.
    public func atTerms(student: [Tensor], teacher: [Tensor]) -> [LossTerm] {
        precondition(!student.isEmpty, "attention transfer needs at least one tap")
        precondition(student.count == teacher.count,
                     "student has \(student.count) taps, teacher \(teacher.count); they pair by position")
        return atTerms(student: student, targets: Self.teacherTargets(
            student: student.map(\.shape), teacher: teacher, options: atOptions, engine: ce.engine))
    }

    /// The AT term(s) against precomputed teacher targets (one per student tap).
    public func atTerms(student: [Tensor], targets: [Tensor]) -> [LossTerm] {
        precondition(!student.isEmpty, "attention transfer needs at least one tap")
        precondition(student.count == targets.count,
                     "student has \(student.count) taps, teacher \(targets.count) attention targets; they pair by position")
        let pairs = zip(student, targets).map { s, t in
            var pair = ZagoruykoAT.loss(student: s, teacherTarget: t, options: atOptions, engine: ce.engine)
            let k = tapScale(s.shape)
            if k != 1 { pair.value *= k; pair.dStudent = pair.dStudent * k }
            return pair
        }
        if perTap {
            return pairs.enumerated().map { j, pair in
                var dTaps = [Tensor?](repeating: nil, count: student.count)
                dTaps[j] = pair.dStudent
                return LossTerm(name: "at.\(j)", weight: atWeight, value: pair.value, dLogits: nil, dTaps: dTaps)
            }
        }
        let total = pairs.reduce(0.0) { $0 + Double($1.value) }
        return [LossTerm(name: "at", weight: atWeight, value: Float(total), dLogits: nil, dTaps: pairs.map(\.dStudent))]
    }
}
