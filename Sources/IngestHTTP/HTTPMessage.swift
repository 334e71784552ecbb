import Foundation

/// A request's line and headers, as they arrived; the handler decides from these alone what to
/// do with the body (`BodyPlan`).
public struct RequestHead: Sendable {
    /// The method, as sent (`GET`, `POST`, …).
    public let method: String
    /// The path as sent, every `%XX` escape kept (decode segments with `PercentDecoding`).
    public let rawPath: String
    /// The query's name/value pairs, escapes kept; a name without `=` has the value "".
    public let rawQuery: [(name: String, value: String)]
    /// Header values by lowercased name; repeated headers are joined with ", ".
    public let headers: [String: String]
    /// The peer's numeric address.
    public let clientAddress: String
    /// The client's `X-Request-Id` when it is 1-128 visible ASCII characters, otherwise a new one.
    public let requestId: String
    /// The size of the header fields as sent (each `name: value` and its line end).
    public let headerBytes: Int

    public init(method: String, rawPath: String, rawQuery: [(name: String, value: String)], headers: [String: String],
                clientAddress: String, requestId: String, headerBytes: Int = 0) {
        self.method = method
        self.rawPath = rawPath
        self.rawQuery = rawQuery
        self.headers = headers
        self.clientAddress = clientAddress
        self.requestId = requestId
        self.headerBytes = headerBytes
    }

    /// A header's value by case-insensitive name.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The client's request id when it is valid (1-128 characters from `!` to `~`), else nil.
    public static func validRequestId(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count), value.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else { return nil }
        return value
    }
}

/// What the handler wants done with a request's body.
public enum BodyPlan: Sendable {
    /// No body is expected; bytes that come anyway are discarded.
    case none
    /// The body is collected in memory, at most `maxBytes` (more: `HTTPRequest.bodyTooLarge`).
    case buffer(maxBytes: Int)
    /// `multipart/form-data`: text fields in memory, the file part streamed to a file.
    case multipart(MultipartPlan)
    /// Answered at once; the body is not read.
    case respond(HTTPResponse)
}

/// Limits and place of a streamed `multipart/form-data` body.
public struct MultipartPlan: Sendable {
    /// The one part that is a file (`video`).
    public var fileField: String
    /// Folder of the temporary file (`.upload-<random>.part`); removed after the request unless
    /// the handler moved it.
    public var directory: String
    public var maxFileBytes: Int64
    /// All text fields together.
    public var maxFieldBytes: Int

    public init(fileField: String, directory: String, maxFileBytes: Int64, maxFieldBytes: Int) {
        self.fileField = fileField
        self.directory = directory
        self.maxFileBytes = maxFileBytes
        self.maxFieldBytes = maxFieldBytes
    }
}

/// A whole request, its body read as the plan said.
public struct HTTPRequest: Sendable {
    public let head: RequestHead
    /// The buffered body (`.buffer` plans).
    public let body: Data
    /// True when a `.buffer` body was larger than its cap (the rest was discarded).
    public let bodyTooLarge: Bool
    /// The parsed multipart body (`.multipart` plans).
    public let multipart: MultipartBody?
}

/// The text fields and the streamed file of a `multipart/form-data` body.
public struct MultipartBody: Sendable {
    /// Text fields in the order they came (a repeated name appears repeatedly).
    public var fields: [(name: String, value: String)]
    /// The file part, complete and fsynced, when there was exactly one and it fit.
    public var file: UploadedFile?
    /// Why the body cannot be used, or nil; the temporary file is already gone then.
    public var problem: MultipartProblem?
}

/// The file part of an upload, on disk.
public struct UploadedFile: Sendable {
    public var fileName: String?
    public var contentType: String?
    /// The temporary file; move it elsewhere to keep it.
    public var path: String
    public var size: Int64
    /// Hex SHA-256 of the bytes.
    public var sha256: String
}

/// What can be wrong with a multipart body.
public enum MultipartProblem: Sendable, Equatable {
    case fileTooLarge
    case fieldsTooLarge
    /// More than one file part, or a file part under another name.
    case unexpectedFile(String)
    /// Not parseable as multipart (no boundary, a part header too long, a broken structure).
    case malformed
    /// The temporary file could not be written (the service's own fault).
    case writeFailed(String)
}

/// An answer.
public struct HTTPResponse: Sendable {
    /// The body: bytes in memory, or part of an open file (the server closes the descriptor).
    public enum Body: Sendable {
        case bytes(Data)
        case file(descriptor: Int32, offset: Int64, length: Int64)
    }

    public var status: Int
    public var headers: [(String, String)]
    public var body: Body

    public init(status: Int, headers: [(String, String)] = [], body: Body = .bytes(Data())) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The application behind an `HTTPServer`. Called on the server's threads; must not block for
/// long (no transcode, no download).
public protocol HTTPHandler: AnyObject, Sendable {
    /// Decides, from the head alone, how the body is read (or answers at once).
    func plan(_ head: RequestHead) -> BodyPlan
    /// Answers a request whose body has been read.
    func respond(_ request: HTTPRequest) -> HTTPResponse
    /// Called once per request when it is over: `status` is what was queued (0 when nothing
    /// was), `completed` false when the connection broke or timed out first.
    func finished(_ head: RequestHead, status: Int, seconds: Double, completed: Bool)
}
