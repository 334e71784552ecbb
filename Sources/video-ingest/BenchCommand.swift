import IngestCore

/// Hidden commands for `Benchmarks/run` (not listed in `--help`): `bench probe|download|upload|query`.
let hiddenCommands: [Command] = [
    Command(name: "bench", usage: "video-ingest bench probe FILE [--iterations N] | download URL DEST | upload ENDPOINT BUCKET FILE KEY | query --spool DIR [--config FILE] [--iterations N] [--deep-page N] | claims --spool DIR [--config FILE] --claimers N --jobs M",
            summary: "Benchmark harness timings (hidden).", options: ["iterations", "deep-page", "spool", "config", "claimers", "jobs"]) { args throws(UsageError) in
        guard let what = args.positionals.first else { throw UsageError("expected probe, download, upload, query or claims") }
        let iterations = try args.int("iterations", default: 20, range: 1...100_000)
        switch what {
        case "probe":
            // In the media executable, which links FFmpeg (this one does not).
            return MediaExecutable.exec(["bench", "probe", try args.positionals(2, "probe FILE")[1], "--iterations", String(iterations)])
        case "download":
            let words = try args.positionals(3, "download URL DEST")
            return BenchCommands.download(url: words[1], destination: words[2])
        case "upload":
            let words = try args.positionals(5, "upload ENDPOINT BUCKET FILE KEY")
            return BenchCommands.upload(endpoint: words[1], bucket: words[2], file: words[3], key: words[4])
        case "query":
            _ = try args.positionals(1, "query --spool DIR")
            guard let spool = args.options["spool"] else { throw UsageError("--spool is required") }
            return BenchCommands.query(spool: spool, configPath: args.options["config"], iterations: iterations,
                                       deepPage: try args.int("deep-page", default: 1000, range: 0...Int(Int32.max)))
        case "claims":
            _ = try args.positionals(1, "claims --spool DIR")
            guard let spool = args.options["spool"] else { throw UsageError("--spool is required") }
            return BenchCommands.claims(spool: spool, configPath: args.options["config"],
                                        claimers: try args.int("claimers", default: 1, range: 1...256),
                                        jobs: try args.int("jobs", default: 1000, range: 1...10_000_000))
        default:
            throw UsageError("unknown bench subcommand '\(what)'")
        }
    },
]
