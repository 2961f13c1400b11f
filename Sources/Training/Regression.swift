// CI regression on accuracy deltas: short deterministic runs of every arm from a
// shipped teacher, compared with a committed baseline within measured tolerances.

import Foundation

/// The recorded accuracies, deltas and tolerances (`experiments/regress-baseline.json`).
public struct RegressionBaseline: Codable, Equatable {
    /// Spec the numbers come from and the seed and thread count they were run with.
    public var spec: String
    public var seed: Int
    public var threads: Int
    /// Test top-1 per arm, in percentage points.
    public var accuracy: [String: Double]
    /// Differences between arms (`kd-ce`, `at-ce`, `atkd-kd`), in points.
    public var deltas: [String: Double]
    /// Allowed |now − recorded| per arm and per delta, in points.
    public var tolerance: [String: Double]
    /// How the tolerances were justified.
    public var spread: Spread
    public var machine: String
    public var date: String
    public var commit: String
    /// The OpenBLAS kernel family the baseline ran with (nil in baselines recorded before it was kept).
    /// Same seed ⇒ same numbers holds for one core; on another the runs move within seed noise.
    public var openblasCore: String? = nil

    public struct Spread: Codable, Equatable {
        /// Whether two runs with the same seed gave bit-identical metrics.
        public var sameSeedIdentical: Bool
        /// Seeds used to measure seed-to-seed spread.
        public var seeds: [Int]
        /// Sample standard deviation across those seeds, per arm and per delta (points).
        public var std: [String: Double]
        /// tolerance = max(factor · std, floor).
        public var factor: Double
        public var floor: Double
    }
}

public enum Regression {
    /// The comparisons that carry the claims: (name, minuend arm, subtrahend arm).
    public static let deltas: [(String, String, String)] = [("kd-ce", "kd", "ce"), ("at-ce", "at", "ce"), ("atkd-kd", "atkd", "kd")]

    /// Deltas of one set of per-arm accuracies (points).
    public static func deltas(of accuracy: [String: Double]) -> [String: Double] {
        var out: [String: Double] = [:]
        for (name, a, b) in deltas {
            if let x = accuracy[a], let y = accuracy[b] { out[name] = x - y }
        }
        return out
    }

    /// One row of the comparison table.
    public struct Row: Equatable {
        public var name: String
        public var recorded: Double
        public var now: Double?
        public var tolerance: Double
        public var passed: Bool { now.map { abs($0 - recorded) <= tolerance + 1e-9 } ?? false }
    }

    /// Compares measured accuracies with the baseline: every arm and every delta
    /// (restricted to `only` and the deltas between those arms when given).
    public static func compare(_ accuracy: [String: Double], with baseline: RegressionBaseline,
                               only: Set<String>? = nil) -> [Row] {
        let now = deltas(of: accuracy)
        var rows: [Row] = []
        for arm in baseline.accuracy.keys.sorted() where only?.contains(arm) ?? true {
            rows.append(Row(name: arm, recorded: baseline.accuracy[arm]!, now: accuracy[arm],
                            tolerance: baseline.tolerance[arm] ?? 0))
        }
        for (name, a, b) in deltas where baseline.deltas[name] != nil && (only.map { $0.contains(a) && $0.contains(b) } ?? true) {
            rows.append(Row(name: name, recorded: baseline.deltas[name]!, now: now[name],
                            tolerance: baseline.tolerance[name] ?? 0))
        }
        return rows
    }

    /// One line naming the OpenBLAS core of the baseline and of this run, and whether they differ.
    public static func coreLine(baseline: RegressionBaseline, now: String?) -> String {
        let recorded = baseline.openblasCore ?? "not recorded"
        let current = now ?? "unknown"
        let same = baseline.openblasCore != nil && baseline.openblasCore == now
        return "OpenBLAS core: baseline \(recorded), this run \(current)"
            + (same ? " (same: numbers should match exactly)"
                    : " (different or unknown: numbers may move within the tolerances, which cover seed noise)")
    }

    /// The table printed on success and failure: arm, recorded, now, difference, tolerance.
    public static func table(_ rows: [Row]) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        var lines = ["arm/delta    recorded      now     diff  tolerance  result"]
        for r in rows {
            let now = r.now.map { String(format: "%.2f", $0) } ?? "missing"
            let diff = r.now.map { String(format: "%+.2f", $0 - r.recorded) } ?? "—"
            lines.append(r.name.padding(toLength: 10, withPad: " ", startingAt: 0)
                         + pad(String(format: "%.2f", r.recorded), 10) + pad(now, 9) + pad(diff, 9)
                         + pad(String(format: "±%.2f", r.tolerance), 11) + "  " + (r.passed ? "ok" : "FAIL"))
        }
        return lines.joined(separator: "\n")
    }

    /// A baseline from runs: `recorded` (the CI seed), `repeatIdentical` (same seed twice gave
    /// identical metrics) and per-seed accuracies for the spread.
    public static func makeBaseline(spec: String, seed: Int, threads: Int, recorded: [String: Double],
                                    repeatIdentical: Bool, spreadRuns: [Int: [String: Double]],
                                    factor: Double = 2, floor: Double = 0.5, commit: String) -> RegressionBaseline {
        var std: [String: Double] = [:]
        let seeds = spreadRuns.keys.sorted()
        let keys = recorded.keys.sorted() + deltas.map { $0.0 }
        for key in keys {
            let values = seeds.compactMap { s -> Double? in
                let acc = spreadRuns[s]!
                return acc[key] ?? Regression.deltas(of: acc)[key]
            }
            std[key] = sampleStd(values)
        }
        let tolerance = std.mapValues { max(factor * $0, floor) }
        return RegressionBaseline(
            spec: spec, seed: seed, threads: threads, accuracy: recorded, deltas: deltas(of: recorded),
            tolerance: tolerance,
            spread: .init(sameSeedIdentical: repeatIdentical, seeds: seeds, std: std, factor: factor, floor: floor),
            machine: machineDescription(), date: ISO8601DateFormatter().string(from: Date()), commit: commit,
            openblasCore: MachineInfo.current().openblasCore)
    }

    static func sampleStd(_ v: [Double]) -> Double {
        guard v.count > 1 else { return 0 }
        let m = v.reduce(0, +) / Double(v.count)
        return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
    }

    /// CPU model and core count, as recorded with a baseline.
    public static func machineDescription() -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        return "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores"
    }

    public static func load(_ path: String) throws -> RegressionBaseline {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpecError("\(path): no regression baseline (record one with `make regress-update`)")
        }
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        do { return try d.decode(RegressionBaseline.self, from: data) } catch {
            throw SpecError("\(path): not a regression baseline (\(error))")
        }
    }

    public static func save(_ b: RegressionBaseline, to path: String) throws {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(e.encode(b), to: path)
    }
}
