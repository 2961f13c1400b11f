// `atkd verify`: runs golden fixtures under the reference and/or fast engine.

import ArgumentParser
import Foundation
import Verification

extension EngineChoice: ExpressibleByArgument {}

/// Prints `PASS name max-error` or `FAIL name key max-error` per fixture and
/// engine, then a summary; exits non-zero when any fixture fails or a file is malformed.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the kernels against golden fixtures (Fixtures/README.md).")

    @Argument(help: "Fixture files or directories (searched recursively for *.json).")
    var paths: [String]

    @Option(help: "Engine to check: reference, fast or both.")
    var engine: EngineChoice = .both

    func run() throws {
        let files: [String]
        do { files = try Verifier.fixturePaths(paths) } catch {
            print("ERROR \(error)")
            throw ExitCode.failure
        }
        // Parse each file once; a malformed file counts as one failure.
        var parsed: [FixtureFile] = [], malformed = 0
        for path in files {
            do { parsed.append(try FixtureFile.load(path: path)) } catch {
                print("ERROR \(error)")
                malformed += 1
            }
        }
        var passed = 0, failed = 0
        for kernels in engine.engines {
            let verifier = Verifier(engine: kernels)
            print("engine \(kernels.name)")
            for file in parsed {
                let r = verifier.verify(file)
                if r.passed {
                    passed += 1
                    print("PASS \(r.name) \(format(r.maxAbsError))")
                } else {
                    failed += 1
                    print("FAIL \(r.name) \(r.worstKey ?? "-") \(format(r.maxAbsError))"
                          + (r.note.map { "  (\($0))" } ?? ""))
                }
            }
        }
        let engines = engine.engines.map(\.name).joined(separator: "+")
        print("verify: \(files.count) files, \(passed) passed, \(failed) failed, \(malformed) malformed (engines: \(engines))")
        if files.isEmpty { print("ERROR no fixture files found") }
        if failed > 0 || malformed > 0 || files.isEmpty { throw ExitCode.failure }
    }

    private func format(_ v: Double) -> String {
        v.isFinite ? String(format: "%.3e", v) : "\(v)"
    }
}
