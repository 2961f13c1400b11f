// Runs bench/pytorch_peer.py (the PyTorch CPU peer) as a child process and reads its JSON lines.

import Foundation

/// One record the peer prints (`kind` = `model` or `pair`); JSON keys are snake_case.
public struct PeerRecord: Codable, Sendable {
    public var kind: String
    public var model: String?
    public var params: Int?
    public var macs: Int?
    public var torch: String?
    public var trainImgS: Double?
    public var inferImgS: Double?
    public var peakRssMb: Double?
    public var teacher: String?
    public var student: String?
    public var atkdStepImgS: Double?
}

/// The PyTorch peer: an interpreter with torch and the peer script.
public struct PyTorchPeer: Sendable {
    public var python: String
    public var script: String
    /// Pass `--nchw` (the peer defaults to channels_last, PyTorch's faster CPU layout).
    public var nchw = false

    /// Interpreters tried when none is given, relative to the working directory.
    public static let defaultPythons = [".venv-peer/bin/python", ".venv-torch/bin/python"]

    /// The first of `explicit` or `defaultPythons` that exists and imports torch, with `script`;
    /// nil (and a reason) when there is none or the script is missing.
    public static func locate(explicit: String?, script: String) -> (peer: PyTorchPeer?, reason: String) {
        guard FileManager.default.fileExists(atPath: script) else { return (nil, "no peer script at \(script)") }
        let candidates = explicit.map { [$0] } ?? defaultPythons
        for python in candidates where FileManager.default.isExecutableFile(atPath: python) || explicit != nil {
            if let out = try? capture(python, ["-c", "import torch; print(torch.__version__)"]), out.status == 0 {
                let version = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                return (PyTorchPeer(python: python, script: script), "\(python) (torch \(version))")
            }
        }
        return (nil, "no Python with torch among \(candidates.joined(separator: ", ")) "
                    + "(python3 -m venv .venv-peer && .venv-peer/bin/pip install torch==2.13.0)")
    }

    public init(python: String, script: String, nchw: Bool = false) {
        self.python = python; self.script = script; self.nchw = nchw
    }

    /// The peer's arguments for `models` (or `none`) and `pairs`, with `config`'s batch, input, threads, seconds.
    public func arguments(models: [String], pairs: [(teacher: String, student: String)], config: BenchConfig) -> [String] {
        var args = [script, models.isEmpty ? "none" : models.joined(separator: ","),
                    "--threads", "\(config.threads)", "--batch", "\(config.batch)",
                    "--input", "\(config.input)", "--seconds", "\(config.seconds)"]
        if nchw { args.append("--nchw") }
        if config.bf16 { args.append("--bf16") }
        for p in pairs { args += ["--pair", "\(p.teacher):\(p.student)"] }
        return args
    }

    /// Runs the peer and returns its records; throws with its stderr when it fails.
    public func run(models: [String], pairs: [(teacher: String, student: String)] = [],
                    config: BenchConfig) throws -> [PeerRecord] {
        let out = try Self.capture(python, arguments(models: models, pairs: pairs, config: config))
        guard out.status == 0 else { throw PeerError(description: "peer exited \(out.status): \(out.stderr.suffix(2000))") }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return out.stdout.split(separator: "\n").compactMap { line in
            try? decoder.decode(PeerRecord.self, from: Data(line.utf8))
        }
    }

    /// Runs `executable args`, returning exit status, stdout and stderr.
    static func capture(_ executable: String, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        // NOTE: stderr goes to a file, not a second pipe: a chatty child would block on a full
        // stderr pipe while we read stdout to its end.
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("atkd-peer-\(UUID().uuidString).err").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: errPath)
        try p.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

/// The peer could not run or failed.
public struct PeerError: Error, CustomStringConvertible {
    public var description: String
}
