// `atkd bench`: training / inference throughput and peak memory of the models and the AT+KD
// step of teacher → student pairs, side by side with the PyTorch CPU peer; `--layers` profiles.

import ArgumentParser
import Foundation
import Training
import Models
import TensorCore

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Throughput (img/s) and peak RSS of models and distillation pairs, ours / PyTorch.",
        discussion: """
        A train step is the trainer's own step (forward, cross-entropy, backward, SGD momentum 0.9 \
        Nesterov wd 5e-4); inference is an eval-mode forward; each is the median of repeated steps \
        after two warm-ups (bench/pytorch_peer.py's rule). The peer runs model by model between ours; \
        each of ours runs in a new process as the peer's do (--in-process: all in this one). \
        --layers instead profiles the step per phase, op and layer (with no MODELS: the pairs only).
        """)

    @Argument(help: "Models (names as in the model zoo), `all` (default) or `none` (pairs only).")
    var models: [String] = []

    @Flag(help: "Also time the atkd student step of teacher → student pairs (default resnet50-w4 → mobilenetv2-half).")
    var pairs = false

    @Option(help: "A TEACHER:STUDENT pair to time (repeatable; implies --pairs).")
    var pair: [String] = []

    @Option(help: "Images per step.") var batch = 128
    @Option(help: "Engine, OpenBLAS and PyTorch threads.") var threads = 2
    @Option(help: "Image side in pixels.") var input = 32
    @Option(help: "Seconds per training measurement (inference gets half).") var seconds = 20.0
    @Option(help: "Alternated rounds (ours, peer, ours, peer, …) per model; the row shown is the round with the median ratio, with the range over all rounds.")
    var rounds = 1

    @Flag(help: "One JSON object per line instead of tables.") var json = false

    @Flag(help: "Profile the step per phase, op kind and layer instead of measuring throughput.")
    var layers = false
    @Option(help: "Layers listed by --layers.") var top = 30
    @Flag(help: "With --layers: profile the models' eval-mode forward (the inference row) instead of the train step.")
    var inference = false
    @Option(help: "Steps --layers averages over (after one warm-up step).") var steps = 2
    @Option(help: "The objective of --layers' pair profiles: a registry arm (atkd, kd, dkd, rkd, sp, pkt, fitnet, crd, …) with the spec defaults.")
    var objective = "atkd"
    @Option(help: "fp32 peak GFLOP/s for --layers' % peak (2 cores × 2 AVX2 FMA × 8 lanes × 2 × ~3.66 GHz).")
    var peakGflops = 234.0

    @Option(help: "Python with torch for the peer (default: .venv-peer/bin/python, then .venv-torch/bin/python).")
    var peer: String?
    @Option(help: "The peer script.") var peerScript = "bench/pytorch_peer.py"
    @Option(help: "Products: fp32, or bf16 (ours: bf16 inputs, fp32 sums; the peer: torch.autocast bf16). Needs AVX512_BF16.")
    var precision = "fp32"
    @Flag(help: "Do not run the PyTorch peer.") var noPeer = false
    @Flag(help: "Measure ours in this process instead of a new process a measurement (the peer always runs in its own; a process that ran larger models first measured the WRN pair 5–7 % slower).")
    var inProcess = false
    @Flag(help: "Run the peer in NCHW instead of channels_last.") var peerNchw = false
    @Flag(help: "Only the attention module's cost: each of MODELS and its -awconv twin stepped alternately in this process (one JSON line each with --json); `atkd bench` runs it once a round for every twin pair it measures.")
    var moduleCost = false

    func validate() throws {
        for p in pair where p.split(separator: ":").count != 2 {
            throw ValidationError("--pair takes TEACHER:STUDENT (got `\(p)`)")
        }
        guard Precision(rawValue: precision) != nil else { throw ValidationError("--precision \(precision): must be fp32 or bf16") }
        guard objective == "atkd" || layers else {
            throw ValidationError("--objective \(objective): only --layers profiles other objectives (the peer times atkd)")
        }
        guard ObjectiveFactory.names.contains(objective) else {
            throw ValidationError("--objective \(objective): not an arm (\(ObjectiveFactory.names.joined(separator: ", ")))")
        }
        guard !moduleCost || (!models.isEmpty && !models.contains { ["all", "none"].contains($0) || $0.hasSuffix("-awconv") }
                              && !layers && pair.isEmpty && !pairs) else {
            throw ValidationError("--module-cost takes plain models by name (each measured against its -awconv twin), no pairs or --layers")
        }
        guard !inference || (layers && pair.isEmpty && !pairs) else {
            throw ValidationError("--inference profiles models' eval forward: it needs --layers and no pairs")
        }
        guard batch >= 1, threads >= 1, input >= 8, seconds >= 0, rounds >= 1, steps >= 1 else {
            throw ValidationError("--batch, --threads, --rounds and --steps must be ≥ 1, --input ≥ 8, --seconds ≥ 0")
        }
    }

    var pairList: [(teacher: String, student: String)] {
        let given = pair.map { p -> (teacher: String, student: String) in
            let s = p.split(separator: ":"); return (String(s[0]), String(s[1]))
        }
        return given.isEmpty && pairs ? ThroughputBenchmark.defaultPairs : given
    }

    func run() throws {
        var config = BenchConfig()
        config.batch = batch; config.threads = threads; config.input = input; config.seconds = seconds
        config.bf16 = precision == "bf16"
        let engine = try Session.makeEngine("fast", threads: threads, precision: Precision(rawValue: precision) ?? .fp32)
        let machine = MachineInfo.current()
        let names = models == ["none"] ? []
            : models.isEmpty || models == ["all"] ? (layers ? [] : ThroughputBenchmark.defaultModels) : models
        let pairs = inference ? [] : layers && models.isEmpty && pairList.isEmpty ? ThroughputBenchmark.defaultPairs : pairList
        if objective == "at" || objective == "atkd" {
            for p in pairs {
                var rng = SeededRNG(seed: 0)
                let build = { (name: String) in
                    try ModelZoo.build(ModelSpec(parsing: name), classes: config.classes, input: input, rng: &rng)
                }
                do { try ExperimentRunner.checkTapPairing(teacher: try build(p.teacher), student: try build(p.student)) }
                catch { throw ValidationError("--pair \(p.teacher):\(p.student): \(error)") }
            }
        }
        emitHeader(machine, names: names, pairs: pairs)
        if moduleCost {
            for name in names {
                let r = try ThroughputBenchmark.measureModuleCost(plain: name, twin: name + "-awconv", config: config,
                                                                  engine: engine)
                print(json ? BenchReport.jsonLine(r) : BenchReport.moduleCostText(r))
            }
            return
        }
        if layers {
            for name in names {
                try show(inference
                    ? LayerProfiler.profileInference(model: name, config: config, engine: engine, steps: steps,
                                                     peakGflops: peakGflops)
                    : LayerProfiler.profile(student: name, teacher: nil, config: config, engine: engine,
                                            steps: steps, peakGflops: peakGflops))
            }
            for p in pairs {
                try show(LayerProfiler.profile(student: p.student, teacher: p.teacher, objective: objective, config: config,
                                               engine: engine, steps: steps, peakGflops: peakGflops))
            }
            return
        }
        var peerRunner: PyTorchPeer? = nil
        if !noPeer {
            let found = PyTorchPeer.locate(explicit: peer, script: peerScript)
            peerRunner = found.peer.map { var p = $0; p.nchw = peerNchw; return p }
            note("peer: \(found.reason)")
        }
        func peerRecords(_ models: [String], _ pairs: [(teacher: String, student: String)]) -> [PeerRecord] {
            guard let runner = peerRunner else { return [] }
            do { return try runner.run(models: models, pairs: pairs, config: config) } catch {
                note("peer failed, continuing without it: \(error)"); return []
            }
        }
        var modelRows: [ModelComparison] = [], pairRows: [PairComparison] = []
        var modelRounds: [(model: String, results: [ModelBenchResult])] = []
        var interleaved: [String: [ModuleCostResult]] = [:]
        // A model and its `-awconv` twin are measured in the same rounds, one after the other, so the
        // module's cost is a paired reading (`BenchReport.moduleCostLines`).
        let twins = Set(names.filter { $0.hasSuffix("-awconv") && names.contains(String($0.dropLast("-awconv".count))) })
        for name in names where !twins.contains(name) {
            let group = twins.contains(name + "-awconv") ? [name, name + "-awconv"] : [name]
            var measured = [[ModelComparison]](repeating: [], count: group.count)
            for _ in 0..<rounds {
                for (i, model) in group.enumerated() {
                    let ours = inProcess ? try ThroughputBenchmark.measureModel(model, config: config, engine: engine)
                        : try FreshProcessMeasurement.model(model, config: config, executable: FreshProcessMeasurement.currentExecutable)
                    measured[i].append(ModelComparison(ours: ours, peer: peerRecords([model], []).first { $0.model == model }))
                }
                if group.count == 2 {
                    interleaved[group[1], default: []].append(inProcess
                        ? try ThroughputBenchmark.measureModuleCost(plain: name, twin: group[1], config: config, engine: engine)
                        : try FreshProcessMeasurement.moduleCost(plain: name, config: config,
                                                                 executable: FreshProcessMeasurement.currentExecutable))
                }
            }
            for (model, roundsOfModel) in zip(group, measured) {
                let row = BenchRounds.median(roundsOfModel)
                modelRows.append(row)
                modelRounds.append((model, roundsOfModel.map(\.ours)))
                if json { print(BenchReport.jsonLine(row)) } else { note(BenchReport.modelTable([row]).split(separator: "\n").last.map(String.init) ?? "") }
            }
        }
        for p in pairs {
            let row = BenchRounds.median(try (0..<rounds).map { _ in
                let ours = inProcess
                    ? try ThroughputBenchmark.measurePair(teacher: p.teacher, student: p.student, config: config, engine: engine)
                    : try FreshProcessMeasurement.pair(teacher: p.teacher, student: p.student, config: config,
                                                       executable: FreshProcessMeasurement.currentExecutable)
                return PairComparison(ours: ours, peer: peerRecords([], [p]).first { $0.kind == "pair" })
            })
            pairRows.append(row)
            if json { print(BenchReport.jsonLine(row)) }
        }
        if !json {
            if !modelRows.isEmpty { print("\n" + BenchReport.modelTable(modelRows)) }
            for line in BenchReport.moduleCostLines(modelRounds, interleaved: interleaved) { print(line) }
            if !pairRows.isEmpty { print("\n" + BenchReport.pairTable(pairRows)) }
            print("\nratio = ours / PyTorch (> 1: ours faster); img/s = batch / median step time"
                  + (rounds > 1 ? "; \(rounds) alternated rounds, the row is the median-ratio round, range = min–max ratio" : ""))
        }
    }

    func show(_ profile: LayerProfile) {
        if json { profile.jsonLines().forEach { print($0) } } else { print(profile.text(top: top) + "\n") }
    }

    func emitHeader(_ m: MachineInfo, names: [String], pairs: [(teacher: String, student: String)]) {
        let date = ISO8601DateFormatter().string(from: Date())
        if json {
            let obj: [String: Any] = ["kind": "machine", "date": date, "processors": m.processors, "cpu": m.cpuModel,
                                      "openblas_core": m.openblasCore ?? "", "openblas_coretype_env": m.openblasCoretypeEnv ?? "",
                                      "batch": batch, "threads": threads, "input": input, "seconds": seconds, "precision": precision,
                                      "rounds": rounds]
            print(BenchReport.serialize(obj))
        } else {
            print("atkd \(CommandLine.arguments.dropFirst().joined(separator: " "))")
            print("\(date) — \(m.summary)")
            print("batch \(batch), \(threads) threads, \(input)×\(input) input, \(precision), \(seconds) s per measurement, \(rounds) round(s); "
                  + "models: \(names.joined(separator: " ")); pairs: \(pairs.map { "\($0.teacher)→\($0.student)" }.joined(separator: " "))")
        }
        fflush(stdout)
    }

    /// Progress and notes go to stderr so stdout stays a table or JSON lines.
    func note(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
}
