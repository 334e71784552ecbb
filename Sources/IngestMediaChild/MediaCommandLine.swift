import Foundation
import IngestCore

/// The command line of the media executable, `video-ingest-media` (not for people: `video-ingest`
/// runs it, with arguments it has already checked):
///   `media-child check|optimize REQUEST_JSON`, `media-child warm PARENT_PID LABEL`  the daemon's media child
///   `probe FILE [--config FILE]`, `optimize IN OUT_DIR [--config FILE]`  exec'd by `video-ingest probe|optimize`
///   `bench probe FILE --iterations N`  exec'd by `video-ingest bench probe`
/// Output and exit status are those of the `video-ingest` command (CONTRACT section 1).
package enum MediaCommandLine {
    static let usage = "usage: video-ingest-media media-child … | probe FILE [--config FILE] | optimize IN OUT_DIR [--config FILE] "
        + "| bench probe FILE --iterations N (internal: run by video-ingest)"

    /// Runs `arguments` (without the program name) and returns what to print and the exit status.
    package static func run(_ arguments: [String]) -> CommandResult {
        guard let first = arguments.first else { return usageError("expected a command") }
        if first == MediaChildCommand.name { return CommandResult(exitCode: MediaChildServer.main(Array(arguments.dropFirst())), stdout: "", stderr: "") }
        guard let (words, options) = split(Array(arguments.dropFirst())) else { return usageError("an option without a value") }
        switch (first, words.count) {
        case ("probe", 1):
            return MediaFileCommands.probe(file: words[0], configPath: options["config"])
        case ("optimize", 2):
            return MediaFileCommands.optimize(input: words[0], outputDirectory: words[1], configPath: options["config"])
        case ("bench", 2) where words[0] == "probe":
            guard let iterations = Int(options["iterations"] ?? ""), iterations > 0 else { return usageError("bench probe needs --iterations N") }
            return MediaBenchCommands.probe(file: words[1], iterations: iterations)
        default:
            return usageError("unknown command '\(arguments.joined(separator: " "))'")
        }
    }

    /// The positional words and the `--name value` options.
    private static func split(_ arguments: [String]) -> ([String], [String: String])? {
        var words: [String] = [], options: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word.hasPrefix("--") {
                guard index + 1 < arguments.count else { return nil }
                options[String(word.dropFirst(2))] = arguments[index + 1]
                index += 2
            } else {
                words.append(word)
                index += 1
            }
        }
        return (words, options)
    }

    private static func usageError(_ message: String) -> CommandResult {
        CommandResult(exitCode: 2, stdout: "", stderr: "video-ingest-media: \(message)\n\(usage)\n")
    }
}
