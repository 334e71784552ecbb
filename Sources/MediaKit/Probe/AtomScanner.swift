import Foundation

/// Reads top-level ISO-BMFF/QuickTime atom headers with plain file I/O.
enum AtomScanner {
    /// True when the top-level `moov` atom comes before the first `mdat` atom.
    static func moovBeforeMdat(path: String) -> Bool {
        guard let file = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? file.close() }
        var offset: UInt64 = 0
        for _ in 0..<10_000 {
            guard (try? file.seek(toOffset: offset)) != nil,
                  let data = try? file.read(upToCount: 16), data.count >= 8 else { return false }
            let bytes = [UInt8](data)
            let type = String(decoding: bytes[4..<8], as: UTF8.self)
            if type == "moov" { return true }
            if type == "mdat" { return false }
            var size = UInt64(bigEndian: bytes, at: 0, count: 4)
            if size == 1 {
                guard bytes.count >= 16 else { return false }
                size = UInt64(bigEndian: bytes, at: 8, count: 8)
            } else if size == 0 {
                return false // the atom runs to the end of the file
            }
            guard size >= 8 else { return false }
            // A 64-bit size can point past any file, or past Int64 (FileHandle's off_t traps there,
            // and the sum can overflow): such an atom ends the scan (found by Fuzz/probe).
            let (next, overflow) = offset.addingReportingOverflow(size)
            guard !overflow, next <= UInt64(Int64.max) else { return false }
            offset = next
        }
        return false
    }
}

private extension UInt64 {
    init(bigEndian bytes: [UInt8], at start: Int, count: Int) {
        self = bytes[start..<(start + count)].reduce(0) { ($0 << 8) | UInt64($1) }
    }
}
