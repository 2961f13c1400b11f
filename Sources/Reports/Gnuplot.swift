// Figures as gnuplot scripts with their data files beside them, and the renderer that
// runs gnuplot on each script (PNG and SVG).

import Foundation
import Training

/// One figure: its data files and the gnuplot commands that draw it.
///
/// `write(to:)` puts `<name>.gp` and the data files in one folder; the script reads the data
/// by relative path after changing to its own folder, so `gnuplot reports/figures/<name>.gp`
/// re-plots from anywhere and writes `<name>.png` and `<name>.svg` next to it.
public struct Figure {
    /// File stem: `<name>.gp`, `<name>.png`, `<name>.svg`.
    public var name: String
    /// Caption for REPORT.md.
    public var title: String
    public var width: Int
    public var height: Int
    /// Data files (name relative to the figure folder, contents).
    public var data: [(file: String, contents: String)]
    /// gnuplot commands run once per output format, after the terminal and `reset`.
    public var body: String
    /// Data files the script reads that another writer puts in the folder (shared by figures).
    public var sharedData: [String] = []

    public init(name: String, title: String, width: Int = 900, height: Int = 500,
                data: [(file: String, contents: String)], body: String) {
        self.name = name; self.title = title; self.width = width; self.height = height
        self.data = data; self.body = body
    }

    /// The whole script: PNG (pngcairo) then SVG, each after a `reset`.
    public var script: String {
        """
        # \(title)
        # Written by `atkd report`. Re-plot with: gnuplot <this folder>/\(name).gp
        # Data: \((data.map(\.file) + sharedData).joined(separator: ", ")) (read relative to this script's folder).
        if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
        do for [fmt in "png svg"] {
            if (fmt eq "png") {
                set terminal pngcairo size \(width),\(height) font "sans,10" noenhanced
                set output "\(name).png"
            } else {
                set terminal svg size \(width),\(height) font "sans,10" noenhanced background "white"
                set output "\(name).svg"
            }
            reset
            set datafile missing "nan"
        \(body.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
            unset multiplot
            set output
        }

        """
    }

    /// Writes the data files and the script into `folder`.
    public func write(to folder: String) throws {
        for (file, contents) in data {
            try AtomicFile.write(contents, to: "\(folder)/\(file)")
        }
        try AtomicFile.write(script, to: "\(folder)/\(name).gp")
    }
}

/// Runs gnuplot on figure scripts.
public struct Gnuplot {
    /// Command name or path of gnuplot.
    public var executable: String

    public init(executable: String = "gnuplot") { self.executable = executable }

    /// The full path of the executable, or nil when it is not on `PATH`.
    public func resolvedPath() -> String? {
        if executable.contains("/") { return FileManager.default.isExecutableFile(atPath: executable) ? executable : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(executable)") {
            return "\(dir)/\(executable)"
        }
        return nil
    }

    /// Throws the install hint when gnuplot is missing.
    public func check() throws {
        guard resolvedPath() != nil else { throw ReportError.gnuplotMissing(executable) }
    }

    /// Runs `<folder>/<name>.gp` with the folder as working directory; throws with gnuplot's
    /// messages when it fails or leaves no PNG.
    public func render(_ name: String, in folder: String) throws {
        guard let exe = resolvedPath() else { throw ReportError.gnuplotMissing(executable) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = ["\(name).gp"]
        p.currentDirectoryURL = URL(fileURLWithPath: folder)
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let messages = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0, FileManager.default.fileExists(atPath: "\(folder)/\(name).png") else {
            throw ReportError("gnuplot failed on \(folder)/\(name).gp (status \(p.terminationStatus)):\n\(messages)")
        }
    }
}

/// Text helpers for data files.
enum PlotText {
    /// A gnuplot string literal: double quotes, with `"` and `\` escaped.
    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A number for a data file; `nan` for nil or non-finite.
    static func number(_ v: Double?, _ format: String = "%.6g") -> String {
        guard let v, v.isFinite else { return "nan" }
        return String(format: format, v)
    }

    /// `#RRGGBB` as the integer gnuplot's `lc rgb variable` reads.
    static func rgbInt(_ hex: String) -> Int { Int(hex.dropFirst(), radix: 16) ?? 0 }

    /// File-name-safe form of an experiment or class name.
    static func slug(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }

    /// gnuplot line colours, one per arm (colour-blind-safe Okabe–Ito palette).
    static let palette = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#0072B2", "#F0E442"]

    /// The colour of an arm: teacher black, then the canonical arms, then the rest in order.
    static func color(arm: String, among arms: [String]) -> String {
        if arm == "teacher" { return palette[0] }
        let order = ExperimentResults.canonicalArms + arms.filter { !ExperimentResults.canonicalArms.contains($0) }
        let i = order.firstIndex(of: arm) ?? 0
        return palette[1 + i % (palette.count - 1)]
    }
}
