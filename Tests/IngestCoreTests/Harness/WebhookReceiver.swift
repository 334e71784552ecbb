import Foundation
import IngestCore
import XCTest

/// A real webhook receiver on 127.0.0.1: `Tests/WebhookReceiver/receiver.py` run by the venv's
/// Python, which verifies every delivery with the `standardwebhooks` package from PyPI. A missing
/// venv is an error (the test fails and says to run `make deps`), never a skip.
final class WebhookReceiver: @unchecked Sendable {
    /// One request the receiver saw.
    struct Delivery {
        let id: String
        let type: String?
        let verified: Bool
        let error: String?
        let answered: Int?
        let data: JSONValue?
        let at: Double
        var videoId: String? { data?["id"]?.stringValue }
    }

    static let python = DaemonHarness.packageRoot.appendingPathComponent(".build/venv/bin/python").path
    static let script = DaemonHarness.packageRoot.appendingPathComponent("Tests/WebhookReceiver/receiver.py").path
    /// A fixed test secret (32 random bytes, base64).
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwC3QkWJ9rGzM="

    let port: Int
    let logPath: String
    let statusPath: String
    private let process: Process

    /// Starts a receiver; `stall` accepts requests and never answers them.
    init(secret: String = WebhookReceiver.secret, stall: Bool = false) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw HarnessTimeout(message: "\(Self.python) is missing: run `make deps` (it makes the venv with standardwebhooks)")
        }
        let folder = NSTemporaryDirectory() + "webhook-receiver-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        logPath = folder + "/deliveries.jsonl"
        statusPath = folder + "/status"
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Self.script, "--secret", secret, "--log", logPath, "--status-file", statusPath] + (stall ? ["--stall"] : [])
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let line = out.fileHandleForReading.availableLine()
        guard let port = (try? JSONParser.parse(Data(line.utf8)))?["port"]?.intValue else {
            process.terminate()
            throw HarnessTimeout(message: "the webhook receiver did not start (standardwebhooks installed? run `make deps`): \(line)")
        }
        self.port = port
    }

    deinit { stop() }

    func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }

    /// The URL of this receiver (any path; the receiver records it).
    func url(_ path: String = "/hook") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Answers every following request with `status` (the receiver re-reads it per request).
    func answer(_ status: Int) throws { try Data("\(status)".utf8).write(to: URL(fileURLWithPath: statusPath)) }

    private func entries() -> [JSONValue] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONParser.parse(Data($0.utf8)) }
    }

    /// Every request, in arrival order.
    func deliveries() -> [Delivery] {
        entries().filter { $0["kind"]?.stringValue == "delivery" }.map { e in
            Delivery(id: e["id"]?.stringValue ?? "", type: e["type"]?.stringValue, verified: e["verified"] == .bool(true),
                     error: e["error"]?.stringValue, answered: e["answered"]?.intValue, data: e["data"],
                     at: e["at"]?.doubleValue ?? 0)
        }
    }

    /// The requests answered 2xx, in arrival order.
    func accepted() -> [Delivery] { deliveries().filter { ($0.answered ?? 0) / 100 == 2 } }

    /// How many TCP connections the receiver accepted.
    var connectionCount: Int { entries().filter { $0["kind"]?.stringValue == "connection" }.count }
}

extension FileHandle {
    /// Reads up to the first newline (blocking).
    func availableLine() -> String {
        var bytes: [UInt8] = []
        while true {
            let chunk = readData(ofLength: 1)
            guard let byte = chunk.first, byte != UInt8(ascii: "\n") else { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension JSONValue {
    /// A whole number's value (tests).
    var intValue: Int? {
        switch self {
        case .integer(let i): return Int(i)
        case .number(let d) where d == d.rounded(): return Int(d)
        default: return nil
        }
    }

    /// A number's value (tests).
    var doubleValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }
}
