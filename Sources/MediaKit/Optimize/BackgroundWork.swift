import Foundation

/// Runs one blocking piece of media work on a thread of its own; `wait` returns its result or rethrows its error.
/// Used to take the fast path's poster while the remux runs (they read the source through separate demuxers).
final class BackgroundWork<Result>: @unchecked Sendable {
    private let condition = NSCondition()
    private var outcome: Swift.Result<Result, Error>?
    private let body: () throws -> Result

    /// Starts `body` at once; throws when its thread cannot be started (`MediaThread`).
    init(name: String, _ body: @escaping () throws -> Result) throws {
        self.body = body
        try MediaThread.start(name: name) { [self] in
            let result = Swift.Result { try self.body() }
            condition.lock()
            outcome = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Blocks until the work is done; its result, or its error rethrown.
    func wait() throws -> Result {
        condition.lock()
        defer { condition.unlock() }
        while outcome == nil { condition.wait() }
        return try outcome!.get()
    }
}
