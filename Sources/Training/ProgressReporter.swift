// Progress on a terminal (a redrawn bar) or in logs (a plain line every few seconds).

import Foundation

public final class ProgressReporter {
    let isTerminal: Bool
    let quiet: Bool
    let lineInterval: Double
    var lastLine = Date.distantPast
    var prefix = ""

    public init(quiet: Bool = false, lineInterval: Double = 30) {
        isTerminal = isatty(STDERR_FILENO) != 0
        self.quiet = quiet
        self.lineInterval = lineInterval
    }

    /// Text shown before each progress line (e.g. `kd seed 1`).
    public func setPrefix(_ p: String) { prefix = p }

    public func step(epoch: Int, epochs: Int, batch: Int, batches: Int, batchSize: Int = 128, imagesPerSecond: Double,
                     terms: [String: Double], lr: Float) {
        guard !quiet else { return }
        let now = Date()
        if !isTerminal && now.timeIntervalSince(lastLine) < lineInterval && batch != batches { return }
        if isTerminal && now.timeIntervalSince(lastLine) < 0.2 && batch != batches { return }
        lastLine = now
        let done = Double((epoch - 1) * batches + batch), total = Double(epochs * batches)
        let eta = imagesPerSecond > 0 ? (total - done) * Double(batchSize) / imagesPerSecond : 0
        let t = terms.keys.sorted().map { String(format: "%@ %.4f", $0, terms[$0]!) }.joined(separator: " ")
        let width = 20, filled = Int(Double(width) * Double(batch) / Double(max(batches, 1)))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let text = String(format: "%@ epoch %d/%d %@ %d/%d  %.0f img/s  lr %.4f  %@  ETA %@",
                          prefix, epoch, epochs, bar, batch, batches, imagesPerSecond, lr, t, ProgressReporter.clock(eta))
        if isTerminal { FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8)) }
        else { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    }

    /// Progress of a phase that is not a training epoch (evaluation, teacher outputs, decoding):
    /// `<prefix> <what> 12/40 batches  ETA 0:00:31`, at most every 0.2 s on a terminal, else every
    /// `lineInterval` seconds, and always at the end.
    public func phase(_ what: String, done: Int, total: Int, started: Date) {
        guard !quiet else { return }
        let now = Date()
        if done != total && now.timeIntervalSince(lastLine) < (isTerminal ? 0.2 : lineInterval) { return }
        lastLine = now
        let elapsed = now.timeIntervalSince(started)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let text = "\(prefix.isEmpty ? "" : prefix + " ")\(what) \(done)/\(total) batches  ETA \(ProgressReporter.clock(eta))"
        if isTerminal { FileHandle.standardError.write(Data(("\r\u{1B}[K" + text + (done == total ? "\n" : "")).utf8)) }
        else { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    }

    public func epochDone(epoch: Int, epochs: Int, trainLoss: Double, testTop1: Double?, validationTop1: Double? = nil) {
        guard !quiet else { return }
        let parts = [validationTop1.map { String(format: "validation top-1 %.2f%%", $0 * 100) },
                     testTop1.map { String(format: "test top-1 %.2f%%", $0 * 100) }].compactMap { $0 }
        let acc = parts.isEmpty ? "not evaluated" : parts.joined(separator: ", ")
        let line = String(format: "%@ epoch %d/%d done: train loss %.4f, %@", prefix, epoch, epochs, trainLoss, acc)
        FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + line + "\n").utf8))
    }

    public func note(_ s: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + s + "\n").utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.isFinite ? seconds : 0)
        return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
    }
}
