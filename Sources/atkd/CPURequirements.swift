// The binary is built for Haswell (AVX2 + FMA): on an older CPU it stops with a clear message
// instead of an illegal-instruction crash somewhere later.

import Foundation

enum CPURequirements {
    /// Exits with status 69 (EX_UNAVAILABLE) when /proc/cpuinfo lacks avx2 or fma; silent when
    /// the flags cannot be read (not Linux, no /proc).
    static func check() {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
        let flags = Set(line.split(separator: " ").map(String.init))
        let missing = ["avx2", "fma"].filter { !flags.contains($0) }
        guard !missing.isEmpty else { return }
        FileHandle.standardError.write(Data(("error: this CPU lacks \(missing.joined(separator: " and ")); atkd needs an x86-64 "
            + "CPU with AVX2 and FMA (Intel Haswell / AMD Zen or newer), see README Requirements\n").utf8))
        exit(69)
    }
}
