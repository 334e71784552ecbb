import CPostgres
import Foundation

/// A transaction's isolation level (PostgreSQL's `BEGIN ISOLATION LEVEL …`).
enum PGIsolation: String {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

/// Owns one libpq connection (`PGconn*`), closed with `PQfinish` in `deinit`.
///
/// Not thread-safe by itself: its owner (`PostgresVideoStore`, `PGListener`) serializes every use.
/// Every statement goes through `PQexecParams` with text parameters (`$1`, `$2`, …), so no
/// value is ever spliced into SQL. A connection that broke (the server restarted, the network
/// cut) is reset (`PQreset`) at its next use; a statement that fails because the server is gone
/// throws `StoreError(.unavailable)`, which the daemon retries.
final class PGConnection {
    let handle: OpaquePointer
    /// How many times the connection was re-established (`PQreset`) after it broke.
    private(set) var resets = 0

    /// Connects with libpq's URI `url` (`postgresql://user@host:port/db?…`). The password comes
    /// from `PGPASSWORD` or `~/.pgpass` as libpq finds it, or from the first line of
    /// `passwordFile` when given. Throws `.unavailable` when the server cannot be reached or
    /// refuses the login, `.misuse` for a URL libpq cannot parse.
    init(url: String, passwordFile: String? = nil) throws {
        var keys = ["connect_timeout", "application_name", "dbname"]
        var values = ["5", "video-ingest", url]
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw StoreError(.misuse, "cannot read the store's password file \(passwordFile)")
            }
            keys.append("password")
            values.append(String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""))
        }
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &error) else {
            let detail = error.map { String(cString: $0).trimmingTrailingNewlines } ?? "not a connection string"
            PQfreemem(error)
            throw StoreError(.misuse, "store.url is not a libpq connection URI: \(detail)")
        }
        PQconninfoFree(options)
        let connection = Self.withCStrings(keys) { keyPointers in
            Self.withCStrings(values) { valuePointers in PQconnectdbParams(keyPointers, valuePointers, 1) }
        }
        guard let connection else { throw StoreError(.unavailable, "libpq could not allocate a connection") }
        handle = connection
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PGError.unavailable(handle, context: "connect to \(Self.redacted(url))")
        }
    }

    deinit {
        PQfinish(handle)
    }

    /// `postgresql://user@host:port/db` of this connection: no password, for logs.
    var location: String {
        func text(_ value: UnsafeMutablePointer<CChar>?) -> String { value.map { String(cString: $0) } ?? "" }
        return "postgresql://\(text(PQuser(handle)))@\(text(PQhost(handle))):\(text(PQport(handle)))/\(text(PQdb(handle)))"
    }

    /// Whether libpq considers the connection usable.
    var isUsable: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Re-establishes a broken connection; throws `.unavailable` when the server is still away.
    func ensureConnected() throws {
        guard PQstatus(handle) == CONNECTION_BAD else { return }
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else { throw PGError.unavailable(handle, context: "reconnect") }
        resets += 1
    }

    /// Runs one statement with `params` bound to `$1…$n` as text (NULL for `.null`) and returns
    /// its result. Throws the mapped `StoreError` when the statement fails.
    @discardableResult
    func execute(_ sql: String, _ params: [SQLValue] = []) throws -> PGResult {
        try ensureConnected()
        let texts: [String?] = params.map(Self.text)
        let raw: OpaquePointer? = Self.withOptionalCStrings(texts) { pointers in
            PQexecParams(handle, sql, Int32(texts.count), nil, pointers, nil, nil, 0)
        }
        guard let raw else { throw PGError.unavailable(handle, context: "send \(Self.summary(sql))") }
        let result = PGResult(raw)
        switch result.status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK: return result
        default: throw PGError.from(result, connection: handle, context: Self.summary(sql))
        }
    }

    /// Runs a script of several statements that take no parameters (a migration), with `PQexec`.
    func executeScript(_ sql: String) throws {
        try ensureConnected()
        guard let raw = PQexec(handle, sql) else { throw PGError.unavailable(handle, context: "send a script") }
        let result = PGResult(raw)
        guard result.status == PGRES_COMMAND_OK || result.status == PGRES_TUPLES_OK else {
            throw PGError.from(result, connection: handle, context: "script")
        }
    }

    /// Runs a statement and returns how many rows it changed.
    @discardableResult
    func run(_ sql: String, _ params: [SQLValue] = []) throws -> Int {
        try execute(sql, params).affectedRows
    }

    /// Runs `body` in one transaction at `isolation`, committing when it returns and rolling back
    /// when it throws. A serialization failure or deadlock (40001/40P01), or a unique violation
    /// when `retryOnConstraint` (an insert that lost a race re-reads what won), runs the whole
    /// transaction again, up to `attempts` times with a short random backoff. A connection found
    /// broken at BEGIN (nothing sent yet) is reset and the transaction tried once more.
    func transaction<T>(_ isolation: PGIsolation, attempts: Int = 20, retryOnConstraint: Bool = false,
                        _ body: () throws -> T) throws -> T {
        var attempt = 0
        var reconnected = false
        while true {
            attempt += 1
            do {
                try execute("BEGIN ISOLATION LEVEL \(isolation.rawValue)")
            } catch let error as StoreError where error.code == .unavailable && !reconnected {
                reconnected = true
                attempt -= 1
                continue
            }
            do {
                let value = try body()
                try execute("COMMIT")
                return value
            } catch let error as StoreError {
                if isUsable { _ = try? execute("ROLLBACK") }
                let retriable = error.code == .serialization || (retryOnConstraint && error.code == .constraint)
                guard retriable, attempt < attempts else { throw error }
                usleep(UInt32.random(in: 200...(UInt32(min(attempt, 10)) * 2_000)))
            } catch {
                if isUsable { _ = try? execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// Waits for the session-level advisory lock `key` (held until `advisoryUnlock` or the session ends).
    func advisoryLock(_ key: Int64) throws {
        try execute("SELECT pg_advisory_lock($1)", [.integer(key)])
    }

    /// Takes the session-level advisory lock `key` if no other session holds it; returns whether it did.
    func tryAdvisoryLock(_ key: Int64) throws -> Bool {
        try execute("SELECT pg_try_advisory_lock($1)", [.integer(key)]).bool(0, 0)
    }

    /// Releases the session-level advisory lock `key`.
    func advisoryUnlock(_ key: Int64) throws {
        try execute("SELECT pg_advisory_unlock($1)", [.integer(key)])
    }

    /// A parameter's text form (`nil` is SQL NULL). Booleans travel as 0/1, which PostgreSQL reads as false/true.
    private static func text(_ value: SQLValue) -> String? {
        switch value {
        case .null: return nil
        case .integer(let v): return String(v)
        case .real(let v): return "\(v)"
        case .text(let v): return v
        }
    }

    /// The statement's first line, for error messages.
    private static func summary(_ sql: String) -> String {
        let line = sql.split(separator: "\n").first.map(String.init) ?? sql
        return line.trimmingCharacters(in: .whitespaces)
    }

    /// `url` without its password (`postgresql://user:secret@host` → `postgresql://user@host`).
    static func redacted(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.range(of: "://"), scheme.upperBound < at else { return url }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + String(url[at...])
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { UnsafePointer(strdup($0)) } + [nil]
        defer { copies.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        return copies.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    private static func withOptionalCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        let copies: [UnsafePointer<CChar>?] = strings.map { $0.map { UnsafePointer(strdup($0)) } }
        defer { copies.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        return copies.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
