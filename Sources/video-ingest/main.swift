import Foundation
import IngestCore

/// video-ingest: parses the command line and calls the library; nothing else happens here.
let overview = """
    video-ingest: downloads, checks, optimizes and publishes product videos from a drop folder.

    Usage: video-ingest COMMAND [OPTIONS]   (video-ingest COMMAND --help for each)

    Commands:
    \(commands.map { "  " + $0.name.padding(toLength: 10, withPad: " ", startingAt: 0) + $0.summary }.joined(separator: "\n"))

    Exit status: 0 success; 2 invalid arguments or a request that fails validation (error JSON on
    stdout); 1 anything else (a one-line reason on stderr).
    """

func emit(_ result: CommandResult) -> Never { result.emit() }

func usageFailure(_ message: String, usage: String) -> Never {
    let error = JSONValue.object([("errors", .array([.object([
        ("code", .string("invalid_arguments")), ("message", .string(message)), ("field", .null),
    ])]))])
    emit(CommandResult(exitCode: 2, stdout: error.pretty + "\n", stderr: "video-ingest: \(message)\nusage: \(usage)\n"))
}

// Every file the service creates (status files, receipts, the SQLite store, renditions written by
// FFmpeg, downloads) is 0640 and every folder 0750, whatever umask it was started with (docs/SECURITY.md).
umask(0o027)

let argv = Array(CommandLine.arguments.dropFirst())
guard let first = argv.first else { emit(CommandResult(exitCode: 2, stdout: "", stderr: overview + "\n")) }
if first == "--help" || first == "-h" || first == "help" { emit(CommandResult(exitCode: 0, stdout: overview + "\n", stderr: "")) }
guard let command = commands.first(where: { $0.name == first }) ?? hiddenCommands.first(where: { $0.name == first }) else {
    usageFailure("unknown command '\(first)'", usage: "video-ingest COMMAND [OPTIONS]; see video-ingest --help")
}
do {
    let args = try ParsedArguments(Array(argv.dropFirst()), options: command.options, flags: command.flags)
    if args.wantsHelp {
        emit(CommandResult(exitCode: 0, stdout: "\(command.summary)\n\nUsage: \(command.usage)\n", stderr: ""))
    }
    emit(try command.run(args))
} catch {
    usageFailure(error.message, usage: command.usage)
}
