/// The one error type of the media layer: what failed, in which C call, with which AVERROR code.
public struct MediaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure.
    public enum Code: String, Sendable, Codable, Equatable {
        case openFailed, noVideoStream, unsupported, decodeFailed, encodeFailed, muxFailed, verificationFailed, io, cancelled
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation (includes `av_strerror` text when there is an AVERROR).
    public var message: String
    /// The C function that failed, or "" when the failure is not from a C call.
    public var call: String
    /// The negative AVERROR code returned by `call`, when there is one.
    public var averror: Int32?

    /// Makes an error.
    public init(_ code: Code, _ message: String, call: String = "", averror: Int32? = nil) {
        self.code = code
        self.message = message
        self.call = call
        self.averror = averror
    }

    /// "code: message (call: averror)".
    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if !call.isEmpty { text += " [\(call)" + (averror.map { " = \($0)" } ?? "") + "]" }
        return text
    }
}
