// What defines a run, recorded in its folder as fingerprint.json: resuming (or skipping as
// finished) a folder whose fingerprint differs is an error naming what differs.

import Foundation
import Datasets

/// The components that define a run's numbers; each is a short readable value or an MD5.
///
/// The code version is not a component: a campaign spans sessions and commits, and a resumed run
/// records the commit of every process that worked on it (`resume` events and `final.json`'s
/// provenance). Engine and thread count are components (same seed ⇒ same numbers holds for them).
public struct RunFingerprint: Codable, Equatable {
    public var components: [String: String]

    public init(components: [String: String]) { self.components = components }

    public static let fileName = "fingerprint.json"

    /// `component: recorded → now` for every component that differs (a missing one counts).
    public func differences(from recorded: RunFingerprint) -> [String] {
        Set(components.keys).union(recorded.components.keys).sorted().compactMap { key in
            let (was, now) = (recorded.components[key], components[key])
            guard was != now else { return nil }
            return "\(key): \(was ?? "absent") → \(now ?? "absent")"
        }
    }

    public static func load(directory: String, fileName: String = RunFingerprint.fileName) throws -> RunFingerprint? {
        let path = "\(directory)/\(fileName)"
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do { return try JSONDecoder().decode(RunFingerprint.self, from: data) } catch {
            throw TrainingError.badCheckpoint("\(path): unreadable run fingerprint (\(error))")
        }
    }

    public func save(directory: String, fileName: String = RunFingerprint.fileName) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(e.encode(self), to: "\(directory)/\(fileName)")
    }

    /// MD5 of a JSON encoding with sorted keys (for spec parts).
    public static func digest<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        var md5 = MD5()
        md5.update(Array((try? e.encode(value)) ?? Data()))
        return md5.finalize()
    }

    /// The fingerprint's `distill` component: MD5 of the spec's `distill` section — of only the keys
    /// that existed before the related-method keys (issue 22) while those keep their defaults, so a
    /// run started before them resumes (its fingerprint.json holds that digest); of every key otherwise.
    public static func digest(distill d: DistillSpec) -> String {
        guard d.relatedMethods == .defaults else { return digest(d) }
        struct BeforeRelatedMethods: Encodable {
            var temperature: Float, kdWeight: Float, ceWeight: Float, atWeight: Float, atP: Float
            var atForm: String, atResize: String, atReferencePixels: Int, atTapStates: String
        }
        return digest(BeforeRelatedMethods(
            temperature: d.temperature, kdWeight: d.kdWeight, ceWeight: d.ceWeight, atWeight: d.atWeight, atP: d.atP,
            atForm: d.atForm, atResize: d.atResize, atReferencePixels: d.atReferencePixels, atTapStates: d.atTapStates))
    }

    /// MD5 of the bytes of float tensors, in order (model weights and buffers).
    public static func digest(floats arrays: [[Float]]) -> String {
        var md5 = MD5()
        for a in arrays { a.withUnsafeBytes { md5.update($0) } }
        return md5.finalize()
    }
}
