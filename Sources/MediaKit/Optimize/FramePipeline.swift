import CFFmpeg
import Foundation

/// A bounded hand-off of decoded video frames from the demux/decode thread to a thread of its own that scales and
/// encodes them, so decoding the next frames overlaps with scaling and encoding the last ones. Frames are passed
/// as new references to the decoder's buffers (no pixel copy). The first error of the consumer stops the
/// producer at its next `put`; `finish` waits for the consumer and rethrows that error.
final class FramePipeline: @unchecked Sendable {
    /// False when the environment sets `VIDEO_INGEST_SERIAL_ENCODE=1`: a diagnostic switch for A/B timings
    /// (`Benchmarks/run`'s notes), which then decodes, scales and encodes on one thread as before.
    static let isEnabled: Bool = ProcessInfo.processInfo.environment["VIDEO_INGEST_SERIAL_ENCODE"] != "1"

    /// Frames waiting before `put` blocks, by default. Each queued frame pins one of the decoder's picture buffers
    /// (3.1 MB at 1080p), so the decoder's pool grows by the queue's depth: a depth of 6 cost ~19 MB of RSS per
    /// transcoding child (massif: the pool's `avcodec_default_get_buffer2` held 31.4 MB, ffmpeg's 12.6 MB). The
    /// encode side is the slower one (libx264 + swscale ~65 % of the CPU, decoding ~28 %), so the queue is nearly
    /// always full and its depth buys no speed: interleaved runs on 2 cores gave the same wall time for depths 1, 2,
    /// 3 and 6. `VideoTranscoder` asks for one frame per decoding thread (a frame-threaded decoder hands frames
    /// over in bursts of up to its thread count).
    static let defaultCapacity = 1

    private let condition = NSCondition()
    private let capacity: Int
    private let consume: (UnsafeMutablePointer<AVFrame>, Int64) throws -> Void
    private var queue: [(frame: Frame, pts: Int64)] = []
    private var closed = false
    private var consumerDone = false
    private var failure: Error?

    /// Starts the consumer thread, which calls `consume(frame, pts)` for every frame in order; throws when that
    /// thread cannot be started (`MediaThread`).
    init(capacity: Int = FramePipeline.defaultCapacity, consume: @escaping (UnsafeMutablePointer<AVFrame>, Int64) throws -> Void) throws {
        self.capacity = max(1, capacity)
        self.consume = consume
        try MediaThread.start(name: "media-encode") { [self] in self.run() }
    }

    /// Queues a new reference to `frame` with output timestamp `pts`; blocks while the queue is full.
    /// Throws the consumer's error once it has failed.
    func put(_ frame: UnsafePointer<AVFrame>, pts: Int64) throws {
        let reference = try Frame(referencing: frame)
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity && failure == nil && !consumerDone { condition.wait() }
        if let failure { throw failure }
        guard !closed, !consumerDone else { throw MediaError(.encodeFailed, "the encode thread has stopped") }
        queue.append((reference, pts))
        condition.broadcast()
    }

    /// No more frames: waits until the consumer has handled every queued frame, then rethrows its error, if any.
    func finish() throws {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while !consumerDone { condition.wait() }
        if let failure { throw failure }
    }

    /// Stops without handling the frames still queued and waits for the consumer (for error paths); idempotent.
    func abandon() {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        queue.removeAll()
        if failure == nil { failure = MediaError(.cancelled, "abandoned") }
        condition.broadcast()
        while !consumerDone { condition.wait() }
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty || failure != nil {
                consumerDone = true
                queue.removeAll()
                condition.broadcast()
                condition.unlock()
                return
            }
            let item = queue.removeFirst()
            condition.broadcast()
            condition.unlock()
            do {
                try consume(item.frame.pointer, item.pts)
            } catch {
                condition.lock()
                if failure == nil { failure = error }
                condition.broadcast()
                condition.unlock()
            }
        }
    }
}
