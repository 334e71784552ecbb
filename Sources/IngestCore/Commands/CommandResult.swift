import Foundation

/// What a command prints and its exit status (CONTRACT section 1): 0 success; 2 invalid
/// arguments or a request that fails validation (the error JSON on stdout); 1 anything else,
/// with a one-line reason on stderr.
public struct CommandResult: Sendable {
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String

    public init(exitCode: Int32, stdout: String, stderr: String) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }

    public static func ok(_ json: JSONValue) -> CommandResult { CommandResult(exitCode: 0, stdout: json.pretty + "\n", stderr: "") }
    public static func invalid(_ errors: [RequestError]) -> CommandResult {
        CommandResult(exitCode: 2, stdout: RequestError.document(errors).pretty + "\n",
                      stderr: errors.map(\.message).joined(separator: " ") + "\n")
    }
    public static func failure(_ reason: String) -> CommandResult { CommandResult(exitCode: 1, stdout: "", stderr: "video-ingest: \(reason)\n") }
}

extension CommandResult {
    /// Prints the result (stdout, then stderr) and exits with its status.
    public func emit() -> Never {
        if !stdout.isEmpty { FileHandle.standardOutput.write(Data(stdout.utf8)) }
        if !stderr.isEmpty { FileHandle.standardError.write(Data(stderr.utf8)) }
        exit(exitCode)
    }
}
