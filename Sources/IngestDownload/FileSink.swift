import Glibc
import IngestCrypto

/// The destination file: a descriptor we own, written with `write(2)` every `writeSize` bytes
/// (EINTR and short writes handled), truncated per attempt, `fsync`ed at the end, its writeback
/// kept going while it is written (`WritebackWindow`) so that the fsync finds little left. Memory
/// use is two 1 MiB buffers, whatever the download size. The body's SHA-256 is computed as it
/// arrives, a whole buffer at a time on a thread of its own (`DoubleBufferedHasher`), so the file
/// is never read back for it.
final class FileSink {
    /// Bytes held before a `write(2)`: small enough that a download's first bytes reach the file
    /// early (the mid-download crash test needs bytes on disk while the transfer runs).
    static let writeSize = 256 * 1024
    /// Bytes per buffer handed to the hashing thread (a multiple of `writeSize`).
    static let bufferSize = 4 * writeSize

    let path: String
    private let fd: Int32
    private let buffers = DoubleBufferedHasher(capacity: FileSink.bufferSize)
    /// Bytes in the current buffer, and how many of them are written to the file.
    private var buffered = 0
    private var written = 0
    private var writeback = WritebackWindow()

    /// Creates or truncates `path` (mode 0644).
    /// - Throws: `DownloadError(.localFault)` with `strerror` text.
    init(path: String) throws(DownloadError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSink.fault("open", path, errno) }
        self.fd = fd
    }

    deinit {
        close(fd)
    }

    /// Empties the file for a new attempt (regular files only; a device is left alone).
    func truncate() throws(DownloadError) {
        buffered = 0
        written = 0
        buffers.restart()
        writeback.reset()
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw FileSink.fault("fstat", path, errno) }
        guard status.st_mode & S_IFMT == S_IFREG else { return }
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else { throw FileSink.fault("truncate", path, errno) }
    }

    /// Appends bytes (buffered; each `writeSize` is written, each full buffer queued for hashing).
    /// On failure returns the errno.
    func append(_ bytes: UnsafeRawPointer, count: Int) -> Int32? {
        var offset = 0
        while offset < count {
            let n = min(count - offset, FileSink.bufferSize - buffered)
            (buffers.current + buffered).copyMemory(from: bytes + offset, byteCount: n)
            buffered += n
            offset += n
            let full = buffered == FileSink.bufferSize
            if full || buffered - written >= FileSink.writeSize, let error = writeBuffered() { return error }
            if full { handOver() }
        }
        return nil
    }

    /// Writes out what is buffered and queues it for hashing (the end of an attempt). On failure
    /// returns the errno (the attempt fails, so the digest no longer matters).
    func flushBuffer() -> Int32? {
        if let error = writeBuffered() { return error }
        handOver()
        return nil
    }

    /// Writes the buffered bytes not yet written. On failure returns the errno.
    private func writeBuffered() -> Int32? {
        guard buffered > written else { return nil }
        let start = written
        written = buffered
        return writeAll(UnsafeRawPointer(buffers.current + start), count: buffered - start)
    }

    /// Queues the (written) current buffer for hashing and starts on the other.
    private func handOver() {
        guard buffered > 0 else { return }
        buffers.hashCurrent(count: buffered)
        buffered = 0
        written = 0
    }

    /// Flushes and `fsync`s; returns the lowercase hex SHA-256 of the bytes appended since the
    /// last truncate.
    /// - Throws: `DownloadError(.localFault)`.
    func finish() throws(DownloadError) -> String {
        if let error = flushBuffer() { throw FileSink.fault("write", path, error) }
        while fsync(fd) != 0 {
            let error = errno
            if error != EINTR { throw FileSink.fault("fsync", path, error) }
        }
        return Hex.encode(buffers.finish())
    }

    /// Builds the `.localFault` error for a failed call.
    static func fault(_ call: String, _ path: String, _ error: Int32) -> DownloadError {
        DownloadError(.localFault, "\(call) \(path): \(String(cString: strerror(error))) (errno \(error))")
    }

    private func writeAll(_ bytes: UnsafeRawPointer, count: Int) -> Int32? {
        if let injected = ScratchWriteFault.fault(for: path) { return injected }
        var offset = 0
        while offset < count {
            let written = write(fd, bytes + offset, count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if written == 0 { return EIO }
            offset += written
        }
        writeback.appended(count, to: fd)
        return nil
    }
}
