// Our measurements each in a new `atkd bench` process, as the peer's are (one Python process a
// model): a process that has already run larger models keeps their heap, and the WRN pair measured
// after resnet50-w4-awconv in the same process ran 5–7 % slower than in a fresh one (BENCHMARKS.md,
// twentieth session). The child measures in process and prints one JSON line; the parent decodes it.

import Foundation

public enum FreshProcessMeasurement {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The `atkd` arguments that measure `model` (or, with `pair`, that pair only) once, in process,
    /// with `config`, printing JSON lines and no peer.
    public static func arguments(model: String?, pair: (teacher: String, student: String)? = nil,
                                 config: BenchConfig) -> [String] {
        var args = ["bench", model ?? "none"]
        if let pair { args += ["--pair", "\(pair.teacher):\(pair.student)"] }
        args += ["--in-process", "--no-peer", "--json", "--rounds", "1",
                 "--batch", "\(config.batch)", "--threads", "\(config.threads)", "--input", "\(config.input)",
                 "--seconds", "\(config.seconds)", "--precision", config.bf16 ? "bf16" : "fp32"]
        return args
    }

    /// One model measured by a new process of `executable`.
    public static func model(_ name: String, config: BenchConfig, executable: String) throws -> ModelBenchResult {
        try decode(ModelBenchResult.self, kind: "model",
                   from: run(executable, arguments(model: name, config: config)))
    }

    /// One pair's atkd step measured by a new process of `executable`.
    public static func pair(teacher: String, student: String, config: BenchConfig,
                            executable: String) throws -> PairBenchResult {
        try decode(PairBenchResult.self, kind: "pair",
                   from: run(executable, arguments(model: nil, pair: (teacher, student), config: config)))
    }

    /// `plain` and its `-awconv` twin stepped alternately (`measureModuleCost`) in a new process.
    public static func moduleCost(plain: String, config: BenchConfig, executable: String) throws -> ModuleCostResult {
        try decode(ModuleCostResult.self, kind: "module_cost",
                   from: run(executable, arguments(model: plain, config: config) + ["--module-cost"]))
    }

    /// The first JSON line of `output` whose `kind` is `kind`, decoded (snake_case keys).
    public static func decode<T: Decodable>(_ type: T.Type, kind: String, from output: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let n = BenchReport.nonFiniteStrings
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: n.positiveInfinity,
                                                                         negativeInfinity: n.negativeInfinity, nan: n.nan)
        for line in output.split(separator: "\n") where line.hasPrefix("{") {
            let data = Data(line.utf8)
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  object["kind"] as? String == kind else { continue }
            return try decoder.decode(T.self, from: data)
        }
        throw Failure(description: "the measuring process printed no `\(kind)` line; its output:\n\(output.suffix(2000))")
    }

    /// Runs `executable arguments`, returns its stdout; its stderr goes to ours (progress notes).
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(description: "`\(executable) \(arguments.joined(separator: " "))` exited with status "
                          + "\(process.terminationStatus); its output:\n\(text.suffix(2000))")
        }
        return text
    }

    /// This process's executable (to start another of it): /proc/self/exe where it exists, else argv[0].
    public static var currentExecutable: String {
        let proc = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        return FileManager.default.isExecutableFile(atPath: proc) && proc != "/proc/self/exe"
            ? proc : CommandLine.arguments[0]
    }
}
