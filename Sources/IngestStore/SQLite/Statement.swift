import CSQLite

/// A value bound to a statement parameter.
enum SQLValue {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    /// `.text`, or `.null` for nil.
    static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    /// `.real`, or `.null` for nil.
    static func real(_ value: Double?) -> SQLValue { value.map { .real($0) } ?? .null }
    /// `.integer(1)` or `.integer(0)`.
    static func bool(_ value: Bool) -> SQLValue { .integer(value ? 1 : 0) }
}

/// Owns one prepared `sqlite3_stmt*`, finalized in `deinit`.
///
/// Statements are cached by `Database`; `Database.query`/`run` bind, step and
/// reset them so that no statement stays active between uses.
final class Statement {
    let handle: OpaquePointer
    private let db: OpaquePointer
    let sql: String

    /// Prepares `sql` on `db` for repeated use.
    init(db: OpaquePointer, sql: String) throws {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            sqlite3_finalize(stmt)
            throw StoreError.sqlite(rc, db: db, context: "prepare \(sql)")
        }
        self.handle = stmt
        self.db = db
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds `values` to parameters 1...n.
    func bind(_ values: [SQLValue]) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
            case .real(let v): rc = sqlite3_bind_double(handle, index, v)
            case .text(let v): rc = sqlite3_bind_text(handle, index, v, -1, CSQLite_TRANSIENT())
            }
            guard rc == SQLITE_OK else { throw StoreError.sqlite(rc, db: db, context: "bind \(index) of \(sql)") }
        }
    }

    /// Steps once: true when a row is available, false when the statement is done.
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw StoreError.sqlite(rc, db: db, context: "step \(sql)")
        }
    }

    /// Resets the statement and clears its bindings, ready for the next use.
    func reset() {
        _ = sqlite3_reset(handle)
        _ = sqlite3_clear_bindings(handle)
    }
}

/// The current row of a stepping statement; valid only inside the row callback.
struct Row {
    let handle: OpaquePointer

    /// True when column `i` is NULL.
    func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }

    /// Column `i` as a 64-bit integer (0 for NULL).
    func int64(_ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }

    /// Column `i` as an integer, or nil for NULL.
    func optionalInt64(_ i: Int32) -> Int64? { isNull(i) ? nil : int64(i) }

    /// Column `i` as a double, or nil for NULL.
    func optionalDouble(_ i: Int32) -> Double? { isNull(i) ? nil : sqlite3_column_double(handle, i) }

    /// Column `i` as text ("" for NULL).
    func string(_ i: Int32) -> String { optionalString(i) ?? "" }

    /// Column `i` as text, or nil for NULL.
    func optionalString(_ i: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, i) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, i))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}
