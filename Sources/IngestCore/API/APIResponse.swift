import Foundation
import IngestHTTP

/// The answers of the API: JSON documents and the one error envelope of CONTRACT section 8
/// (`{"errors": [{"code", "message", "field"}]}`) for every status that is not 2xx.
enum APIResponse {
    /// A JSON answer.
    static func json(_ status: Int, _ document: JSONValue, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers,
                     body: .bytes(Data(document.compactBytes + [UInt8(ascii: "\n")])))
    }

    /// An error of the API's own codes.
    static func error(_ code: APIErrorCode, message: String? = nil, headers: [(String, String)] = []) -> HTTPResponse {
        json(code.status, RequestError.document([RequestError(api: code, message: message)]), headers: headers)
    }

    /// A refused request: 400 with every problem, or 409 for a reused idempotency key.
    static func rejected(_ errors: [RequestError]) -> HTTPResponse {
        let reused = errors.contains { $0.code == RequestErrorCode.idempotencyKeyReused.rawValue }
        return json(reused ? 409 : 400, RequestError.document(errors))
    }

    /// 400 with one request problem.
    static func invalid(_ code: RequestErrorCode, field: String?, message: String? = nil) -> HTTPResponse {
        rejected([RequestError(code, field: field, message: message)])
    }

    static func methodNotAllowed(_ route: Route) -> HTTPResponse {
        error(.methodNotAllowed, headers: [("Allow", route.methods.joined(separator: ", "))])
    }
}
