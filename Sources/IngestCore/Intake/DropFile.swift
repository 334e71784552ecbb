import Foundation

/// Reads one drop file safely: never follows a symlink, never blocks on a FIFO, never reads
/// past `RequestValidator.maxBodyBytes`.
enum DropFile {
    /// What reading a drop gave.
    enum Content {
        case body(Data)
        /// Not a readable regular file, or too large: refused with this reason.
        case refused(String)
        /// Vanished or unreadable for now (the writer is not done, or an I/O fault): try later.
        case notReady
    }

    static func read(_ path: String) -> Content {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .notReady }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK: return .refused("The drop is a symbolic link; only regular files are read.")
        case S_IFDIR: return .refused("The drop is a directory; only regular files are read.")
        case S_IFIFO: return .refused("The drop is a FIFO; only regular files are read.")
        default: return .refused("The drop is not a regular file.")
        }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            return errno == ELOOP ? .refused("The drop is a symbolic link; only regular files are read.") : .notReady
        }
        defer { close(fd) }
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return .refused("The drop is not a regular file.") }
        guard Int(info.st_size) <= RequestValidator.maxBodyBytes else {
            return .refused("The request body is larger than \(RequestValidator.maxBodyBytes) bytes.")
        }
        // Room for the size fstat saw and one byte more (a drop is a few hundred bytes: zeroing
        // the 1 MiB cap for each was 2 % of the intake's time); a file that grew meanwhile gets
        // the whole cap, and one byte past it says "too large".
        let cap = RequestValidator.maxBodyBytes + 1
        var data = Data(count: min(Int(info.st_size) + 1, cap))
        var total = 0
        while true {
            let (count, failed): (Int, Bool) = data.withUnsafeMutableBytes { raw in
                var total = total
                while total < raw.count {
                    let n = Foundation.read(fd, raw.baseAddress! + total, raw.count - total)
                    if n < 0 { if errno == EINTR { continue }; return (total, true) }
                    if n == 0 { break }
                    total += n
                }
                return (total, false)
            }
            if failed { return .notReady }
            total = count
            guard total == data.count, data.count < cap else { break }
            data.count = cap  // full, and the file grew since fstat: read on up to the cap
        }
        guard total <= RequestValidator.maxBodyBytes else {
            return .refused("The request body is larger than \(RequestValidator.maxBodyBytes) bytes.")
        }
        data.count = total
        return .body(data)
    }
}
