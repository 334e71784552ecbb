import Foundation

/// Starts the optimizer's own threads (the encode thread, the fast path's poster) and fails when one cannot be
/// started. Foundation's `Thread.start()` says nothing when `pthread_create` fails (under the media child's
/// `RLIMIT_AS` the thread's stack cannot be mapped): the decode thread then waited forever for an encode thread
/// that never ran, until the child's wall-clock deadline. The error carries `AVERROR(EAGAIN)`-style codes
/// (`averror` = -errno), which the daemon's `MemoryExhaustion` reads as running out of memory.
enum MediaThread {
    /// Runs `body` on a new detached thread with a stack of `stackSize` bytes; `name` says which in the error.
    static func start(name: String, stackSize: Int = 8 << 20, _ body: @escaping () -> Void) throws {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let work = Unmanaged.passRetained(Work(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { raw in
            let work = Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue()
            work.body()
            return nil
        }, work)
        guard result == 0 else {
            Unmanaged<Work>.fromOpaque(work).release()
            let code: Int32 = result
            let reason = String(cString: strerror(code)) + (code == EAGAIN || code == ENOMEM ? " (out of memory)" : "")
            throw MediaError(.encodeFailed, "cannot start the \(name) thread: \(reason)", call: "pthread_create", averror: -code)
        }
    }

    /// What the new thread runs, handed over through `pthread_create`'s argument.
    private final class Work {
        let name: String
        let body: () -> Void
        init(name: String, body: @escaping () -> Void) {
            self.name = name
            self.body = body
        }
    }
}
