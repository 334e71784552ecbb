import CPostgres

/// How libpq's failures become the store's one error type, `StoreError`.
///
/// A broken connection (no SQLSTATE, or class 08 / 57P0x: the server shut down or is starting)
/// is `.unavailable`, which the daemon retries; 40001/40P01 (serialization failure, deadlock) is
/// `.serialization`, which `PGConnection.transaction` retries first; class 23 is `.constraint`;
/// 53xxx (disk full, out of memory, too many connections) is `.full`.
enum PGError {
    /// The error for a failed statement's result on `connection`.
    static func from(_ result: PGResult, connection: OpaquePointer, context: String) -> StoreError {
        let state = result.sqlState
        var message = result.errorMessage
        if message.isEmpty, let text = PQerrorMessage(connection) { message = String(cString: text).trimmingTrailingNewlines }
        let broken = PQstatus(connection) == CONNECTION_BAD
        return StoreError(code(sqlState: state, connectionBroken: broken), "\(context): \(message)\(state.isEmpty ? "" : " [\(state)]")")
    }

    /// The error for a connection that failed or broke outside a statement.
    static func unavailable(_ connection: OpaquePointer?, context: String) -> StoreError {
        var message = "no connection"
        if let connection, let text = PQerrorMessage(connection) { message = String(cString: text).trimmingTrailingNewlines }
        return StoreError(.unavailable, "\(context): \(message)")
    }

    /// The `StoreError.Code` for a SQLSTATE.
    static func code(sqlState: String, connectionBroken: Bool) -> StoreError.Code {
        if connectionBroken || sqlState.isEmpty { return .unavailable }
        switch sqlState {
        case "40001", "40P01": return .serialization
        case "57P01", "57P02", "57P03": return .unavailable
        case "55P03": return .busy
        default: break
        }
        switch sqlState.prefix(2) {
        case "08": return .unavailable
        case "23": return .constraint
        case "53": return .full
        case "58": return .io
        case "XX": return .corrupt
        case "42", "22": return .misuse
        default: return .other
        }
    }
}
