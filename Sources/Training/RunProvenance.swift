// What a run's numbers depend on besides its spec: the code, the command, the machine and the
// kernels OpenBLAS picked. Written into every `spec.json` and `final.json`.

import Foundation

/// The tool's version (`atkd --version` adds the commit).
public enum ATKDVersion {
    public static let string = "0.6.0"
}

/// Provenance of one run.
///
/// NOTE: "same seed + same threads ⇒ bit-identical" holds for one OpenBLAS core: another core
/// (`OPENBLAS_CORETYPE`, or another CPU) rounds GEMMs differently, and a run's numbers move by
/// its seed-to-seed noise at most. `openblasCore` says which one a run used.
public struct RunProvenance: Codable, Equatable, Sendable {
    public var toolVersion: String
    /// `git rev-parse HEAD` of the working directory, nil outside a checkout.
    public var commit: String?
    /// Tracked files differ from `commit`.
    public var dirty: Bool?
    public var commandLine: [String]
    public var cpuModel: String
    public var processors: Int
    public var threads: Int
    public var engine: String
    /// The kernel family OpenBLAS chose (`openblas_get_corename`), e.g. `SkylakeX`, `Haswell`.
    public var openblasCore: String?
    public var openblasCoretypeEnv: String?

    public init(toolVersion: String, commit: String?, dirty: Bool?, commandLine: [String], cpuModel: String,
                processors: Int, threads: Int, engine: String, openblasCore: String?, openblasCoretypeEnv: String?) {
        self.toolVersion = toolVersion; self.commit = commit; self.dirty = dirty; self.commandLine = commandLine
        self.cpuModel = cpuModel; self.processors = processors; self.threads = threads; self.engine = engine
        self.openblasCore = openblasCore; self.openblasCoretypeEnv = openblasCoretypeEnv
    }

    /// This process, now. The git state is read once per process.
    public static func current(threads: Int, engine: String) -> RunProvenance {
        let m = MachineInfo.current()
        return RunProvenance(toolVersion: ATKDVersion.string, commit: GitState.shared.commit, dirty: GitState.shared.dirty,
                             commandLine: CommandLine.arguments, cpuModel: m.cpuModel, processors: m.processors,
                             threads: threads, engine: engine, openblasCore: m.openblasCore,
                             openblasCoretypeEnv: m.openblasCoretypeEnv)
    }
}

/// The commit and dirty flag of the current directory's git checkout (nil where there is none).
public struct GitState: Sendable {
    public var commit: String?
    public var dirty: Bool?

    public static let shared: GitState = {
        guard let head = run(["rev-parse", "HEAD"]), head.count == 40 else { return GitState(commit: nil, dirty: nil) }
        let status = run(["status", "--porcelain", "--untracked-files=no"])
        return GitState(commit: head, dirty: status.map { !$0.isEmpty })
    }()

    static func run(_ args: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
