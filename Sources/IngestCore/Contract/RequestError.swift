/// One problem with a request, as it appears in a receipt's `errors` array.
public struct RequestError: Error, Sendable, Equatable {
    public var code: String
    public var message: String
    /// The request field the problem is about; nil where none applies.
    public var field: String?

    public init(_ code: RequestErrorCode, field: String?, message: String? = nil) {
        self.code = code.rawValue
        self.message = message ?? code.message
        self.field = field
    }

    /// An HTTP API error (CONTRACT section 8); `field` is null.
    public init(api code: APIErrorCode, message: String? = nil) {
        self.code = code.rawValue
        self.message = message ?? code.message
        self.field = nil
    }

    /// The receipt/error JSON object of one problem.
    public var json: JSONValue {
        .object([("code", .string(code)), ("message", .string(message)), ("field", .string(field))])
    }

    /// The `{"errors": [...]}` document listing every problem.
    public static func document(_ errors: [RequestError]) -> JSONValue {
        .object([("errors", .array(errors.map(\.json)))])
    }
}

/// A refused request: every problem found, not only the first.
public struct RequestRejection: Error, Sendable, Equatable {
    public var errors: [RequestError]
    public init(_ errors: [RequestError]) { self.errors = errors }
    /// The `{"errors": [...]}` receipt.
    public var document: JSONValue { RequestError.document(errors) }
}
