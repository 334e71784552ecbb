import Foundation
import XCTest

/// `config/video-ingest.service` keeps the sandbox docs/SECURITY.md describes. The directives are
/// checked by parsing the file; where `systemd-analyze` is installed, `systemd-analyze verify` must
/// also accept it (with ExecStart pointed at an existing binary: the unit names the installed path).
final class SystemdUnitTests: XCTestCase {
    private static let unitPath = DaemonHarness.packageRoot.appendingPathComponent("config/video-ingest.service").path

    /// Every `Key=value` of the [Service] section; a key given twice keeps every value.
    private func serviceDirectives() throws -> [String: [String]] {
        let text = try String(contentsOfFile: Self.unitPath, encoding: .utf8)
        var section = ""
        var directives: [String: [String]] = [:]
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") { section = line; continue }
            guard section == "[Service]", let equals = line.firstIndex(of: "=") else { continue }
            directives[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        return directives
    }

    func testUnit_hasTheRequiredSandbox() throws {
        let d = try serviceDirectives()
        let required: [String: String] = [
            "User": "video-ingest", "Group": "video-ingest",
            "ExecStart": "/usr/local/bin/video-ingest daemon --config /etc/video-ingest/ingest.json --spool /var/lib/video-ingest",
            "ExecReload": "/bin/kill -HUP $MAINPID", "KillSignal": "SIGTERM", "TimeoutStopSec": "35",
            "Restart": "on-failure", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
            "ReadWritePaths": "/var/lib/video-ingest", "PrivateTmp": "yes", "ProtectHome": "yes",
            "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "SystemCallArchitectures": "native",
            "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectControlGroups": "yes",
            "RestrictNamespaces": "yes", "LockPersonality": "yes", "CapabilityBoundingSet": "", "UMask": "0027",
        ]
        for (key, value) in required.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(d[key], [value], key)
        }
        XCTAssertEqual(d["SystemCallFilter"]?.first, "@system-service")
        for key in ["MemoryMax", "LimitNOFILE"] {
            XCTAssertEqual(d[key]?.count, 1, "\(key) is set once")
            XCTAssertFalse(d[key]?.first?.isEmpty ?? true, "\(key) has a value")
        }
        XCTAssertNil(d["DynamicUser"], "a static user: the spool is shared with the upload service and web server")
        XCTAssertNil(d["AmbientCapabilities"].flatMap { $0.first { !$0.isEmpty } }, "no ambient capabilities")
    }

    func testUnit_passesSystemdAnalyzeVerify_whenInstalled() throws {
        guard let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first(where: FileManager.default.isExecutableFile) else {
            throw XCTSkip("systemd-analyze is not installed")
        }
        let text = try String(contentsOfFile: Self.unitPath, encoding: .utf8)
        let folder = NSTemporaryDirectory() + "video-ingest-unit-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let copy = folder + "/video-ingest.service"
        try text.replacingOccurrences(of: "/usr/local/bin/video-ingest ", with: "/bin/true ").write(toFile: copy, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyze)
        process.arguments = ["verify", "--man=no", copy]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, report)
        XCTAssertEqual(report.trimmingCharacters(in: .whitespacesAndNewlines), "", "systemd-analyze verify warns: \(report)")
    }
}
