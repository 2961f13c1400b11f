// `fitnet`: FitNets hints through RepDistiller's convolutional regressor, `ce + β·hint`, one stage.

import TensorCore
import NN

/// Terms `ce` (weight 1) and `hint` (weight β) on tap pair k (`hintTap`):
///
///     r(x) = ReLU(BN(conv(x)))                      (the regressor, trained with the student)
///     hint = (1/|t|) Σ (r(s_k) − t_k)²              (mean squared error over N·C_t·H_t·W_t)
///
/// The regressor maps the student tap `[N, C_s, H_s, W_s]` to the teacher's `[N, C_t, H_t, W_t]`:
/// a 3×3 stride-2 pad-1 conv when H_s = 2·H_t, else (H_s ≥ H_t) a `(1 + H_s − H_t)`-square conv
/// without padding — the equal-size case is a 1×1 conv. Conv with bias and BN (γ 1, β 0) are
/// PyTorch's default initialisations (U(±1/√fan_in) for weight and bias); BN runs in train mode
/// (batch statistics; its running statistics are state and resume with the run).
/// Defaults: β = 100, hint tap 1 (RepDistiller `--distill hint -a 0 -b 100 --hint_layer 2`, whose
/// feature list starts with the stem output: its layer 2 is the second stage's output, our tap 1).
/// The regressor is registered with the student's SGD (same learning rate, momentum and weight
/// decay), as RepDistiller's `trainable_list.append(regress_s)`.
/// - Paper: Romero et al. 2015, §2.2, eq. (3): `L_HT = ½‖u_h(x) − r(v_g(x))‖²` with a
///   convolutional regressor r; training is two-stage (hints pre-train the student up to the guided
///   layer, then KD trains the whole student).
/// - Reference: RepDistiller `distiller_zoo/FitNet.py::HintLoss` (`nn.MSELoss()`) and
///   `models/util.py::ConvReg` (conv → BN → ReLU), in `train_student.py`'s one-stage loop.
/// - Deviation: one stage, as RepDistiller: CE and the hint train together from the start; the
///   paper's two-stage schedule is not implemented. MSE is a mean, not the paper's ½·sum.
///   `ConvReg`'s transposed-conv case (H_t = 2·H_s) is not supported: `prepare` throws.
public final class FitNetObjective: Objective {
    public let name = "fitnet"
    public let needsTeacher = true
    public let ce: CrossEntropyObjective
    /// β on the hint term.
    public let weight: Float
    /// Index of the hinted tap pair (negative = from the end).
    public let hintTap: Int
    public let engine: any Kernels
    /// conv → BN → ReLU, built by `prepare`.
    public private(set) var regressor: Sequential?

    public init(ceWeight: Float, weight: Float, hintTap: Int, labelSmoothing: Float, engine: any Kernels) {
        ce = CrossEntropyObjective(ceWeight: ceWeight, labelSmoothing: labelSmoothing, engine: engine)
        self.weight = weight; self.hintTap = hintTap; self.engine = engine
    }

    public var teacherNeeds: TeacherNeeds { TeacherNeeds(taps: [hintTap]) }
    public var needsSetup: Bool { true }
    public var parameters: [Parameter] { regressor?.parameters ?? [] }
    public var buffers: [Buffer] { regressor?.buffers ?? [] }

    public func prepare(_ setup: ObjectiveSetup) throws {
        func resolve(_ shapes: [[Int]], _ who: String) throws -> [Int] {
            let i = hintTap < 0 ? shapes.count + hintTap : hintTap
            guard shapes.indices.contains(i), shapes[i].count == 4 else {
                throw ObjectiveSetupError("fitnet: hint tap \(hintTap) does not exist among the \(who)'s \(shapes.count) taps")
            }
            return shapes[i]
        }
        let s = try resolve(setup.studentTapShapes, "student"), t = try resolve(setup.teacherTapShapes, "teacher")
        var rng = SeededRNG(seed: mixSeed64(setup.seed, 0xF17_0E7))
        regressor = try Self.makeRegressor(student: s, teacher: t, rng: &rng)
    }

    /// RepDistiller's `ConvReg(s_shape, t_shape)` for `[N, C, H, W]` shapes, parameters named
    /// `fitnet.regressor.conv.*`, `fitnet.regressor.bn.*`.
    public static func makeRegressor(student s: [Int], teacher t: [Int], rng: inout SeededRNG) throws -> Sequential {
        let (cs, hs, ws, ct, ht, wt) = (s[1], s[2], s[3], t[1], t[2], t[3])
        let conv: Conv2d
        if hs == 2 * ht && ws == 2 * wt {
            conv = Conv2d("fitnet.regressor.conv", inChannels: cs, outChannels: ct, kernelSize: 3, stride: 2, padding: 1,
                          bias: true, rng: &rng)
        } else if hs >= ht && hs - ht == ws - wt {
            conv = Conv2d("fitnet.regressor.conv", inChannels: cs, outChannels: ct, kernelSize: 1 + hs - ht, bias: true,
                          rng: &rng)
        } else {
            throw ObjectiveSetupError("fitnet: no regressor from the student tap \(s) to the teacher tap \(t) "
                                      + "(RepDistiller's ConvReg cases: equal or larger square student maps; "
                                      + "its transposed conv for a 2× smaller student map is not implemented)")
        }
        // NOTE: Conv2d initialises Kaiming-normal (the zoo's law); ConvReg keeps PyTorch's default.
        let k = conv.kernelSize
        conv.weight.value = Init.pytorchDefault(conv.weight.value.shape, fanIn: cs * k * k, rng: &rng)
        return Sequential(conv, BatchNorm2d("fitnet.regressor.bn", channels: ct), ReLU())
    }

    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, labels: [Int]) -> [LossTerm] {
        guard let teacher else { preconditionFailure("objective \(name) needs the teacher's outputs") }
        guard let regressor else { preconditionFailure("objective \(name): prepare(_:) has not built the regressor") }
        let k = hintTap < 0 ? student.taps.count + hintTap : hintTap
        precondition(student.taps.indices.contains(k), "objective \(name): no student tap \(hintTap)")
        guard let t = teacher.tap(hintTap) else { preconditionFailure("objective \(name) needs the teacher's tap \(hintTap)") }
        let hint = Self.hint(student: student.taps[k], teacher: t, regressor: regressor, engine: engine)
        var dTaps = [Tensor?](repeating: nil, count: student.taps.count)
        dTaps[k] = hint.dStudent
        return [ce.term(logits: student.logits, labels: labels),
                LossTerm(name: "hint", weight: weight, value: hint.value, dLogits: nil, dTaps: dTaps,
                         dParameters: hint.dParameters)]
    }

    /// `mean((r(s) − t)²)` (BN in train mode: updates its running statistics), its gradient w.r.t.
    /// the student tap, and w.r.t. the regressor's parameters by name.
    public static func hint(student s: Tensor, teacher t: Tensor, regressor: Sequential, engine: any Kernels)
        -> (value: Float, dStudent: Tensor, dParameters: [String: Tensor]) {
        let (y, pullback) = regressor.forward(s, ForwardContext(engine: engine, training: true))
        precondition(y.shape == t.shape, "fitnet: regressed student tap \(y.shape) vs teacher tap \(t.shape)")
        var sum = 0.0
        var dy = Tensor(zeros: y.shape)
        let scale = 2 / Float(y.count)
        for i in 0..<y.count {
            let d = y.data[i] - t.data[i]
            sum += Double(d) * Double(d)
            dy.data[i] = scale * d
        }
        var ds = Tensor(zeros: s.shape)
        let dParameters = collectGradients(regressor.parameters) { ds = pullback(dy) }
        return (Float(sum / Double(y.count)), ds, dParameters)
    }
}

/// SplitMix-style mix of a run seed with a constant, for the streams objectives draw from.
func mixSeed64(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var h = a ^ (b &* 0x9E37_79B9_7F4A_7C15)
    h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
    h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
    return h ^ (h >> 31)
}
