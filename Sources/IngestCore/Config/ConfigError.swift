/// Why a config file cannot be used: one message per problem, each naming the key's path.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// The file that was read (nil for text given directly).
    public var path: String?
    /// Every problem found, e.g. `download.timeoutSeconds must be a number greater than 0`.
    public var problems: [String]

    public var description: String {
        let prefix = path.map { "invalid config \($0): " } ?? "invalid config: "
        return prefix + problems.joined(separator: "; ")
    }
}
