import Foundation
import IngestStore

/// A few store connections for the API's threads, so that requests read in parallel and never
/// wait on the pipeline's connection. Each is a `VideoStore` (one SQLite connection each).
final class StorePool: @unchecked Sendable {
    private let condition = NSCondition()
    private var free: [VideoStore]

    init(path: String, count: Int) throws {
        free = try (0..<max(1, count)).map { _ in try VideoStore(path: path) }
    }

    /// Runs `body` with a connection of its own.
    func with<T>(_ body: (VideoStore) throws -> T) throws -> T {
        condition.lock()
        while free.isEmpty { condition.wait() }
        let store = free.removeLast()
        condition.unlock()
        defer {
            condition.lock()
            free.append(store)
            condition.signal()
            condition.unlock()
        }
        return try body(store)
    }
}
