import Foundation

/// The PostgreSQL server of one test process: started by the first test that asks, stopped when
/// the process exits (`PostgresReaper`). Every test takes a database of its own from it
/// (`createDatabase()`). A server that cannot start fails every test that asks (never a skip).
public enum SharedPostgres {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var result: Result<PostgresServer, Error>?

    /// The shared server, started on first use.
    public static func server() throws -> PostgresServer {
        try lock.withLock {
            if result == nil { result = Result { try PostgresServer() } }
            return try result!.get()
        }
    }
}
