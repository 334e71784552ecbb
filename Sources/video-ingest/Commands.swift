import IngestCore

/// One subcommand: its usage text, the options it takes, and what it runs.
struct Command: Sendable {
    let name: String
    let usage: String
    let summary: String
    let options: Set<String>
    /// Switches that take no value (`--stuck`, `--failed`, `--connect`).
    var flags: Set<String> = []
    let run: @Sendable (ParsedArguments) throws(UsageError) -> CommandResult
}

/// Every subcommand of CONTRACT section 1, plus `optimize`, a debug aid.
let commands: [Command] = [
    Command(name: "daemon", usage: "video-ingest daemon [--config FILE] [--spool DIR]",
            summary: "Runs the worker until SIGTERM/SIGINT; SIGHUP reloads the config.", options: ["config", "spool"]) { args throws(UsageError) in
        _ = try args.positionals(0, "no arguments")
        do {
            let daemon = try Daemon(configPath: args.options["config"], spool: args.options["spool"])
            return CommandResult(exitCode: try daemon.run(), stdout: "", stderr: "")
        } catch {
            return .failure("\(error)")
        }
    },
    Command(name: "enqueue", usage: "video-ingest enqueue --seller ID [--key KEY] [--spool DIR] [--config FILE] FILE.json",
            summary: "Submits a request exactly as a drop would; prints the receipt JSON.", options: ["seller", "key", "spool", "config"]) { args throws(UsageError) in
        let file = try args.positionals(1, "one request file")[0]
        guard let seller = args.options["seller"] else { throw UsageError("--seller is required") }
        return spool(args).map { $0.enqueue(sellerId: seller, key: args.options["key"], file: file) }
    },
    Command(name: "list", usage: "video-ingest list [--seller ID] [--id ID] [--status S] [--stuck] [--page N] [--size N] [--spool DIR] [--config FILE]",
            summary: "Prints the list response, newest first (--stuck: only jobs parked after repeated worker faults).",
            options: ["seller", "id", "status", "page", "size", "spool", "config"], flags: ["stuck"]) { args throws(UsageError) in
        _ = try args.positionals(0, "no positional arguments")
        let page = try args.int("page", default: 0, range: 0...Int(Int32.max))
        let size = try args.int("size", default: 10, range: 1...100)
        return spool(args).map {
            $0.list(sellerId: args.options["seller"], id: args.options["id"], status: args.options["status"], stuck: args.flag("stuck"),
                    page: page, size: size)
        }
    },
    Command(name: "retry", usage: "video-ingest retry ID [--spool DIR] [--config FILE]",
            summary: "Puts a job that stopped on repeated worker faults (list --stuck) back in the queue.", options: ["spool", "config"]) { args throws(UsageError) in
        let id = try args.positionals(1, "one video id")[0]
        return spool(args).map { $0.retry(videoId: id) }
    },
    Command(name: "status", usage: "video-ingest status ID [--spool DIR] [--config FILE]",
            summary: "Prints one video's status document.", options: ["spool", "config"]) { args throws(UsageError) in
        let id = try args.positionals(1, "one video id")[0]
        return spool(args).map { $0.status(videoId: id) }
    },
    Command(name: "approve", usage: "video-ingest approve ID [--spool DIR] [--config FILE]",
            summary: "Approves a SUCCESS video (isApproved becomes true).", options: ["spool", "config"]) { args throws(UsageError) in
        let id = try args.positionals(1, "one video id")[0]
        return spool(args).map { $0.moderate(videoId: id, .approve) }
    },
    Command(name: "reject", usage: "video-ingest reject ID [--reason TEXT] [--spool DIR] [--config FILE]",
            summary: "Rejects a video for good and releases its productContentIds.", options: ["reason", "spool", "config"]) { args throws(UsageError) in
        let id = try args.positionals(1, "one video id")[0]
        return spool(args).map { $0.moderate(videoId: id, .reject(reason: args.options["reason"])) }
    },
    Command(name: "delete", usage: "video-ingest delete ID [--spool DIR] [--config FILE]",
            summary: "Removes a video from listings, removes its media, releases its productContentIds.", options: ["spool", "config"]) { args throws(UsageError) in
        let id = try args.positionals(1, "one video id")[0]
        return spool(args).map { $0.moderate(videoId: id, .delete) }
    },
    Command(name: "webhooks", usage: "video-ingest webhooks [--failed] [--spool DIR] [--config FILE] | webhooks retry EVENT_ID [--spool DIR] [--config FILE]",
            summary: "Lists webhook deliveries and their last outcome; `retry` sends a given-up event again.",
            options: ["spool", "config"], flags: ["failed"]) { args throws(UsageError) in
        switch args.positionals.first {
        case nil:
            return spool(args).map { $0.webhooks(failedOnly: args.flag("failed")) }
        case "retry":
            let eventId = try args.positionals(2, "retry EVENT_ID")[1]
            return spool(args).map { $0.retryWebhook(eventId: eventId) }
        case let other?:
            throw UsageError("unknown webhooks subcommand '\(other)'; expected nothing or 'retry EVENT_ID'")
        }
    },
    Command(name: "store", usage: "video-ingest store migrate --to URL [--config FILE] [--spool DIR]",
            summary: "Copies the embedded SQLite store into an empty PostgreSQL database (the daemon must be stopped).",
            options: ["to", "config", "spool"]) { args throws(UsageError) in
        let words = try args.positionals(1, "'migrate'")
        guard words[0] == "migrate" else { throw UsageError("unknown store subcommand '\(words[0])'; expected 'migrate --to URL'") }
        guard let url = args.options["to"] else { throw UsageError("--to URL is required") }
        if let problem = StoreCommands.problem(withTarget: url) { throw UsageError(problem) }
        return StoreCommands.migrate(to: url, configPath: args.options["config"], spool: args.options["spool"])
    },
    Command(name: "probe", usage: "video-ingest probe FILE [--config FILE]",
            summary: "Checks a local file as the pipeline would; prints format, duration, streams and verdict.", options: ["config"]) { args throws(UsageError) in
        let file = try args.positionals(1, "one file")[0]
        return MediaExecutable.exec(["probe", file] + configArguments(args))
    },
    Command(name: "config", usage: "video-ingest config check FILE [--connect]",
            summary: "Validates a config file; --connect also makes one HEAD request on the publish.s3 bucket.",
            options: [], flags: ["connect"]) { args throws(UsageError) in
        let words = try args.positionals(2, "'check FILE'")
        guard words[0] == "check" else { throw UsageError("unknown config subcommand '\(words[0])'; expected 'check FILE'") }
        return MediaCommands.checkConfig(file: words[1], connect: args.flag("connect"))
    },
    Command(name: "apikey", usage: "video-ingest apikey new (--seller ID | --role admin)",
            summary: "Prints a new API key once and the http.apiKeys entry (its SHA-256) to paste.", options: ["seller", "role"]) { args throws(UsageError) in
        let words = try args.positionals(1, "'new'")
        guard words[0] == "new" else { throw UsageError("unknown apikey subcommand '\(words[0])'; expected 'new'") }
        if let role = args.options["role"], role != "admin" { throw UsageError("--role takes only 'admin'") }
        return APIKeyCommand.new(sellerId: args.options["seller"], admin: args.options["role"] == "admin")
    },
    Command(name: "optimize", usage: "video-ingest optimize IN OUT_DIR [--config FILE]",
            summary: "Debug aid: runs the optimizer on a local file.", options: ["config"]) { args throws(UsageError) in
        let paths = try args.positionals(2, "an input file and an output folder")
        return MediaExecutable.exec(["optimize", paths[0], paths[1]] + configArguments(args))
    },
]

/// `--config FILE` when it was given, for the media executable (`MediaExecutable.exec`: FFmpeg is not linked here).
private func configArguments(_ args: ParsedArguments) -> [String] {
    args.options["config"].map { ["--config", $0] } ?? []
}

/// Builds the spool commands from `--config` and `--spool`, or the failure to load the config.
private func spool(_ args: ParsedArguments) -> Result<SpoolCommands, ConfigError> {
    Result { () throws(ConfigError) in try SpoolCommands(configPath: args.options["config"], spool: args.options["spool"]) }
}

extension Result where Success == SpoolCommands, Failure == ConfigError {
    /// Runs `body` on the commands, or reports the config failure (exit 1).
    func map(_ body: (SpoolCommands) -> CommandResult) -> CommandResult {
        switch self {
        case .success(let commands): return body(commands)
        case .failure(let error): return .failure("\(error)")
        }
    }
}
