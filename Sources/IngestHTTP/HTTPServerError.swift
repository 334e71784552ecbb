/// Why the HTTP server could not start (the one error type of this layer).
public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    public let message: String
    /// The failed C call, where there was one.
    public let call: String?
    public let errno: Int32?

    public init(_ message: String, call: String? = nil, errno: Int32? = nil) {
        self.message = message
        self.call = call
        self.errno = errno
    }

    public var description: String {
        var text = message
        if let call { text += " (\(call)" + (errno.map { ": " + String(cString: strerror($0)) } ?? "") + ")" }
        return text
    }
}

#if canImport(Glibc)
import Glibc
#endif
