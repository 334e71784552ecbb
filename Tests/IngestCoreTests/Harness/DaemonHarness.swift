import Foundation
import IngestCore
import XCTest

/// Drives the real `video-ingest` binary against a temporary spool and config: drops requests
/// the way a writer would (temporary name, then rename), runs CLI commands, starts and signals
/// daemon processes, and waits for receipts and status documents.
final class DaemonHarness: @unchecked Sendable {
    /// The repository root (for SampleMedia and config).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static var samples: String { packageRoot.appendingPathComponent("SampleMedia").path }

    /// The built executable, beside the test bundle.
    static let binary: String = {
        let beside = Bundle.main.bundleURL.appendingPathComponent("video-ingest").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return packageRoot.appendingPathComponent(".build/debug/video-ingest").path
    }()

    /// The built media executable (`video-ingest-media`, which the daemon finds beside `binary`).
    static let mediaBinary: String = URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent("video-ingest-media").path

    let root: String
    var spool: String { root + "/var" }
    var configPath: String { root + "/ingest.json" }
    private(set) var daemon: Process?
    private(set) var daemonLog: String
    private var logHandle: FileHandle?

    /// A fresh temporary folder with a config: the built-in defaults, 127.0.0.1 allowed, quick
    /// rescans and backoffs, then `overrides` merged in (dotted keys, e.g. "download.retries").
    init(_ overrides: [String: JSONValue] = [:]) throws {
        root = NSTemporaryDirectory() + "video-ingest-e2e-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        daemonLog = root + "/daemon.log"
        try writeConfig(overrides)
    }

    deinit {
        if let daemon, daemon.isRunning { kill(daemon.processIdentifier, SIGKILL); daemon.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: root)
    }

    static let baseConfig: [String: JSONValue] = [
        "spoolDirectory": .string("var"),
        "workers": .integer(2),
        "download.allowedNetworks": .array([.string("127.0.0.1/32")]),
        "download.retryBackoffSeconds": .number(0.1),
        "download.stallTimeoutSeconds": .integer(5),
        "download.timeoutSeconds": .integer(60),
        "intake.rescanSeconds": .number(0.2),
        "pipeline.faultBackoffSeconds": .number(0.2),
        "optimization.preset": .string("ultrafast"),
    ]

    /// Writes the config file (atomically, as an editor would).
    func writeConfig(_ overrides: [String: JSONValue]) throws {
        var tree: [(String, JSONValue)] = []
        func set(_ path: [String], _ value: JSONValue, in members: inout [(String, JSONValue)]) {
            if path.count == 1 {
                members.removeAll { $0.0 == path[0] }
                members.append((path[0], value))
                return
            }
            var child: [(String, JSONValue)] = []
            if let i = members.firstIndex(where: { $0.0 == path[0] }), case .object(let existing) = members[i].1 {
                child = existing
                members.remove(at: i)
            }
            set(Array(path.dropFirst()), value, in: &child)
            members.append((path[0], .object(child)))
        }
        for (key, value) in Self.baseConfig.merging(overrides, uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }) {
            set(key.split(separator: ".").map(String.init), value, in: &tree)
        }
        try AtomicFile.writeJSON(.object(tree), to: configPath)
    }

    // MARK: - Processes

    /// Runs the CLI (or another `executable`) to completion.
    @discardableResult
    func run(_ arguments: [String], executable: String? = nil, timeout: TimeInterval = 60,
             environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Self.runProcess(executable ?? Self.binary, arguments, directory: root, timeout: timeout, environment: environment)
    }

    /// Runs `executable` in `directory` to completion (terminated after `timeout`), collecting both outputs.
    static func runProcess(_ executable: String, _ arguments: [String], directory: String? = nil,
                           timeout: TimeInterval = 60, environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = LockedData(), errData = LockedData()
        let group = DispatchGroup()
        for (pipe, sink) in [(out, outData), (err, errData)] {
            group.enter()
            DispatchQueue.global().async { sink.set(pipe.fileHandleForReading.readDataToEndOfFile()); group.leave() }
        }
        if group.wait(timeout: .now() + timeout) == .timedOut { process.terminate() }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData.get(), as: UTF8.self), String(decoding: errData.get(), as: UTF8.self))
    }

    /// Runs a spool command with this harness's config and spool.
    func cli(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(arguments + ["--config", configPath, "--spool", spool], environment: environment)
    }

    /// Starts the daemon and waits until it says it started. `launcher` runs it through another
    /// program (`["/usr/bin/unshare", "--pid", "--fork", "--mount-proc"]`, `strace …`).
    func startDaemon(environment: [String: String] = [:], launcher: [String] = []) throws {
        let process = Process()
        let command = launcher + [Self.binary, "daemon", "--config", configPath, "--spool", spool]
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if !FileManager.default.fileExists(atPath: daemonLog) { _ = FileManager.default.createFile(atPath: daemonLog, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: daemonLog))
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = handle
        let startedBefore = logLines().filter { $0.contains("daemon started") }.count
        try process.run()
        daemon = process
        logHandle = handle
        try waitUntil("the daemon starts", timeout: 30) {
            logLines().filter { $0.contains("daemon started") }.count > startedBefore || !process.isRunning
        }
        XCTAssertTrue(process.isRunning, "the daemon exited at start-up: \(logLines().suffix(5))")
    }

    /// Sends `signal` to the daemon and waits for it to exit; returns its exit status.
    @discardableResult
    func stopDaemon(signal: Int32 = SIGTERM, timeout: TimeInterval = 30) throws -> Int32 {
        guard let daemon else { return -1 }
        kill(daemon.processIdentifier, signal)
        try waitUntil("the daemon exits", timeout: timeout) { !daemon.isRunning }
        daemon.waitUntilExit()
        self.daemon = nil
        return daemon.terminationStatus
    }

    /// Waits for the daemon to exit by itself (a crash point); returns its raw wait status
    /// (`Process.terminationStatus`: the signal number for an uncaught signal).
    @discardableResult
    func waitForDaemonExit(timeout: TimeInterval = 60) throws -> Int32 {
        guard let daemon else { return -1 }
        try waitUntil("the daemon exits by itself", timeout: timeout) { !daemon.isRunning }
        daemon.waitUntilExit()
        self.daemon = nil
        return daemon.terminationStatus
    }

    /// Every video of `video-ingest list` (all pages of 100).
    func listAll() throws -> [JSONValue] {
        var all: [JSONValue] = []
        for page in 0..<100 {
            let result = try cli(["list", "--size", "100", "--page", "\(page)"])
            XCTAssertEqual(result.status, 0, result.stderr)
            guard case .array(let data)? = try JSONParser.parse(Data(result.stdout.utf8))["data"], !data.isEmpty else { break }
            all += data
        }
        return all
    }

    /// Files in a spool folder (relative names, recursively), for end-state checks.
    func files(under folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: spool + "/" + folder)?.allObjects as? [String] ?? []).sorted()
    }

    func logLines() -> [String] {
        (try? String(contentsOfFile: daemonLog, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    // MARK: - Drops and answers

    /// Drops a request as a careful writer does: a dot-name first, then a rename.
    func drop(seller: String, key: String, body: String) throws {
        let folder = spool + "/inbox/" + seller
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temp = folder + "/.\(key).tmp"
        try Data(body.utf8).write(to: URL(fileURLWithPath: temp))
        XCTAssertEqual(rename(temp, folder + "/\(key).json"), 0)
    }

    /// A valid request body for `url`.
    static func body(url: String, title: String = "Product Promotion Video", ids: [String] = ["123456"],
                     extra: [(String, JSONValue)] = []) -> String {
        JSONValue.object([("title", .string(title)), ("description", .string("New season product promotion")),
                          ("videoUrl", .string(url)), ("productContentIds", .array(ids.map(JSONValue.string))),
                          ("storeFrontCode", .string("TR"))] + extra).pretty
    }

    func receiptPath(seller: String, key: String) -> String { spool + "/receipts/\(seller)/\(key).json" }

    /// Waits for a drop's receipt.
    func waitForReceipt(seller: String, key: String, timeout: TimeInterval = 20) throws -> JSONValue {
        let path = receiptPath(seller: seller, key: key)
        var receipt: JSONValue?
        try waitUntil("the receipt of \(seller)/\(key)", timeout: timeout) {
            receipt = FileManager.default.contents(atPath: path).flatMap { try? JSONParser.parse($0) }
            return receipt != nil
        }
        return receipt!
    }

    /// The videoId of an accepted receipt.
    func videoId(_ receipt: JSONValue) throws -> String {
        try XCTUnwrap(receipt["videoId"]?.stringValue, "not an accepted receipt: \(receipt.compact)")
    }

    /// The video's status file.
    func statusFile(_ id: String) -> JSONValue? {
        FileManager.default.contents(atPath: spool + "/status/\(id).json").flatMap { try? JSONParser.parse($0) }
    }

    /// Waits until the video's status file shows SUCCESS or FAILED.
    func waitForFinalStatus(_ id: String, timeout: TimeInterval = 90) throws -> JSONValue {
        var document: JSONValue?
        try waitUntil("video \(id) to finish", timeout: timeout) {
            document = statusFile(id)
            let status = document?["status"]?.stringValue
            return status == "SUCCESS" || status == "FAILED"
        }
        return document!
    }

    /// `video-ingest status ID` parsed.
    func statusCommand(_ id: String) throws -> JSONValue {
        let result = try cli(["status", id])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try JSONParser.parse(Data(result.stdout.utf8))
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes (then fails the test).
    func waitUntil(_ what: String, timeout: TimeInterval, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let tail = logLines().suffix(8).joined(separator: "\n")
        throw HarnessTimeout(message: "timed out waiting for \(what) after \(timeout) s; daemon log tail:\n\(tail)")
    }
}

struct HarnessTimeout: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Bytes written by one thread and read by another.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.withLock { data = d } }
    func get() -> Data { lock.withLock { data } }
}

extension DaemonHarness {
    /// Waits until `video-ingest status ID` shows SUCCESS or FAILED (a video that came in through
    /// another spool has no status file here) and returns the document.
    func waitForStatusCommand(_ id: String, timeout: TimeInterval = 90) throws -> JSONValue {
        var document: JSONValue?
        try waitUntil("video \(id) to finish", timeout: timeout) {
            document = try statusCommand(id)
            let status = document?["status"]?.stringValue
            return status == "SUCCESS" || status == "FAILED"
        }
        return document!
    }
}
