// Optional download of a dataset archive: fetch over HTTP(S), check its MD5,
// extract with tar, all into a temp file first so nothing half-written stays.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches and unpacks dataset archives.
public enum Downloader {
    /// Downloads `url` into `directory`, checks the MD5 when `md5` is given,
    /// and extracts the `.tar.gz` there with `tar -xzf` (via `Process`).
    /// The archive is removed afterwards. Throws `.download` naming the URL
    /// (HTTP status, MD5 mismatch) or the archive (tar failure).
    public static func fetchAndExtract(url: String, md5 expected: String?, into directory: String,
                                       timeout: TimeInterval = 3600) throws {
        guard let u = URL(string: url), u.scheme == "http" || u.scheme == "https" else {
            throw DatasetError(.invalidArgument, file: url, "not an http(s) URL")
        }
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw DatasetError(.io, file: directory, "cannot create directory (\(error.localizedDescription))")
        }
        let data = try get(u, timeout: timeout)
        if let expected {
            var h = MD5()
            data.withUnsafeBytes { h.update($0) }
            let got = h.finalize()
            guard got == expected.lowercased() else {
                throw DatasetError(.download, file: url, "MD5 mismatch: expected \(expected), got \(got) "
                                   + "(\(data.count) bytes); nothing was extracted")
            }
        }
        let archive = (directory as NSString).appendingPathComponent(".download-\(getpid()).tar.gz.tmp")
        guard fm.createFile(atPath: archive, contents: data) else {
            throw DatasetError(.io, file: archive, "cannot write the downloaded archive")
        }
        defer { try? fm.removeItem(atPath: archive) }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-xzf", archive, "-C", directory]
        let err = Pipe()
        tar.standardError = err
        do { try tar.run() } catch {
            throw DatasetError(.download, file: archive, "cannot run tar (\(error.localizedDescription))")
        }
        tar.waitUntilExit()
        guard tar.terminationStatus == 0 else {
            let msg = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw DatasetError(.download, file: url, "tar failed (status \(tar.terminationStatus)): \(msg)")
        }
    }

    /// A blocking GET that accepts only status 200.
    static func get(_ url: URL, timeout: TimeInterval) throws -> Data {
        final class Box: @unchecked Sendable { var data: Data?; var status = 0; var error: Error? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            box.data = data
            box.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            box.error = error
            done.signal()
        }
        task.resume()
        done.wait()
        if let e = box.error {
            throw DatasetError(.download, file: url.absoluteString, "request failed: \(e.localizedDescription)")
        }
        guard box.status == 200, let data = box.data else {
            throw DatasetError(.download, file: url.absoluteString, "HTTP status \(box.status)")
        }
        return data
    }

    /// Downloads the official CIFAR-10 binary archive (or `url`, a mirror)
    /// into `directory` and checks the result loads; returns the dataset path.
    public static func cifar10(into directory: String, url: String = CIFAR10.archiveURL,
                               md5: String = CIFAR10.archiveMD5) throws -> String {
        try fetchAndExtract(url: url, md5: md5, into: directory)
        let path = (directory as NSString).appendingPathComponent(CIFAR10.folderName)
        guard CIFAR10.looksLikeCIFAR(path) else {
            throw DatasetError(.download, file: url, "archive did not contain \(CIFAR10.folderName)/")
        }
        return path
    }
}
