// One optimisation step of a run: student (and teacher) forward, the objective's named terms,
// their weighted gradients into the student and the objective's own parts, backward, SGD.

import Foundation
import TensorCore
import NN
import Objectives

extension TrainingRun {
    /// What an objective with trainable parts is sized by: one eval-mode forward of an all-zero
    /// image through the student and the teacher (RepDistiller sizes them from a 2-image batch).
    static func setup(model: any Model, teacher: (any Model)?, data: DataProvider, seed: UInt64,
                      engine: any Kernels) -> ObjectiveSetup {
        let x = Tensor(zeros: [1] + data.imageShape)
        let s = model.forward(x, ForwardContext(engine: engine, training: false))
        let t = teacher?.forward(x, ForwardContext(engine: engine, training: false))
        return ObjectiveSetup(studentTapShapes: s.taps.map(\.value.shape), teacherTapShapes: t?.taps.map(\.value.shape) ?? [],
                              studentEmbeddingWidth: s.embedding?.shape.last ?? 0,
                              teacherEmbeddingWidth: t?.embedding?.shape.last ?? 0,
                              trainCount: data.trainCount, trainLabels: data.trainLabels, seed: seed)
    }

    /// One optimisation step; returns nothing, accumulates the epoch sums.
    /// In a data-parallel run `batch` is this process's share of the global batch, and the group
    /// combines the gradients before the step (`DataParallel`).
    func step(_ batch: LabeledBatch, lr: Float) throws {
        let dp = dataParallel.flatMap { $0.group.size > 1 ? $0 : nil }
        // Each process draws its own dropout masks; one process alone draws as before.
        let stepSeed = dp.map { mixSeed(seed, UInt64(state.epoch), UInt64(state.batch), UInt64($0.group.rank)) }
            ?? mixSeed(seed, UInt64(state.epoch), UInt64(state.batch))
        let ctx = ForwardContext(engine: engine, training: true, rng: SeededRNG(seed: stepSeed))
        ctx.modelInputGradient = false  // the batch is data: the first convolution skips its dx
        if let dp, dp.synchronisedBatchNorm { ctx.batchStatisticsGroup = dp.group }
        let out = model.forward(batch.x, ctx)
        var teacherOut: NetworkOutputs? = nil
        if objective.needsTeacher, let t = teacher {
            let forward = { () -> NetworkOutputs in
                let o = t.forward(batch.x, ForwardContext(engine: self.engine, training: false))
                return NetworkOutputs(logits: o.logits, taps: o.taps.map { $0.value }, embedding: o.embedding)
            }
            if let cache = teacherCache, dp == nil {
                teacherOut = cache.outputs(epoch: state.epoch, batch: state.batch, labels: batch.labels,
                                           studentTapShapes: out.taps.map { $0.value.shape },
                                           needs: objective.teacherNeeds, engine: engine, compute: forward)
            } else {
                teacherOut = forward()
            }
        }
        let terms = objective.terms(
            student: NetworkOutputs(logits: out.logits, taps: out.taps.map { $0.value }, embedding: out.embedding),
            teacher: teacherOut,
            batch: ObjectiveBatch(labels: batch.labels, indices: batch.indices, epoch: state.epoch, batch: state.batch))
        var dLogits = Tensor(zeros: out.logits.shape)
        var dTaps = [Tensor?](repeating: nil, count: out.taps.count)
        var dEmbedding: Tensor? = nil
        let objectiveParameters = objective.parameters
        let byName = Dictionary(uniqueKeysWithValues: objectiveParameters.map { ($0.name, $0) })
        objectiveParameters.forEach { $0.zeroGrad() }
        var total = 0.0
        for term in terms {
            guard term.value.isFinite else {
                events.log("nonfinite", ["epoch": state.epoch + 1, "batch": state.batch, "term": term.name])
                throw TrainingError.nonFinite("term `\(term.name)` = \(term.value) at epoch \(state.epoch + 1), batch \(state.batch + 1) of \(directory)")
            }
            total += Double(term.weight) * Double(term.value)
            if let g = term.dLogits { engine.accumulate(&dLogits, engine.scale(g, by: term.weight)) }
            for (i, g) in term.dTaps.enumerated() {
                guard let g, i < dTaps.count else { continue }
                let weighted = engine.scale(g, by: term.weight)
                if dTaps[i] == nil { dTaps[i] = weighted } else { engine.accumulate(&dTaps[i]!, weighted) }
            }
            if let g = term.dEmbedding {
                let weighted = engine.scale(g, by: term.weight)
                if dEmbedding == nil { dEmbedding = weighted } else { engine.accumulate(&dEmbedding!, weighted) }
            }
            for (name, g) in term.dParameters {
                guard let p = byName[name] else { preconditionFailure("term `\(term.name)`: no objective parameter \(name)") }
                p.accumulate(g * term.weight)
            }
        }
        var totals = DataParallel.StepTotals(
            loss: total, correct: zip(out.logits.argmaxRows(), batch.labels).filter { $0 == $1 }.count,
            seen: batch.labels.count, terms: terms.map { ($0.name, Double($0.value)) },
            interrupt: interruptRequested != 0,
            checkpointDue: (dp?.group.rank ?? 0) == 0 && Date().timeIntervalSince(lastSave) > checkpointSeconds)
        model.zeroGrad()
        if let dEmbedding { _ = out.fullBackward(dLogits, dTaps, dEmbedding) } else { _ = out.backward(dLogits, dTaps) }
        if let dp {
            let t0 = Date()
            dp.averageGradients(sgd.parameters, buffers: model.buffers)
            totals = dp.combine(totals)
            state.communicationSeconds += Date().timeIntervalSince(t0)
            lastStep = totals
        }
        state.lossSum += totals.loss
        state.seen += totals.seen
        state.correct += totals.correct
        for term in totals.terms { state.termSums[term.name, default: 0] += term.value }
        sgd.step(lr: lr, engine: engine)
    }
}

extension TrainingRun {
    /// Throws before any step when this run cannot be spread over `dp`'s group.
    func checkDataParallel(_ dp: DataParallel) throws {
        try dp.check(batchSize: train.batchSize)
        guard objective.buffers.isEmpty else {
            throw TrainingError.data("objective `\(objective.name)` keeps state (\(objective.buffers.map(\.name).joined(separator: ", "))) "
                                     + "that data-parallel training does not synchronise; train it in one process")
        }
    }

    /// `flag` when every process of the group says the same (true when alone), else an error naming `what`.
    func agreed(_ flag: Bool, _ what: String) throws -> Bool {
        guard let dp = dataParallel, dp.group.size > 1 else { return flag }
        var v = [flag ? 1.0 : 0.0]
        dp.group.sum(&v)
        guard v[0] == 0 || Int(v[0]) == dp.group.size else {
            throw TrainingError.data("\(directory): \(Int(v[0])) of \(dp.group.size) processes differ from the others on \(what) "
                                     + "(do all ranks see the same run folder?)")
        }
        return flag
    }
}
