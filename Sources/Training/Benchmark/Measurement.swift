// Timing and memory primitives of the benchmark: the peer's median rule and peak RSS.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The PyTorch peer's `median_time`: `warmup` untimed calls, then timed calls until at least
/// `minSamples` and either `seconds` have passed or `maxSamples` were taken; the median.
public enum MedianTimer {
    public static func median(seconds: Double, warmup: Int = 2, minSamples: Int = 3, maxSamples: Int = 50,
                              _ body: () throws -> Void) rethrows -> (seconds: Double, samples: Int) {
        for _ in 0..<warmup { try body() }
        var times: [Double] = []
        let start = now()
        while times.count < minSamples || (now() - start < seconds && times.count < maxSamples) {
            let t0 = now()
            try body()
            times.append(now() - t0)
        }
        times.sort()
        return (times[times.count / 2], times.count)
    }

    /// Monotonic seconds.
    public static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}

/// Peak resident memory of this process (Linux VmHWM), resettable between models.
public enum PeakMemory {
    /// Resets the peak to the current RSS (`echo 5 > /proc/self/clear_refs`, Linux ≥ 4.0);
    /// returns false where that is not possible (then `peakMB` is the process-lifetime peak).
    @discardableResult
    public static func reset() -> Bool {
        guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? h.close() }
        do { try h.write(contentsOf: Data("5".utf8)); return true } catch { return false }
    }

    /// Peak RSS in MiB: VmHWM from /proc/self/status, else getrusage's ru_maxrss (KiB on Linux).
    public static func peakMB() -> Double {
        if let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kb = Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") {
            return kb / 1024
        }
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        return Double(u.ru_maxrss) / 1024
    }
}
