import Foundation

/// Drops whose file name (or seller folder name) is not valid UTF-8. Foundation lists such a name
/// with U+FFFD in place of the bad bytes, so the path it gives names no file: without this, the
/// drop would sit in the inbox forever, unanswered and unlogged.
///
/// They are refused like any other unreadable name: moved to `rejected/` under the name with every
/// byte outside `[A-Za-z0-9._-]` written `%XX` (`bad\xff.json` becomes `bad%FF.json`), with the
/// receipt (`seller.integration.body.required`) beside it under `receipts/`. The body is not read.
enum UndecodableNames {
    /// One directory entry as raw bytes.
    struct Entry {
        let bytes: [UInt8]
        var isUTF8: Bool { String(validating: bytes, as: UTF8.self) != nil }
        var isDropName: Bool { bytes.first != UInt8(ascii: ".") && bytes.count > 5 && bytes.suffix(5).elementsEqual(".json".utf8) }
        /// The name with every byte outside `[A-Za-z0-9._-]` as `%XX`.
        var escaped: String {
            bytes.map { b -> String in
                let safe = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
                return safe ? String(UnicodeScalar(b)) : String(format: "%%%02X", b)
            }.joined()
        }
    }

    /// The entries of `folder` (raw path bytes), without `.` and `..`.
    static func entries(_ folder: [UInt8]) -> [Entry] {
        guard let dir = (folder + [0]).withUnsafeBufferPointer({ $0.withMemoryRebound(to: CChar.self) { opendir($0.baseAddress!) } }) else {
            return []
        }
        defer { closedir(dir) }
        var result: [Entry] = []
        while let entry = readdir(dir) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            result.append(Entry(bytes: bytes))
        }
        return result
    }

    /// The file type of the raw path (lstat), or nil when it is gone.
    static func fileType(_ path: [UInt8]) -> mode_t? {
        var info = stat()
        let rc = (path + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { lstat($0.baseAddress!, &info) } }
        return rc == 0 ? info.st_mode & S_IFMT : nil
    }

    /// Renames the raw path `from` to `to` (a valid path), making both folders durable.
    static func move(_ from: [UInt8], to: String) throws(AtomicFile.Failure) {
        let folder = (to as NSString).deletingLastPathComponent
        try AtomicFile.makeDirectories(folder)
        let rc = (from + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { rename($0.baseAddress!, to) } }
        guard rc == 0 else { throw AtomicFile.Failure(path: String(decoding: from, as: UTF8.self), call: "rename", errno: errno) }
        try AtomicFile.syncDirectory(folder)
    }
}

extension DropFolderIntake {
    /// Refuses every drop under `inbox/` whose name, or whose folder's name, is not valid UTF-8.
    /// `folder` is nil for the inbox itself, or a (valid) seller folder name; `listed` is the
    /// folder's listing when the caller has read it already (one listing per scan of a folder).
    /// Returns how many were answered.
    func refuseUndecodableDrops(inSeller folder: String?, listed: [UndecodableNames.Entry]? = nil) -> Int {
        let base = Array(layout.inbox.utf8) + (folder.map { Array("/\($0)".utf8) } ?? [])
        var answered = 0
        for entry in listed ?? UndecodableNames.entries(base) where !entry.isUTF8 {
            let path = base + [0x2F] + entry.bytes
            if folder == nil, UndecodableNames.fileType(path) == S_IFDIR {
                // A seller folder with an undecodable name: its drops are refused, keeping the (escaped) folder.
                for drop in UndecodableNames.entries(path) where drop.isDropName {
                    refuseRaw(path + [0x2F] + drop.bytes, relative: entry.escaped + "/" + drop.escaped,
                              reason: "The inbox folder name is not valid UTF-8 and is no seller id.")
                    answered += 1
                }
            } else if entry.isDropName {
                let relative = (folder.map { $0 + "/" } ?? "") + entry.escaped
                refuseRaw(path, relative: relative, reason: folder == nil
                    ? "A drop must be inside inbox/<sellerId>/; files directly in inbox/ are refused."
                    : "The file name is not valid UTF-8; the idempotency key must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'.")
                answered += 1
            }
        }
        return answered
    }

    private func refuseRaw(_ path: [UInt8], relative: String, reason: String) {
        let errors = [RequestError(.bodyRequired, field: nil, message: reason)]
        do {
            try AtomicFile.writeJSON(RequestError.document(errors), to: layout.receipts + "/" + relative)
            let destination = layout.rejected + "/" + relative
            try keepEarlierRejected(destination)
            try UndecodableNames.move(path, to: destination)
            log.info("request refused: \(RequestErrorCode.bodyRequired.rawValue) (file name not UTF-8)", stage: "intake",
                     extra: [("drop", .string(relative))])
        } catch {
            log.error("cannot refuse the drop; it will be tried again: \(error)", stage: "intake", extra: [("drop", .string(relative))])
        }
    }
}
