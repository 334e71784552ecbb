import Foundation
import IngestStore

/// A few store connections for the API's threads, so that requests read in parallel and never
/// wait on the pipeline's connection. Each is an `any VideoStore` made by the opener (one
/// connection each).
final class StorePool: @unchecked Sendable {
    private let condition = NSCondition()
    private var free: [any VideoStore]

    /// Opens `count` stores (at least one) with `open`.
    init(count: Int, open: () throws -> any VideoStore) throws {
        free = try (0..<max(1, count)).map { _ in try open() }
    }

    /// Runs `body` with a connection of its own.
    func with<T>(_ body: (any VideoStore) throws -> T) throws -> T {
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
