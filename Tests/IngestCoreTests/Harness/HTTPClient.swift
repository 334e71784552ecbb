import Foundation
import Glibc
import IngestCore

/// One HTTP answer as it came off the socket.
struct HTTPAnswer {
    var status: Int
    /// Lowercased names.
    var headers: [String: String]
    var body: Data
    var json: JSONValue? { try? JSONParser.parse(body) }
    /// The first error code of an error envelope.
    var errorCode: String? {
        guard case .array(let errors)? = json?["errors"], let first = errors.first else { return nil }
        return first["code"]?.stringValue
    }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A raw-socket HTTP/1.1 client for tests: sends exactly the bytes it is given (hostile ones
/// too), reads the answer to EOF (every request says `Connection: close`).
enum HTTPClient {
    /// Opens a TCP connection to 127.0.0.1:`port`, from `source` when given (another loopback address).
    static func connect(port: Int, source: String? = nil, timeout: Double = 10) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessTimeout(message: "socket: \(errno)") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            _ = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let rc = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { let e = errno; close(fd); throw HarnessTimeout(message: "connect: \(String(cString: strerror(e)))") }
        return fd
    }

    static func send(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { buffer in
            var sent = 0
            while sent < buffer.count {
                let n = Glibc.send(fd, buffer.baseAddress! + sent, buffer.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
    }

    /// Reads until EOF or the receive timeout.
    static func readAll(_ fd: Int32) -> Data {
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }

    /// Sends `raw` and parses the answer (nil when the server closed without one).
    static func exchange(port: Int, _ raw: Data, timeout: Double = 10) throws -> HTTPAnswer? {
        let fd = try connect(port: port, timeout: timeout)
        defer { close(fd) }
        _ = send(fd, raw)
        return parse(readAll(fd))
    }

    /// A well-formed request with `Connection: close` and a Content-Length when there is a body.
    static func request(port: Int, _ method: String, _ path: String, headers: [(String, String)] = [], body: Data? = nil,
                        timeout: Double = 10) throws -> HTTPAnswer {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        var raw = Data((head + "\r\n").utf8)
        if let body { raw.append(body) }
        guard let answer = try exchange(port: port, raw, timeout: timeout) else {
            throw HarnessTimeout(message: "no answer to \(method) \(path)")
        }
        return answer
    }

    static func parse(_ data: Data) -> HTTPAnswer? {
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let lines = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(data[end.upperBound...])
        if let length = headers["content-length"].flatMap(Int.init), body.count > length { body = body.prefix(length) }
        return HTTPAnswer(status: status, headers: headers, body: body)
    }

    /// A `multipart/form-data` body: text fields, then file parts (name, file name, bytes).
    static func multipart(fields: [(String, String)], files: [(String, String, Data)], boundary: String = "b0undary-13") -> (contentType: String, body: Data) {
        var body = Data()
        for (name, value) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        for (name, fileName, bytes) in files {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(fileName)\"\r\nContent-Type: video/mp4\r\n\r\n".utf8))
            body.append(bytes)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return ("multipart/form-data; boundary=\(boundary)", body)
    }
}

/// A daemon with the HTTP API on a free port and a seller and an admin key.
extension DaemonHarness {
    static let sellerKeys = ["s1": "key-seller-one", "s2": "key-seller-two"]
    static let adminKey = "key-admin"

    static func apiConfig(_ overrides: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var keys: [JSONValue] = sellerKeys.sorted(by: { $0.key < $1.key }).map { seller, key in
            .object([("sellerId", .string(seller)), ("sha256", .string(SHA256Hex.of(key)))])
        }
        keys.append(.object([("role", .string("admin")), ("sha256", .string(SHA256Hex.of(adminKey)))]))
        return ["http.listen": .string("127.0.0.1:0"), "http.apiKeys": .array(keys)].merging(overrides) { $1 }
    }

    /// The port the running daemon's API listens on (from its log).
    func httpPort() throws -> Int {
        for line in logLines().reversed() where line.contains("\"http listening\"") {
            if let json = try? JSONParser.parse(Data(line.utf8)), let address = json["address"]?.stringValue,
               let port = address.split(separator: ":").last.flatMap({ Int($0) }) { return port }
        }
        throw HarnessTimeout(message: "the daemon logged no http address")
    }
}

import IngestCrypto
/// Hex SHA-256 of a text (API key digests in test configs).
enum SHA256Hex {
    static func of(_ text: String) -> String { SHA256.hex(Array(text.utf8)) }
}
