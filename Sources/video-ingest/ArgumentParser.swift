/// A hand-written argument parser: `--flag VALUE` or `--flag=VALUE` options, `--help`, and
/// positional arguments. Unknown flags and missing values are errors with a clear message.
struct ParsedArguments: Sendable {
    var options: [String: String] = [:]
    var positionals: [String] = []
    var wantsHelp = false
    /// The value-less flags given (`--connect`).
    var flags: Set<String> = []

    /// Parses `arguments` against the option names (and value-less flags) the command takes.
    init(_ arguments: [String], options allowed: Set<String>, flags allowedFlags: Set<String> = []) throws(UsageError) {
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            if arg == "--help" || arg == "-h" {
                wantsHelp = true
            } else if arg == "--" {
                positionals.append(contentsOf: arguments[(i + 1)...])
                break
            } else if arg.hasPrefix("--") {
                var name = String(arg.dropFirst(2))
                var value: String?
                if let eq = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                if allowedFlags.contains(name) && value == nil {
                    flags.insert(name)
                    i += 1
                    continue
                }
                guard allowed.contains(name) else { throw UsageError("unknown option --\(name)") }
                if value == nil {
                    guard i + 1 < arguments.count else { throw UsageError("--\(name) needs a value") }
                    i += 1
                    value = arguments[i]
                }
                guard options[name] == nil else { throw UsageError("--\(name) given twice") }
                options[name] = value
            } else if arg.hasPrefix("-") && arg.count > 1 {
                throw UsageError("unknown option \(arg)")
            } else {
                positionals.append(arg)
            }
            i += 1
        }
    }

    /// A whole-number option within `range`, or `defaultValue` when absent.
    func int(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = options[name] else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// Exactly `count` positional arguments.
    func positionals(_ count: Int, _ what: String) throws(UsageError) -> [String] {
        guard positionals.count == count else { throw UsageError("expected \(what)") }
        return positionals
    }
}

/// A command line that cannot be run as given (exit status 2).
struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
