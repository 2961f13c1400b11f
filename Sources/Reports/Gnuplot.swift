// Figures as gnuplot scripts with their data files beside them, and the renderer that sends each
// figure's commands and data to gnuplot through gnuplot-iostream (PNG and SVG).

import Foundation
import Training
import GnuplotStream

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

    /// Renders `figure` (already written to `folder`) through gnuplot-iostream: the data files go
    /// down the pipe as datablocks (`$atkd_data<k>`), then the figure's script with each quoted
    /// data-file name replaced by its datablock, so gnuplot draws exactly the data kept beside the
    /// script; `gnuplot <folder>/<name>.gp` re-plots the same from the files. Throws with gnuplot's
    /// messages when it fails or leaves no PNG.
    public func render(_ figure: Figure, in folder: String) throws {
        guard let exe = resolvedPath() else { throw ReportError.gnuplotMissing(executable) }
        try Self.run(exe, commands: Self.inlineCommands(figure, folder: folder), context: "\(folder)/\(figure.name).gp")
        guard FileManager.default.fileExists(atPath: "\(folder)/\(figure.name).png") else {
            throw ReportError("gnuplot left no \(folder)/\(figure.name).png")
        }
    }

    /// `cd` into the folder, one datablock per data file, then the script reading them.
    public static func inlineCommands(_ figure: Figure, folder: String) throws -> String {
        var out = "cd \(PlotText.quoted(folder))\n"
        var script = figure.script
        for (k, file) in (figure.data.map(\.file) + figure.sharedData).enumerated() {
            let contents: String
            if let inMemory = figure.data.first(where: { $0.file == file })?.contents {
                contents = inMemory
            } else {
                guard let d = FileManager.default.contents(atPath: "\(folder)/\(file)") else {
                    throw ReportError("\(folder)/\(file): cannot read the data of \(figure.name)")
                }
                contents = String(decoding: d, as: UTF8.self)
            }
            // NOTE: a datablock ends at a line `EOD`; data files never hold one (numbers, quoted labels, `#` comments).
            out += "$atkd_data\(k) << EOD\n" + contents + (contents.hasSuffix("\n") ? "" : "\n") + "EOD\n"
            script = script.replacingOccurrences(of: PlotText.quoted(file), with: "$atkd_data\(k)")
        }
        return out + script
    }

    /// Sends `commands` to gnuplot through gnuplot-iostream (`GnuplotStream`); throws with its messages.
    static func run(_ executable: String, commands: String, context: String) throws {
        var message = [CChar](repeating: 0, count: 16_384)
        let status = atkd_gnuplot_run(executable, commands, &message, message.count)
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard status == 0 else {
            throw ReportError("gnuplot failed on \(context) (\(status == 2 ? "not started" : "stopped on an error")):\n\(text)")
        }
    }
}

/// Text helpers for data files.
enum PlotText {
    /// A gnuplot string literal: double quotes, with `"` and `\` escaped.
    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A gnuplot string literal of several lines (joined by gnuplot's `\n` escape).
    static func quoted(lines: [String]) -> String {
        "\"" + lines.map { String(quoted($0).dropFirst().dropLast()) }.joined(separator: "\\n") + "\""
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
