// The attention-transfer loss of one student/teacher tap pair, in the code
// (mean squared error) and paper (norm) forms, with spatial matching.
// N batch, C channels, H, W; S = H·W of the compared maps.

import TensorCore

extension ZagoruykoAT {
    /// Paper form: per-sample distances `‖q̂_s,n − q̂_t,n‖₂` at or below this get the subgradient 0.
    public static let paperFormZeroDistance: Double = 1e-6

    /// The unweighted attention-transfer loss of one tap pair and its gradient w.r.t. the student tap.
    ///
    /// - `form = .code`: `at = (1/(N·S)) Σ_n ‖q̂_s,n − q̂_t,n‖₂²` — the mean squared error of the
    ///   normalised maps, which is what the proposal calls "MSE between attention maps"
    ///   (`(at(x) - at(y)).pow(2).mean()` is exactly `F.mse_loss(at(x), at(y))`).
    /// - `form = .paper`: `at = (1/2)·(1/N) Σ_n ‖q̂_s,n − q̂_t,n‖₂`.
    ///
    /// β is NOT applied here: the objective multiplies this value by its term weight
    /// (β = 1000 for the code form, PAPERS §2.5), and sums over tap pairs.
    /// Mismatched H×W are matched by `options.spatialMatch` (`ATSpatialMatch`); the
    /// gradient flows back through the pooling / resizing when it touched the student.
    /// `engine` supplies `adaptiveAvgPool2d` / `bilinearResize` and their backward; it is
    /// only called when the sizes differ.
    /// - Paper: eq. (2), `(β/2) Σ_j ‖Q_S^j/‖Q_S^j‖₂ − Q_T^j/‖Q_T^j‖₂‖_p`, p = 2, with
    ///   β = 10³ "divided by the number of elements in the attention map and batch size".
    /// - Reference: attention-transfer `utils.py::at_loss`; RepDistiller `distiller_zoo/AT.py`
    ///   (`adaptive_avg_pool2d` of the larger map); mdistiller `single_stage_at_loss`.
    /// - Deviation: the code squares the distance and averages it over N·S; the paper takes
    ///   the plain norm. RepDistiller pools to a square `(H, H)`; this pools to `(H, W)`.
    public static func loss(student: Tensor, teacher: Tensor,
                            options: ATLossOptions = .authorsCode,
                            engine: any Kernels) -> (value: Float, dStudent: Tensor) {
        loss(student: student,
             teacherTarget: teacherTarget(teacher: teacher, studentShape: student.shape, options: options, engine: engine),
             options: options, engine: engine)
    }

    /// The teacher side of `loss`: the teacher's normalised map `q̂_t`, matched to the size the
    /// maps are compared at, as `[N, 1, H_c, W_c]`. It depends on the student only through the
    /// student tap's shape, so it can be computed once and reused (`TeacherOutputCache`):
    /// `loss(student:teacherTarget:)` on it gives exactly `loss(student:teacher:)`.
    /// Compared size: avgpool pools the larger map down (the smaller size); bilinear resizes
    /// the smaller map up (the larger size).
    public static func teacherTarget(teacher: Tensor, studentShape: [Int],
                                     options: ATLossOptions = .authorsCode, engine: any Kernels) -> Tensor {
        precondition(studentShape.count == 4 && teacher.rank == 4,
                     "attention transfer needs taps [N, C, H, W], got \(studentShape) and \(teacher.shape)")
        precondition(studentShape[0] == teacher.shape[0],
                     "student batch \(studentShape[0]) differs from teacher batch \(teacher.shape[0])")
        let (hs, ws, ht, wt) = (studentShape[2], studentShape[3], teacher.shape[2], teacher.shape[3])
        let studentLarger = hs >= ht && ws >= wt
        let teacherLarger = ht >= hs && wt >= ws
        if !(hs == ht && ws == wt) {
            precondition(options.spatialMatch != .none,
                         "student tap \(hs)×\(ws) and teacher tap \(ht)×\(wt) differ; spatialMatch is none")
            precondition(studentLarger || teacherLarger,
                         "cannot match student tap \(hs)×\(ws) with teacher tap \(ht)×\(wt): neither is larger on both axes")
        }
        var teacherMap: Tensor
        switch options.spatialMatch {
        case .none, .avgpool:
            var t = teacher
            if (hs != ht || ws != wt) && !studentLarger { t = engine.adaptiveAvgPool2d(teacher, outH: hs, outW: ws) }
            teacherMap = rawMap(t, p: options.p, reduction: options.reduction, engine: engine).map
        case .bilinear:
            teacherMap = rawMap(teacher, p: options.p, reduction: options.reduction, engine: engine).map
            if (hs != ht || ws != wt) && studentLarger {
                teacherMap = engine.bilinearResize(teacherMap, outH: hs, outW: ws)
            }
        }
        let n = teacher.shape[0], hc = teacherMap.shape[2], wc = teacherMap.shape[3]
        return normalizeRows(teacherMap.reshaped([n, hc * wc])).value.reshaped([n, 1, hc, wc])
    }

    /// The student side of `loss`, against a teacher target from `teacherTarget` (same options).
    public static func loss(student: Tensor, teacherTarget: Tensor,
                            options: ATLossOptions = .authorsCode,
                            engine: any Kernels) -> (value: Float, dStudent: Tensor) {
        precondition(student.rank == 4 && teacherTarget.rank == 4 && teacherTarget.shape[1] == 1,
                     "attention transfer needs a student tap [N, C, H, W] and a target [N, 1, H, W], got \(student.shape) and \(teacherTarget.shape)")
        precondition(student.shape[0] == teacherTarget.shape[0],
                     "student batch \(student.shape[0]) differs from teacher batch \(teacherTarget.shape[0])")
        let (hs, ws, hc, wc) = (student.shape[2], student.shape[3], teacherTarget.shape[2], teacherTarget.shape[3])
        let resized = hs != hc || ws != wc
        precondition(!resized || options.spatialMatch != .none,
                     "student tap \(hs)×\(ws) and teacher target \(hc)×\(wc) differ; spatialMatch is none")

        // Student unnormalised map [N, 1, H_c, W_c] and its pullback.
        var studentMap: (map: Tensor, pullback: (Tensor) -> Tensor)
        switch options.spatialMatch {
        case .none, .avgpool:
            if resized {
                let pooled = engine.adaptiveAvgPool2d(student, outH: hc, outW: wc)
                let shape = student.shape
                let raw = rawMap(pooled, p: options.p, reduction: options.reduction, engine: engine)
                studentMap = (raw.map, { engine.adaptiveAvgPool2dBackward(inputShape: shape, dy: raw.pullback($0)) })
            } else {
                studentMap = rawMap(student, p: options.p, reduction: options.reduction, engine: engine)
            }
        case .bilinear:
            studentMap = rawMap(student, p: options.p, reduction: options.reduction, engine: engine)
            if resized {
                let inner = studentMap
                let shape = inner.map.shape
                studentMap = (engine.bilinearResize(inner.map, outH: hc, outW: wc),
                              { dy in inner.pullback(engine.bilinearResizeBackward(inputShape: shape, dy: dy)) })
            }
        }

        let n = student.shape[0], s = hc * wc
        let qs = normalizeRows(studentMap.map.reshaped([n, s]))
        let (value, dq) = distance(qs.value, teacherTarget.reshaped([n, s]), form: options.form)
        let dRaw = qs.pullback(dq).reshaped(studentMap.map.shape)
        return (value, studentMap.pullback(dRaw))
    }

    /// The distance between normalised maps `[N, S]` and its gradient w.r.t. the first.
    static func distance(_ qs: Tensor, _ qt: Tensor, form: ATLossForm) -> (Float, Tensor) {
        let n = qs.shape[0], s = qs.shape[1]
        var grad = [Float](repeating: 0, count: qs.count)
        var total = 0.0
        switch form {
        case .code:
            let scale = 1 / Double(n * s)
            for i in 0..<qs.count {
                let d = Double(qs.data[i]) - Double(qt.data[i])
                total += d * d
                grad[i] = Float(2 * d * scale)
            }
            total *= scale
        case .paper:
            for b in 0..<n {
                var ss = 0.0
                for i in 0..<s { let d = Double(qs.data[b * s + i]) - Double(qt.data[b * s + i]); ss += d * d }
                let norm = ss.squareRoot()
                total += norm
                // NOTE: ‖d‖ is not differentiable at d = 0 and its gradient d/‖d‖ keeps unit size however
                // small d is; below 1e-6 (rounding noise of unit-norm maps) the subgradient 0 is used.
                guard norm > paperFormZeroDistance else { continue }
                for i in 0..<s {
                    grad[b * s + i] = Float((Double(qs.data[b * s + i]) - Double(qt.data[b * s + i])) / (2 * Double(n) * norm))
                }
            }
            total /= 2 * Double(n)
        }
        return (Float(total), Tensor(shape: qs.shape, data: grad))
    }
}
