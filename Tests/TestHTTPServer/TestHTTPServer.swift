import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A failure to start the test server.
public struct TestHTTPServerError: Error, CustomStringConvertible {
    /// What failed, with `strerror` text.
    public let description: String
}

/// A tiny real HTTP/1.1 server for tests: BSD sockets, a listener thread and a
/// thread per connection, `Connection: close` on every response, hostile
/// routes (see `Routes.swift`). Every route is bounded in time, and `stop()`
/// ends the listener and all connection threads within about a second.
///
/// Listen on `127.0.0.1` (default), `::1`, or any other loopback address such
/// as `127.0.0.2` (to prove a blocked address receives nothing).
public final class TestHTTPServer: @unchecked Sendable {
    /// The address listened on, as given.
    public let host: String
    /// The port listened on (the ephemeral one chosen when 0 was given).
    public let port: UInt16
    /// Longest time any route keeps a connection open (endless routes stop here).
    public let maxRouteSeconds: Double = 60

    private let lock = NSLock()
    private var listenFD: Int32
    private var stopped = false
    private var listenerDone = false
    private var activeConnections = 0
    private var _requests: [String] = []
    private var _connectionCount = 0
    private var _fileRoot: String
    private var flakyCounts: [String: Int] = [:]

    /// Starts listening on `host:port` (0 = an ephemeral port).
    /// - Throws: `TestHTTPServerError` when the socket cannot be set up.
    public init(host: String = "127.0.0.1", port: UInt16 = 0) throws {
        self.host = host
        _fileRoot = FileManager.default.currentDirectoryPath
        let (fd, boundPort) = try TestHTTPServer.listen(host: host, port: port)
        listenFD = fd
        self.port = boundPort
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "TestHTTPServer.listener"
        thread.start()
    }

    deinit { stop() }

    /// `http://127.0.0.1:PORT` or `http://[::1]:PORT`.
    public var baseURL: String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }

    /// `baseURL + path`.
    public func url(_ path: String) -> String { baseURL + path }

    /// The directory `/files/<name>`, `/chunked-file/<name>` and `/flaky/...` serve from.
    public var fileRoot: String {
        get { lock.withLock { _fileRoot } }
        set { lock.withLock { _fileRoot = newValue } }
    }

    /// Request targets (path and query) in the order received.
    public var requests: [String] { lock.withLock { _requests } }

    /// Connections accepted, including those that sent no request.
    public var connectionCount: Int { lock.withLock { _connectionCount } }

    /// How many requests had exactly this path (query ignored).
    public func requestCount(path: String) -> Int {
        requests.filter { $0.split(separator: "?", maxSplits: 1).first.map(String.init) == path }.count
    }

    /// Closes the listener and ends every connection thread (waits up to 3 s).
    /// Call it (tests do in `tearDown`): the listener thread keeps the server alive until then.
    public func stop() {
        lock.withLock { stopped = true }
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline {
            let done = lock.withLock { listenerDone && activeConnections == 0 }
            if done { break }
            usleep(10_000)
        }
    }

    var isStopped: Bool { lock.withLock { stopped } }

    // MARK: - Listening

    private static func listen(host: String, port: UInt16) throws -> (Int32, UInt16) {
        let ipv6 = host.contains(":")
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestHTTPServerError(description: "socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        func fail(_ call: String) -> TestHTTPServerError {
            let error = TestHTTPServerError(description: "\(call) \(host):\(port): \(String(cString: strerror(errno)))")
            close(fd)
            return error
        }
        var storage = sockaddr_storage()
        var length: socklen_t
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { throw fail("inet_pton") }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in6.self) }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw fail("inet_pton") }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in.self) }
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw fail("bind") }
        guard Glibc.listen(fd, 64) == 0 else { throw fail("listen") }
        length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw fail("getsockname") }
        let boundPort = withUnsafeBytes(of: storage) { bytes in
            ipv6 ? UInt16(bigEndian: bytes.load(as: sockaddr_in6.self).sin6_port)
                 : UInt16(bigEndian: bytes.load(as: sockaddr_in.self).sin_port)
        }
        return (fd, boundPort)
    }

    private func acceptLoop() {
        while !isStopped {
            var pollFD = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&pollFD, 1, 100) > 0 else { continue }
            let client = accept(listenFD, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            lock.withLock {
                _connectionCount += 1
                activeConnections += 1
            }
            let thread = Thread { [self] in
                let connection = Connection(fd: client, server: self)
                connection.serve()
                close(client)
                lock.withLock { activeConnections -= 1 }
            }
            thread.name = "TestHTTPServer.connection"
            thread.start()
        }
        close(listenFD)
        lock.withLock { listenerDone = true }
    }

    // MARK: - Shared state for routes

    func log(_ target: String) { lock.withLock { _requests.append(target) } }

    /// Counts a request for a flaky path; returns the count including this one.
    func nextFlakyCount(_ path: String) -> Int {
        lock.withLock {
            flakyCounts[path, default: 0] += 1
            return flakyCounts[path]!
        }
    }
}
