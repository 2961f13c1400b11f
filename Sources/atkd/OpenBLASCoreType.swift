// Chooses OpenBLAS's kernel family before OpenBLAS loads: re-executes once with
// OPENBLAS_CORETYPE set when the user has not set it.

import Foundation

enum OpenBLASCoreType {
    /// NOTE: with OPENBLAS_CORETYPE unset, this machine's OpenBLAS 0.3.21 detects "Prescott"
    /// (generic SSE3): 27 GFLOP/s on a 16×1024×144 sgemm, against 80 for SkylakeX and 59 for
    /// Haswell, one thread, measured side by side (2026-11-29; `make bench` records the core).
    /// OpenBLAS reads the variable when the library loads, so it must be set before exec.
    static func preferred(cpuFlags: Set<Substring>) -> String? {
        if ["avx512f", "avx512dq", "avx512bw", "avx512vl"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(cpuFlags.contains) { return "Haswell" }
        return nil
    }

    /// Re-executes the process with the preferred core type unless it is already set
    /// (or `ATKD_NO_REEXEC` is set). Returns normally when nothing needs doing.
    static func ensure() {
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env["ATKD_NO_REEXEC"] == nil,
              let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let core = preferred(cpuFlags: Set(flagsLine.split(separator: " "))) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv("ATKD_NO_REEXEC", "1", 1)
        var args = CommandLine.arguments.map { strdup($0) }
        args.append(nil)
        execv("/proc/self/exe", &args)
        // execv only returns on failure: carry on with the default kernels.
    }
}
