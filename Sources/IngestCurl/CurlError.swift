import CCurl

/// The error of the IngestCurl layer: libcurl could not be set up (an option refused, no handle).
/// Transfer results are not errors here: `CurlEasy.perform` returns curl's code for the caller's
/// own layer to judge.
public struct CurlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What failed, with curl's text.
    public var message: String
    /// The `CURLcode`, when curl gave one.
    public var curlCode: Int?

    /// Creates an error.
    public init(_ message: String, code: CURLcode?) {
        self.message = message
        curlCode = code.map { Int($0.rawValue) }
    }

    public var description: String { curlCode.map { "\(message) (curl \($0))" } ?? message }
}
