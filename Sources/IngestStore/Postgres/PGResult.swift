import CPostgres

/// Owns one `PGresult*` (the rows or the outcome of one statement), freed with `PQclear` in `deinit`.
///
/// Every value arrives as text (the store sends and reads the text format); the typed getters
/// parse it. Row and column numbers are 0-based.
final class PGResult {
    let handle: OpaquePointer

    /// Takes ownership of `handle`.
    init(_ handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        PQclear(handle)
    }

    /// `PQresultStatus`.
    var status: ExecStatusType { PQresultStatus(handle) }

    /// How many rows came back.
    var rowCount: Int { Int(PQntuples(handle)) }

    /// How many rows an INSERT, UPDATE or DELETE changed (`PQcmdTuples`; 0 for other statements).
    var affectedRows: Int {
        guard let text = PQcmdTuples(handle) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    /// The server's SQLSTATE for a failed statement ("" when there is none, e.g. a broken connection).
    var sqlState: String { field(CPostgres_DIAG_SQLSTATE()) ?? "" }

    /// The server's primary message for a failed statement.
    var errorMessage: String {
        guard let text = PQresultErrorMessage(handle) else { return "" }
        return String(cString: text).trimmingTrailingNewlines
    }

    /// The name of the violated constraint, if any.
    var constraintName: String? { field(CPostgres_DIAG_CONSTRAINT_NAME()) }

    private func field(_ code: Int32) -> String? {
        guard let text = PQresultErrorField(handle, code) else { return nil }
        return String(cString: text)
    }

    /// True when the value at (`row`, `column`) is SQL NULL.
    func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(column)) == 1 }

    /// The value as text, or nil for NULL.
    func optionalString(_ row: Int, _ column: Int) -> String? {
        guard !isNull(row, column), let value = PQgetvalue(handle, Int32(row), Int32(column)) else { return nil }
        return String(cString: value)
    }

    /// The value as text ("" for NULL).
    func string(_ row: Int, _ column: Int) -> String { optionalString(row, column) ?? "" }

    /// The value as a 64-bit integer, or nil for NULL (or text that is not an integer).
    func optionalInt64(_ row: Int, _ column: Int) -> Int64? { optionalString(row, column).flatMap { Int64($0) } }

    /// The value as a 64-bit integer (0 for NULL).
    func int64(_ row: Int, _ column: Int) -> Int64 { optionalInt64(row, column) ?? 0 }

    /// The value as a double, or nil for NULL.
    func optionalDouble(_ row: Int, _ column: Int) -> Double? { optionalString(row, column).flatMap { Double($0) } }

    /// A `boolean` value (`t`), false for NULL.
    func bool(_ row: Int, _ column: Int) -> Bool { optionalString(row, column) == "t" }
}

extension String {
    /// The text without the newlines libpq ends its messages with.
    var trimmingTrailingNewlines: String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
