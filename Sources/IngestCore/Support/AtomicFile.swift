import Foundation
import IngestGlibc

/// Crash-safe file operations (Maildir/Postfix style): a file is written under a temporary
/// name that starts with a dot, fsynced, renamed into place, and its folder fsynced, so a
/// reader sees either the old file or the whole new one, and the rename survives a crash.
public enum AtomicFile {
    /// A failed file operation: the path, the call and the errno text.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let call: String
        public let errno: Int32
        public var description: String { "\(call) \(path): \(String(cString: strerror(errno)))" }
        /// Whether the fault is the machine's (disk full, I/O error), not the input's.
        public var isResourceFault: Bool { [ENOSPC, EIO, EDQUOT, EROFS, ENOMEM, EMFILE, ENFILE].contains(errno) }
    }

    /// Mode of files the service writes (owner read/write, group read).
    public static let fileMode: mode_t = 0o640
    /// Mode of folders the service creates.
    public static let directoryMode: mode_t = 0o750

    /// Writes `data` to `path` atomically and durably, creating the parent folders.
    public static func write(_ data: Data, to path: String) throws(Failure) {
        try writeAll([(data, path)])
    }

    /// Writes JSON text (pretty, with a final newline) atomically.
    public static func writeJSON(_ value: JSONValue, to path: String) throws(Failure) {
        try write(jsonText(value), to: path)
    }

    /// The bytes `writeJSON` writes for `value`.
    public static func jsonText(_ value: JSONValue) -> Data { Data((value.pretty + "\n").utf8) }

    /// Writes several files atomically and durably as one group commit: every file is written
    /// under its temporary name first, their writeback is started together (`sync_file_range`)
    /// and each is then fsynced (so the device sees one queue, not one round trip per file), then
    /// all are renamed into place in the given order and each folder is fsynced once. Either
    /// every file is in place when this returns, or it throws and no final name was touched
    /// (every temporary file is removed). Later entries for the same path win.
    ///
    /// `durable` false skips the fsyncs: still atomic (a reader sees the old file or the new one),
    /// but a power cut may leave the old one or an empty one. For what is rewritten anyway (a
    /// running job's stage and progress in its status file, which the store marks stale until a
    /// durable write).
    public static func writeAll(_ files: [(data: Data, path: String)], durable: Bool = true) throws(Failure) {
        var temps: [(temp: String, fd: Int32)] = []
        var renamed = false
        defer {
            for entry in temps {
                if entry.fd >= 0 { close(entry.fd) }
                if !renamed { unlink(entry.temp) }
            }
        }
        for (data, path) in files {
            let directory = (path as NSString).deletingLastPathComponent
            try makeDirectories(directory)
            let temp = temporaryName(for: path, in: directory)
            let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, fileMode)
            guard fd >= 0 else { throw Failure(path: temp, call: "open", errno: errno) }
            temps.append((temp, fd))
            // The process umask narrows (077) or widens (000) open's mode; the spool's modes are fixed.
            guard fchmod(fd, fileMode) == 0 else { throw Failure(path: temp, call: "fchmod", errno: errno) }
            if let injected = WriteFaults.fault(for: path) { throw Failure(path: temp, call: "write", errno: injected) }
            try writeFully(fd, data, path: temp)
        }
        if durable && temps.count > 1 {
            // Start every file's writeback before waiting for any (a hint: fsync below is what makes it durable).
            for entry in temps { GlibcExtras.startWriteback(entry.fd) }
        }
        for entry in temps where durable && fsync(entry.fd) != 0 { throw Failure(path: entry.temp, call: "fsync", errno: errno) }
        var directories: [String] = []
        for (index, file) in files.enumerated() {
            guard rename(temps[index].temp, file.path) == 0 else {
                // Files renamed before this one stay (each is whole); the rest are removed.
                let code = errno
                for later in temps[index...] { unlink(later.temp) }
                renamed = true
                throw Failure(path: file.path, call: "rename", errno: code)
            }
            let directory = (file.path as NSString).deletingLastPathComponent
            if !directories.contains(directory) { directories.append(directory) }
        }
        renamed = true
        for directory in directories where durable { try syncDirectory(directory) }
    }

    /// A dot-name beside `path` that fits NAME_MAX (255 bytes) however long the final name is.
    private static func temporaryName(for path: String, in directory: String) -> String {
        let name = (path as NSString).lastPathComponent
        let stem = name.utf8.count <= 200 ? name : "long-name"
        return directory + "/." + stem + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
    }

    /// Writes all of `data` to `fd`, retrying short writes and EINTR.
    private static func writeFully(_ fd: Int32, _ data: Data, path: String) throws(Failure) {
        let writeErrno: Int32 = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int32 in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return errno }
                offset += n
            }
            return 0
        }
        if writeErrno != 0 { throw Failure(path: path, call: "write", errno: writeErrno) }
    }

    /// Removes several files and makes the removals durable with one fsync per folder.
    public static func removeAll(_ paths: [String]) throws(Failure) {
        var directories: [String] = []
        for path in paths {
            guard unlink(path) == 0 || errno == ENOENT else { throw Failure(path: path, call: "unlink", errno: errno) }
            let directory = (path as NSString).deletingLastPathComponent
            if !directories.contains(directory) { directories.append(directory) }
        }
        for directory in directories { try syncDirectory(directory) }
    }

    /// Renames `from` to `to` (creating `to`'s folders) and makes the rename durable. Across
    /// file systems (EXDEV: a `publish.mediaDirectory` on another mount) the file is copied under a
    /// dot name beside `to`, fsynced and renamed into place, and only then is `from` removed.
    public static func move(_ from: String, to: String) throws(Failure) {
        let directory = (to as NSString).deletingLastPathComponent
        try makeDirectories(directory)
        if rename(from, to) != 0 {
            guard errno == EXDEV else { throw Failure(path: from, call: "rename", errno: errno) }
            try copyAcross(from, to: to)
        }
        try syncDirectory(directory)
        try syncDirectory((from as NSString).deletingLastPathComponent)
    }

    /// The EXDEV half of `move`: copy, fsync, rename into place, remove the source.
    private static func copyAcross(_ from: String, to: String) throws(Failure) {
        let temp = temporaryName(for: to, in: (to as NSString).deletingLastPathComponent)
        do { try FileManager.default.copyItem(atPath: from, toPath: temp) } catch {
            unlink(temp)
            let code = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).map { Int32($0.code) } ?? EIO
            throw Failure(path: from, call: "copy", errno: code)
        }
        do { try syncFile(temp) } catch { unlink(temp); throw error }
        guard rename(temp, to) == 0 else { let code = errno; unlink(temp); throw Failure(path: to, call: "rename", errno: code) }
        guard unlink(from) == 0 || errno == ENOENT else { throw Failure(path: from, call: "unlink", errno: errno) }
    }

    /// Removes `path` (a missing file is fine) and makes the removal durable.
    public static func remove(_ path: String) throws(Failure) {
        try removeAll([path])
    }

    /// fsyncs a regular file's data and metadata (a rendition written by the media child, which
    /// does not sync), so that a power cut after a commit that names it cannot leave it empty.
    public static func syncFile(_ path: String) throws(Failure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw Failure(path: path, call: "open", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure(path: path, call: "fsync", errno: errno) }
    }

    /// fsyncs a folder so renames and unlinks in it survive a crash.
    public static func syncDirectory(_ path: String) throws(Failure) {
        let fd = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, call: "open", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 || errno == EINVAL else { throw Failure(path: path, call: "fsync", errno: errno) }
    }

    /// Creates a folder and its parents with `directoryMode`.
    public static func makeDirectories(_ path: String) throws(Failure) {
        guard !path.isEmpty else { return }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: Int(directoryMode)])
        } catch {
            let code = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.code ?? Int(EIO)
            throw Failure(path: path, call: "mkdir", errno: Int32(code))
        }
    }
}
