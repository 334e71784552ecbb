import CMicroHTTPD
import Foundation
import Glibc
import IngestCrypto

/// An HTTP/1.1 server: GNU libmicrohttpd (one `MHD_Daemon`, owned here and stopped in `deinit`)
/// with its internal polling threads on epoll, a thread pool, a connection limit, a per-IP
/// limit and an inactivity timeout per connection. Every request goes to one `HTTPHandler`;
/// every answer carries `X-Request-Id`.
public final class HTTPServer: @unchecked Sendable {
    /// How the server listens and how much it allows.
    public struct Options: Sendable {
        /// `host:port`; port 0 takes a free one (see `port`).
        public var listen: String
        public var threads: Int
        public var maxConnections: Int
        public var perAddressConnections: Int
        /// A connection with no traffic for this long is closed.
        public var timeoutSeconds: Int
        /// Memory for one connection's request line, headers and answer head (libmicrohttpd's
        /// connection pool). Headers that do not fit are refused by libmicrohttpd itself with its
        /// own 431 page, which no option or callback of 0.9.75 can change; the default leaves
        /// room for the handler to refuse headers up to about 120 KiB with its own answer
        /// (`RequestHead.headerBytes`). The pool is zeroed between keep-alive requests, so
        /// its size is paid per request and is held per open connection.
        public var connectionMemoryBytes: Int

        public init(listen: String, threads: Int = 4, maxConnections: Int = 512, perAddressConnections: Int = 128,
                    timeoutSeconds: Int = 30, connectionMemoryBytes: Int = 128 * 1024) {
            self.listen = listen
            self.threads = threads
            self.maxConnections = maxConnections
            self.perAddressConnections = perAddressConnections
            self.timeoutSeconds = timeoutSeconds
            self.connectionMemoryBytes = connectionMemoryBytes
        }
    }

    /// The port actually bound.
    public let port: Int
    public let host: String
    let handler: HTTPHandler
    private var daemon: OpaquePointer?
    private let lock = NSLock()
    private var inFlightCount = 0
    private static let logSink: CMicroHTTPD_LogSink = { _, message in
        guard let message else { return }
        let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
        HTTPServer.libraryLog.withLock { $0?(text) }
    }
    /// Where libmicrohttpd's own messages go (the daemon sets its log here).
    public static let libraryLog = LockedLogSink()

    /// Binds and starts serving.
    public init(_ options: Options, handler: HTTPHandler) throws(HTTPServerError) {
        let socket = try ListenSocket(listen: options.listen)
        port = socket.port
        host = socket.host
        self.handler = handler
        let flags = UInt32(MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_USE_ERROR_LOG.rawValue)
        daemon = CMicroHTTPD_start(
            flags, socket.descriptor, UInt32(max(1, options.threads)), UInt32(max(1, options.maxConnections)),
            UInt32(max(1, options.perAddressConnections)), UInt32(max(1, options.timeoutSeconds)), options.connectionMemoryBytes,
            accessHandler, Unmanaged.passUnretained(self).toOpaque(),
            completedHandler, Unmanaged.passUnretained(self).toOpaque(),
            Self.logSink, nil)
        guard daemon != nil else {
            close(socket.descriptor)
            throw HTTPServerError("libmicrohttpd did not start on \(options.listen)", call: "MHD_start_daemon")
        }
    }

    deinit { stop() }

    /// Closes the listener and every connection (waits for handlers that are running).
    public func stop() {
        let running = lock.withLock { () -> OpaquePointer? in
            defer { daemon = nil }
            return daemon
        }
        if let running { MHD_stop_daemon(running) }
    }

    /// Requests that have begun and not yet finished.
    public var inFlight: Int { lock.withLock { inFlightCount } }

    /// Waits until no request is in flight or `timeout` passes; true when none is left.
    public func waitUntilIdle(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while inFlight > 0 {
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return true
    }

    // MARK: - libmicrohttpd callbacks

    fileprivate func access(_ connection: OpaquePointer, url: UnsafePointer<CChar>, method: UnsafePointer<CChar>,
                            uploadData: UnsafePointer<CChar>?, uploadSize: UnsafeMutablePointer<Int>,
                            state: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> MHD_Result {
        guard let existing = state.pointee else {
            let head = makeHead(connection, url: url, method: method)
            let context = RequestContext(head: head, plan: handler.plan(head), started: Self.now())
            lock.withLock { inFlightCount += 1 }
            state.pointee = Unmanaged.passRetained(context).toOpaque()
            switch context.plan {
            case .respond(let response): return queue(connection, context, response)
            case .multipart(let plan): context.multipart = MultipartReceiver(connection: connection, plan: plan)
            case .none, .buffer: break
            }
            return .YES
        }
        let context = Unmanaged<RequestContext>.fromOpaque(existing).takeUnretainedValue()
        if uploadSize.pointee > 0 {
            if context.status == 0, let uploadData { context.consume(uploadData, count: uploadSize.pointee) }
            uploadSize.pointee = 0
            return .YES
        }
        guard context.status == 0 else { return .YES }
        return queue(connection, context, handler.respond(context.request()))
    }

    fileprivate func completed(_ state: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, code: MHD_RequestTerminationCode) {
        guard let state, let raw = state.pointee else { return }
        state.pointee = nil
        let context = Unmanaged<RequestContext>.fromOpaque(raw).takeRetainedValue()
        context.multipart?.discardFile()
        handler.finished(context.head, status: context.status, seconds: Self.now() - context.started,
                         completed: code == .REQUEST_TERMINATED_COMPLETED_OK)
        lock.withLock { inFlightCount -= 1 }
    }

    private func queue(_ connection: OpaquePointer, _ context: RequestContext, _ response: HTTPResponse) -> MHD_Result {
        let mhd: OpaquePointer?
        switch response.body {
        case .bytes(let data):
            mhd = data.withUnsafeBytes { buffer in
                MHD_create_response_from_buffer(buffer.count, UnsafeMutableRawPointer(mutating: buffer.baseAddress), .RESPMEM_MUST_COPY)
            }
        case .file(let descriptor, let offset, let length):
            mhd = MHD_create_response_from_fd_at_offset64(UInt64(length), descriptor, UInt64(offset))
        }
        guard let mhd else { return .NO }
        defer { MHD_destroy_response(mhd) }
        MHD_add_response_header(mhd, "X-Request-Id", context.head.requestId)
        for (name, value) in response.headers { MHD_add_response_header(mhd, name, value) }
        context.status = response.status
        return MHD_queue_response(connection, UInt32(response.status), mhd)
    }

    private func makeHead(_ connection: OpaquePointer, url: UnsafePointer<CChar>, method: UnsafePointer<CChar>) -> RequestHead {
        final class Collector { var headers: [String: String] = [:]; var query: [(name: String, value: String)] = []; var bytes = 0 }
        let collector = Collector()
        let box = Unmanaged.passUnretained(collector).toOpaque()
        MHD_get_connection_values(connection, .HEADER_KIND, { cls, _, key, value in
            guard let cls, let key else { return .YES }
            let c = Unmanaged<Collector>.fromOpaque(cls).takeUnretainedValue()
            let name = String(cString: key).lowercased()
            let text = value.map { String(cString: $0) } ?? ""
            c.bytes += name.utf8.count + text.utf8.count + 4
            c.headers[name] = c.headers[name].map { $0 + ", " + text } ?? text
            return .YES
        }, box)
        MHD_get_connection_values(connection, .GET_ARGUMENT_KIND, { cls, _, key, value in
            guard let cls, let key else { return .YES }
            let c = Unmanaged<Collector>.fromOpaque(cls).takeUnretainedValue()
            c.query.append((name: String(cString: key), value: value.map { String(cString: $0) } ?? ""))
            return .YES
        }, box)
        let requestId = RequestHead.validRequestId(collector.headers["x-request-id"])
            ?? ((try? SecureRandom.bytes(16)).map(Hex.encode) ?? UUID().uuidString.lowercased())
        return RequestHead(method: String(cString: method), rawPath: String(cString: url), rawQuery: collector.query,
                           headers: collector.headers, clientAddress: ListenSocket.numericHost(CMicroHTTPD_client_address(connection)),
                           requestId: requestId, headerBytes: collector.bytes)
    }

    private static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// A settable log function behind a lock (libmicrohttpd's messages).
public final class LockedLogSink: @unchecked Sendable {
    private let lock = NSLock()
    private var sink: (@Sendable (String) -> Void)?
    func withLock(_ body: ((@Sendable (String) -> Void)?) -> Void) { lock.withLock { body(sink) } }
    /// Sets where the messages go.
    public func set(_ sink: @escaping @Sendable (String) -> Void) { lock.withLock { self.sink = sink } }
}

private let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, state in
    guard let cls, let connection, let url, let method, let uploadSize, let state else { return .NO }
    return Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
        .access(connection, url: url, method: method, uploadData: uploadData, uploadSize: uploadSize, state: state)
}

private let completedHandler: MHD_RequestCompletedCallback = { cls, _, state, code in
    guard let cls else { return }
    Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue().completed(state, code: code)
}
