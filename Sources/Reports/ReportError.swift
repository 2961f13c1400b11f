// Errors `atkd report` raises; partial or corrupt results are warnings, not errors.

/// A report that cannot be written at all (no gnuplot, nothing to read, unwritable output).
public struct ReportError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }

    /// gnuplot is not installed (or not on `PATH`).
    static func gnuplotMissing(_ executable: String) -> ReportError {
        ReportError("`\(executable)` not found on PATH: the figures are drawn by gnuplot. Install it with "
                    + "`apt-get install --no-install-recommends gnuplot-nox` (or `make setup`).")
    }
}
