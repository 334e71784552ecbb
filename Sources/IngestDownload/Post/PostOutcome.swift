/// What one guarded POST got back (`HTTPPoster.post`).
public struct PostOutcome: Sendable, Equatable {
    /// The answer's HTTP status, when an answer came.
    public var status: Int?
    /// Why the address guard refused the receiver's address; nothing was sent.
    public var refusal: String?
    /// Why no answer came (curl's text: timeout, connection refused, …), or a local fault.
    public var error: String?
    /// True when the attempt ran out of its time limit.
    public var timedOut: Bool
    /// The start of the answer's body (at most `HTTPPoster.answerLimit` bytes), for diagnostics.
    public var answer: String

    /// True for a 2xx answer.
    public var isSuccess: Bool { status.map { (200..<300).contains($0) } ?? false }

    /// Creates an outcome.
    public init(status: Int? = nil, refusal: String? = nil, error: String? = nil, timedOut: Bool = false, answer: String = "") {
        self.status = status
        self.refusal = refusal
        self.error = error
        self.timedOut = timedOut
        self.answer = answer
    }
}
