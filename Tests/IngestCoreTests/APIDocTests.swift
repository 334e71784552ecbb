import Foundation
import IngestCore
import TestHTTPServer
import XCTest

/// docs/API.md stays true: every ```request block is sent, as written, to a real daemon and the
/// answer must match the ```response block after it (status, the headers shown, the JSON's shape
/// and error codes). Every route of the API must have an example.
final class APIDocTests: XCTestCase {
    struct Example {
        var request: [String]
        var response: [String]
    }

    static func examples(_ markdown: String) -> [Example] {
        var blocks: [(kind: String, lines: [String])] = []
        var current: (kind: String, lines: [String])?
        for line in markdown.components(separatedBy: "\n") {
            if current == nil, line == "```request" || line == "```response" {
                current = (String(line.dropFirst(3)), [])
            } else if line == "```", let block = current {
                blocks.append(block)
                current = nil
            } else {
                current?.lines.append(line)
            }
        }
        var examples: [Example] = []
        var index = 0
        while index + 1 < blocks.count {
            if blocks[index].kind == "request", blocks[index + 1].kind == "response" {
                examples.append(Example(request: blocks[index].lines, response: blocks[index + 1].lines))
                index += 2
            } else {
                index += 1
            }
        }
        return examples
    }

    /// Header lines up to the first blank line, then the body.
    static func split(_ lines: [String]) -> (first: String, headers: [(String, String)], body: [String]) {
        var headers: [(String, String)] = []
        var i = 1
        while i < lines.count, !lines[i].isEmpty {
            let line = lines[i]
            if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            i += 1
        }
        return (lines[0], headers, Array(lines.dropFirst(min(i + 1, lines.count))))
    }

    func testEveryExampleOfTheAPIDoc_answersAsDocumented() throws {
        let markdown = try String(contentsOfFile: DaemonHarness.packageRoot.appendingPathComponent("docs/API.md").path, encoding: .utf8)
        let examples = Self.examples(markdown)
        XCTAssertGreaterThanOrEqual(examples.count, 15)
        for route in ["POST /v1/videos", "GET /v1/videos?", "GET /v1/videos/{id}", "GET /v1/videos/{id}/video_hd.mp4", "HEAD /v1/videos/{id}/poster.jpg",
                      "DELETE /v1/videos/{id}", "POST /v1/videos/{id}/approve", "POST /v1/videos/{id}/reject", "GET /healthz", "GET /readyz", "GET /metrics"] {
            XCTAssertTrue(examples.contains { $0.request.first?.hasPrefix(route) == true }, "no example for \(route)")
        }

        let server = try TestHTTPServer()
        defer { server.stop() }
        server.fileRoot = DaemonHarness.samples
        let harness = try DaemonHarness(DaemonHarness.apiConfig())
        try harness.startDaemon()
        defer { _ = try? harness.stopDaemon() }
        let port = try harness.httpPort()
        let sample = try Data(contentsOf: URL(fileURLWithPath: DaemonHarness.samples + "/h264_aac_10s.mp4"))
        var id: String?

        for (n, example) in examples.enumerated() {
            let request = Self.split(example.request)
            let parts = request.first.split(separator: " ")
            let method = String(parts[0])
            var path = String(parts[1])
            func fill(_ text: String) -> String {
                text.replacingOccurrences(of: "{id}", with: id ?? "{id}")
                    .replacingOccurrences(of: "{sellerKey}", with: DaemonHarness.sellerKeys["s1"]!)
                    .replacingOccurrences(of: "{adminKey}", with: DaemonHarness.adminKey)
                    .replacingOccurrences(of: "https://cdn.example.com/video.mp4", with: server.url("/files/h264_aac_10s.mp4"))
            }
            path = fill(path)
            let headers = request.headers.map { ($0.0, fill($0.1)) }
            var body: Data?
            if !request.body.isEmpty {
                let isMultipart = headers.contains { $0.0 == "Content-Type" && $0.1.hasPrefix("multipart/") }
                var text = fill(request.body.joined(separator: isMultipart ? "\r\n" : "\n"))
                if isMultipart { text += "\r\n" }
                var bytes = Data()
                let marker = "<the bytes of clip.mp4>"
                let pieces = text.components(separatedBy: marker)
                for (i, piece) in pieces.enumerated() {
                    bytes.append(Data(piece.utf8))
                    if i < pieces.count - 1 { bytes.append(sample) }
                }
                body = bytes
            }
            let label = "example \(n + 1): \(request.first)"
            let answer = try HTTPClient.request(port: port, method, path, headers: headers, body: body)

            let expected = Self.split(example.response)
            XCTAssertEqual(answer.status, Int(expected.first.prefix(3)), "\(label): \(answer.text)")
            for (name, value) in expected.headers {
                let actual = answer.headers[name.lowercased()]
                XCTAssertNotNil(actual, "\(label): no \(name)")
                if ["Content-Type", "Idempotent-Replayed", "WWW-Authenticate", "Accept-Ranges"].contains(name) {
                    XCTAssertEqual(actual, value, "\(label): \(name)")
                }
            }
            let expectedBody = expected.body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if !expectedBody.isEmpty {
                let documented = try JSONParser.parse(Data(expectedBody.utf8))
                let actual = try XCTUnwrap(answer.json, "\(label): not JSON: \(answer.text)")
                XCTAssertEqual(Self.shape(actual), Self.shape(documented), "\(label): the answer's shape differs:\n\(actual.compact)")
            } else if method != "HEAD", answer.status == 204 {
                XCTAssertTrue(answer.body.isEmpty, label)
            }
            if id == nil, method == "POST", let created = answer.json?["videoId"]?.stringValue {
                id = created
                try harness.waitUntil("the first video to finish", timeout: 90) { harness.statusFile(created)?["status"]?.stringValue == "SUCCESS" }
            }
        }
    }

    /// The keys of objects (recursively; the first element of arrays), and the codes of errors.
    static func shape(_ value: JSONValue) -> String {
        switch value {
        case .object(let members):
            return "{" + members.map { key, member in
                key == "code" ? "code=\(member.stringValue ?? "")" : key + ":" + shape(member)
            }.sorted().joined(separator: ",") + "}"
        case .array(let items):
            if items.first.map({ if case .object(let m) = $0 { return m.contains { $0.0 == "code" } } else { return false } }) == true {
                return "[" + items.map(shape).joined(separator: ",") + "]"
            }
            return "[" + (items.first.map(shape) ?? "") + "]"
        default:
            return "value"
        }
    }
}
