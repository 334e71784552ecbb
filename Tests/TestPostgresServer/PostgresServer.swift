import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real PostgreSQL server for tests: Debian's `initdb` and `pg_ctl` (from
/// /usr/lib/postgresql/<version>/bin, the newest installed; `make deps` installs `postgresql`)
/// in a temporary folder, listening on a free 127.0.0.1 port and a Unix socket in that folder.
/// As root the binaries run as the `postgres` user (`runuser`), which owns the folder.
///
/// One server per test class is enough: `createDatabase()` hands each test a fresh database.
/// `stop()`/`start()` take the same server down and up again (an outage); `deinit` stops it and
/// removes the folder, and servers still running when the test process exits are stopped too.
/// A missing binary is an error, never a skip. The server runs with `fsync=off`: it holds only
/// test data, and a test never needs it to survive a power cut.
public final class PostgresServer: @unchecked Sendable {
    /// The folder with initdb, pg_ctl, postgres and createdb.
    public let binDirectory: String
    /// The temporary folder: `data/` (the cluster), the socket and `server.log`.
    public let root: String
    /// The TCP port on 127.0.0.1.
    public let port: Int
    private let lock = NSLock()
    private var databases = 0

    /// Makes a cluster with `initdb` and starts it.
    public init() throws {
        binDirectory = try Self.findBinaries()
        root = NSTemporaryDirectory() + "video-ingest-pg-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        port = try Self.freePort()
        if geteuid() == 0 {
            try Self.run("/bin/chown", ["postgres:postgres", root])
        }
        try runAsOwner("initdb", ["-D", root + "/data", "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"])
        PostgresReaper.add(root: root, binDirectory: binDirectory)
        try start()
    }

    deinit {
        stop()
        PostgresReaper.remove(root)
        try? FileManager.default.removeItem(atPath: root)
    }

    /// `postgresql://postgres@127.0.0.1:<port>/<database>`.
    public func url(database: String) -> String { "postgresql://postgres@127.0.0.1:\(port)/\(database)" }

    /// Starts the server (again) and waits until it accepts connections (`pg_ctl -w`).
    public func start() throws {
        let options = "-p \(port) -k \(root) -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200"
        try runAsOwner("pg_ctl", ["-D", root + "/data", "-o", options, "-l", root + "/server.log", "-w", "-t", "60", "start"])
    }

    /// Stops the server (`pg_ctl stop -m fast`: sessions are cut, like a server going away).
    public func stop() {
        _ = try? Self.runAsOwner(binDirectory, "pg_ctl", ["-D", root + "/data", "-m", "fast", "-w", "stop"])
    }

    /// Creates a new empty database and returns its URL.
    public func createDatabase() throws -> String {
        let name = lock.withLock { () -> String in
            databases += 1
            return "test_\(databases)"
        }
        try runAsOwner("createdb", ["-h", root, "-p", "\(port)", "-U", "postgres", name])
        return url(database: name)
    }

    /// The end of the server's log (for failure messages).
    public func logTail() -> String {
        String(((try? String(contentsOfFile: root + "/server.log", encoding: .utf8)) ?? "").suffix(1500))
    }

    /// Runs one of the server's binaries, as `postgres` when this process is root.
    @discardableResult
    func runAsOwner(_ tool: String, _ arguments: [String]) throws -> String {
        try Self.runAsOwner(binDirectory, tool, arguments)
    }

    @discardableResult
    static func runAsOwner(_ binDirectory: String, _ tool: String, _ arguments: [String]) throws -> String {
        let path = binDirectory + "/" + tool
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw PostgresServerError("\(path) is missing: install Debian's postgresql (`make deps`)")
        }
        return geteuid() == 0
            ? try run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
            : try run(path, arguments)
    }

    /// The newest /usr/lib/postgresql/<version>/bin that has every binary the tests use.
    /// (/usr/local/bin's pg_ctl and initdb, when present, are links to these; Debian's own
    /// folder is used so that the server and its tools are one version.)
    static func findBinaries() throws -> String {
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [])
            .compactMap { Int($0) }.sorted(by: >)
        for version in versions {
            let bin = "\(base)/\(version)/bin"
            if ["initdb", "pg_ctl", "postgres", "createdb"].allSatisfy({ FileManager.default.isExecutableFile(atPath: bin + "/" + $0) }) {
                return bin
            }
        }
        throw PostgresServerError("no PostgreSQL server binaries (initdb, pg_ctl, postgres, createdb) under \(base)/*/bin: install Debian's postgresql (`make deps`)")
    }

    /// Runs `executable` (posix_spawn, waitpid on it alone) and returns its output; throws with
    /// the output when it exits non-zero. The output goes to a file, not a pipe: the server that
    /// `pg_ctl start` leaves running would hold a pipe open. (Foundation's `Process` is not used:
    /// its wait does not return once the child has left a daemon behind.)
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let outputPath = NSTemporaryDirectory() + "video-ingest-pg-run-" + UUID().uuidString
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw PostgresServerError("posix_spawn \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0, code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw PostgresServerError("\(executable) \(arguments.joined(separator: " ")) failed (status \(status)): \(text.suffix(1500))")
        }
        return text
    }

    /// A TCP port on 127.0.0.1 that the kernel just handed out (bound to port 0, then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PostgresServerError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw PostgresServerError("no free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why the test PostgreSQL server could not be used.
public struct PostgresServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Stops every server still running when the test process exits (a suite's shared server is a
/// static and never deinitialised), and removes its folder.
enum PostgresReaper {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var servers: [String: String] = [:]
    private static let installed: Void = { atexit { PostgresReaper.stopAll() } }()

    static func add(root: String, binDirectory: String) {
        _ = installed
        lock.withLock { servers[root] = binDirectory }
    }

    static func remove(_ root: String) { lock.withLock { _ = servers.removeValue(forKey: root) } }

    static func stopAll() {
        for (root, bin) in lock.withLock({ servers }) {
            _ = try? PostgresServer.runAsOwner(bin, "pg_ctl", ["-D", root + "/data", "-m", "immediate", "-w", "stop"])
            try? FileManager.default.removeItem(atPath: root)
        }
    }
}
