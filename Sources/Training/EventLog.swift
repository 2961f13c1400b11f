// events.jsonl: one JSON object per line, appended as things happen.

import Foundation

public final class EventLog {
    public let path: String
    /// False in the processes of a data-parallel run that do not write its files.
    public var enabled = true
    public init(path: String) { self.path = path }

    public func log(_ event: String, _ fields: [String: Any] = [:]) {
        guard enabled else { return }
        var obj = fields
        obj["event"] = event
        obj["time"] = ISO8601DateFormatter().string(from: Date())
        guard let data = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]) else { return }
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: path) else { return }
        h.seekToEndOfFile()
        h.write(data + Data("\n".utf8))
        try? h.close()
    }
}
