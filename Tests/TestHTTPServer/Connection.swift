import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One accepted connection: reads a request head, logs it, runs its route.
/// Every wait is a short `poll` that also checks the server's stop flag.
final class Connection {
    let fd: Int32
    unowned let server: TestHTTPServer
    let started = Date()

    init(fd: Int32, server: TestHTTPServer) {
        self.fd = fd
        self.server = server
    }

    /// Seconds this connection may still run.
    var timeLeft: Double { server.maxRouteSeconds - Date().timeIntervalSince(started) }

    /// True while neither the server stopped nor the route's time ran out.
    var alive: Bool { !server.isStopped && timeLeft > 0 }

    func serve() {
        guard let target = readRequestTarget() else { return }
        server.log(target)
        Routes.handle(target: target, on: self)
    }

    /// Reads until the end of the request head (max 16 KiB, 5 s); returns the target.
    private func readRequestTarget() -> String? {
        var head = [UInt8]()
        let deadline = Date().addingTimeInterval(5)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline, !server.isStopped, head.count < 16 * 1024 {
            var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pollFD, 1, 100) > 0 else { continue }
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            head.append(contentsOf: chunk[0..<count])
            if let end = head.firstRange(of: [13, 10, 13, 10]) {
                let text = String(decoding: head[..<end.lowerBound], as: UTF8.self)
                let requestLine = text.split(separator: "\r\n", maxSplits: 1).first ?? ""
                let parts = requestLine.split(separator: " ")
                return parts.count >= 2 ? String(parts[1]) : nil
            }
        }
        return nil
    }

    // MARK: - Writing

    /// Sends all bytes; false when the client went away, the server stopped or time ran out.
    @discardableResult
    func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            guard alive else { return false }
            var pollFD = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&pollFD, 1, 100) > 0 else { continue }
            if pollFD.revents & Int16(POLLERR | POLLHUP) != 0 { return false }
            let sent = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if sent < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// Sends bytes.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { send($0) } }

    /// Sends UTF-8 text.
    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Sends a status line and headers (`Connection: close` added).
    @discardableResult
    func sendHead(_ status: Int, _ headers: [(String, String)]) -> Bool {
        var text = "HTTP/1.1 \(status) \(Routes.reason(status))\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "Connection: close\r\n\r\n"
        return send(text)
    }

    /// Sends a complete small response.
    @discardableResult
    func respond(_ status: Int, body: String, headers: [(String, String)] = []) -> Bool {
        let bytes = Array(body.utf8)
        guard sendHead(status, headers + [("Content-Type", "text/plain"), ("Content-Length", "\(bytes.count)")]) else { return false }
        return send(bytes)
    }

    /// Sends one chunk of a chunked body (an empty one ends the body).
    @discardableResult
    func sendChunk(_ bytes: UnsafeRawBufferPointer) -> Bool {
        send(String(bytes.count, radix: 16) + "\r\n") && (bytes.isEmpty || send(bytes)) && send("\r\n")
    }

    /// Waits up to `seconds`; false when the client disconnected or the server stopped first.
    func wait(_ seconds: Double) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            guard alive else { return false }
            var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pollFD, 1, Int32(max(1, min(50, end.timeIntervalSinceNow * 1000)))) > 0 {
                var byte: UInt8 = 0
                if recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) <= 0 { return false }
                usleep(50_000)  // the client sent more (ignored); do not spin
            }
        }
        return alive
    }
}
