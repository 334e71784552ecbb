import Dispatch
import IngestCrypto

/// Two buffers and the body's SHA-256, computed on a thread of its own: while the transfer's
/// thread fills one buffer (and writes it to the file, in `FileSink.writeSize` pieces), the other
/// is hashed. Large buffers (1 MiB), so that the hand-overs, each a thread wake-up, are few.
///
/// Why: SHA-256 of a body costs about as much CPU as receiving and writing it (`perf` of a 500 MB
/// download: 49 % of the process in libcrypto, 47 % in the kernel), so on the transfer's thread it
/// held the download to about two thirds of `curl -o`'s rate. With SHA-NI it runs at ~1.5 GB/s,
/// faster than the loopback transfer, so off that thread it costs no wall time on a machine with a
/// core to spare.
///
/// Invariant: the current buffer is never being hashed (its semaphore is taken), so the transfer's
/// thread may fill it; the other is free or queued for hashing. `hasher` is touched only on `queue`.
final class DoubleBufferedHasher: @unchecked Sendable {
    /// Bytes per buffer.
    let capacity: Int
    /// Buffers.
    static let count = 2
    private let buffers: [UnsafeMutableRawPointer]
    /// `free[i]` is signalled when buffer `i` has been hashed. Made with value 0 (and signalled for
    /// the spare buffer) because libdispatch traps when a semaphore is freed below its initial value.
    private let free: [DispatchSemaphore]
    private let queue = DispatchQueue(label: "video-ingest.download-digest")
    private var hasher = SHA256Hasher()
    private var index = 0

    init(capacity: Int) {
        self.capacity = capacity
        buffers = (0..<Self.count).map { _ in .allocate(byteCount: capacity, alignment: 64) }
        free = (0..<Self.count).map { _ in DispatchSemaphore(value: 0) }
        free.dropFirst().forEach { $0.signal() }
    }

    deinit {
        // No hashing task is left: each holds a reference to self.
        buffers.forEach { $0.deallocate() }
    }

    /// The buffer the transfer's thread fills.
    var current: UnsafeMutableRawPointer { buffers[index] }

    /// Queues the first `count` bytes of the current buffer for hashing (in order, after every
    /// earlier buffer), then makes the other buffer current once its own hashing is done.
    func hashCurrent(count: Int) {
        let filled = index
        queue.async { [self] in
            hasher.update(UnsafeRawBufferPointer(start: buffers[filled], count: count))
            free[filled].signal()
        }
        index = (filled + 1) % Self.count
        free[index].wait()
    }

    /// The digest of every buffer queued since the last `restart`, once all are hashed; the hasher
    /// starts over afterwards.
    func finish() -> [UInt8] { queue.sync { hasher.finish() } }

    /// Forgets what was queued (a new attempt): waits for the hashing in progress, then starts over.
    func restart() { queue.sync { hasher = SHA256Hasher() } }
}
