// What a benchmark number depends on besides the code: cores, CPU model, OpenBLAS's kernel choice.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The machine a benchmark ran on, printed above every table and kept in BENCHMARKS.md.
public struct MachineInfo: Sendable {
    /// Online processors (`nproc`).
    public var processors: Int
    /// `model name` from /proc/cpuinfo ("unknown" elsewhere).
    public var cpuModel: String
    /// The kernel family OpenBLAS chose at run time (`openblas_get_corename`), nil if unavailable.
    public var openblasCore: String?
    /// `OPENBLAS_CORETYPE` as set in the environment (it overrides OpenBLAS's CPU detection).
    public var openblasCoretypeEnv: String?

    public static func current() -> MachineInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        return MachineInfo(processors: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), cpuModel: model,
                           openblasCore: openblasCoreName(),
                           openblasCoretypeEnv: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"])
    }

    /// One line: `2 × Intel(R) Xeon(R) Processor, OpenBLAS core Haswell (OPENBLAS_CORETYPE unset)`.
    public var summary: String {
        "\(processors) × \(cpuModel), OpenBLAS core \(openblasCore ?? "?") "
            + "(OPENBLAS_CORETYPE\(openblasCoretypeEnv.map { "=\($0)" } ?? " unset"))"
    }

    /// Looked up at run time so this module needs no OpenBLAS import (FastEngine links it).
    static func openblasCoreName() -> String? {
        guard let handle = dlopen(nil, RTLD_NOW), let sym = dlsym(handle, "openblas_get_corename") else { return nil }
        typealias Fn = @convention(c) () -> UnsafePointer<CChar>?
        return unsafeBitCast(sym, to: Fn.self)().map { String(cString: $0) }
    }
}
