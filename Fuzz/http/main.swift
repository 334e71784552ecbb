// libFuzzer entry point for the HTTP layer: the router (IngestCore/API/Router.swift, compiled in)
// and the whole request path of IngestHTTP — libmicrohttpd's parser, the access handler, the
// multipart post processor and the upload file — through a real server on 127.0.0.1.
//
// Built by `make fuzz` (IngestCrypto and IngestHTTP as modules, this file with Router.swift).
// The input's first byte picks the mode: even = a request path for the router; odd = the body
// of a multipart POST. Every invariant is a `precondition`: a broken one is a crash.
import Foundation
import Glibc
import IngestHTTP

/// Takes every multipart body, answers with what it found, and removes the uploaded file.
final class FuzzHandler: HTTPHandler, @unchecked Sendable {
    let directory: String
    init(directory: String) { self.directory = directory }

    func plan(_ head: RequestHead) -> BodyPlan {
        .multipart(MultipartPlan(fileField: "video", directory: directory, maxFileBytes: 4096, maxFieldBytes: 4096))
    }

    func respond(_ request: HTTPRequest) -> HTTPResponse {
        guard let body = request.multipart else { return HTTPResponse(status: 500) }
        if let file = body.file {
            precondition(body.problem == nil, "a file handed over with a problem")
            precondition(file.size <= 4096, "a file over the cap was kept")
            var info = stat()
            precondition(stat(file.path, &info) == 0 && Int64(info.st_size) == file.size, "the file's size is not what was counted")
            unlink(file.path)
        }
        return HTTPResponse(status: body.problem == nil ? 200 : 400)
    }

    func finished(_ head: RequestHead, status: Int, seconds: Double, completed: Bool) {}
}

private let uploads: String = {
    let path = NSTemporaryDirectory() + "fuzz-http-\(getpid())"
    mkdir(path, 0o700)
    return path
}()
nonisolated(unsafe) private var server: HTTPServer? = nil

private func exchange(_ request: [UInt8], port: Int) -> [UInt8] {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    precondition(fd >= 0)
    defer { close(fd) }
    var tv = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    // No TIME_WAIT on this side: thousands of connections a second would use up the ephemeral ports.
    var noLinger = linger(l_onoff: 1, l_linger: 0)
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &noLinger, socklen_t(MemoryLayout<linger>.size))
    var rc: Int32 = -1
    for attempt in 0..<50 where rc != 0 {
        if attempt > 0 { usleep(10_000) }
        rc = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    }
    precondition(rc == 0, "the server does not accept connections")
    _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        answer += buffer[0..<n]
    }
    return answer
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] % 2 == 0 {
        // The router: any path gives a route or nil; a route's ids are canonical UUIDs, its label holds none.
        let path = "/" + String(decoding: bytes, as: UTF8.self)
        if let route = Route.match(path) {
            precondition(!route.methods.isEmpty)
            switch route {
            case .video(let id), .media(let id, _), .approve(let id), .reject(let id):
                precondition(Route.videoId(id) == id && id == id.lowercased(), "a non-canonical id \(id)")
                precondition(!route.label.contains(id), "an id in a metrics label")
            default: break
            }
        }
        if let decoded = PercentDecoding.decode(String(decoding: bytes, as: UTF8.self)) { precondition(!decoded.utf8.contains(0), "a NUL decoded") }
        return 0
    }
    if server == nil {
        server = try! HTTPServer(.init(listen: "127.0.0.1:0", threads: 2, maxConnections: 4096,
                                                 perAddressConnections: 4096, timeoutSeconds: 2), handler: FuzzHandler(directory: uploads))
    }
    let head = "POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: \(bytes.count)\r\n\r\n"
    var answer = exchange(Array(head.utf8) + bytes, port: server!.port)
    // Closed unanswered: at thousands of connections a second the limits can refuse one; once more.
    if answer.isEmpty { usleep(20_000); answer = exchange(Array(head.utf8) + bytes, port: server!.port) }
    let text = String(decoding: answer.prefix(12), as: UTF8.self)
    if !(text.hasPrefix("HTTP/1.1 200") || text.hasPrefix("HTTP/1.1 400")) {
        FileHandle.standardError.write(Data("unexpected answer: \(String(decoding: answer, as: UTF8.self).debugDescription)\n".utf8))
        preconditionFailure("unexpected answer")
    }
    // Nothing of the body may stay on disk once it is answered (the request-completed callback runs after the answer).
    for _ in 0..<200 {
        if ((try? FileManager.default.contentsOfDirectory(atPath: uploads)) ?? []).isEmpty { return 0 }
        usleep(1000)
    }
    preconditionFailure("an upload file was left behind: \((try? FileManager.default.contentsOfDirectory(atPath: uploads)) ?? [])")
}
