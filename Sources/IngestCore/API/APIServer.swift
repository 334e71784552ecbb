import Foundation
import IngestHTTP
import IngestStore

/// The daemon's HTTP API (CONTRACT section 8): the libmicrohttpd server with the config's
/// limits, the API handler, its store connections and the rate limiter. On SIGTERM the daemon
/// calls `drain`: `/readyz` answers 503 at once, new API requests 503, requests in flight get
/// up to 10 s, then the listener closes.
final class APIServer: @unchecked Sendable {
    /// libmicrohttpd's worker threads (each with its own epoll set).
    static let threads = 4
    /// Connections one client address may hold (slowloris from one address cannot fill the server).
    static func perAddressLimit(_ maxConnections: Int) -> Int { max(8, maxConnections / 4) }

    let handler: APIHandler
    let server: HTTPServer

    init(listen: String, configSource: ConfigSource, layout: SpoolLayout, onCreated: @escaping @Sendable () -> Void) throws {
        let config = configSource.current.http
        let open = { [configSource] in try configSource.current.openStore(layout: layout) }
        let stores = try StorePool(count: Self.threads, open: open)
        handler = APIHandler(configSource: configSource, layout: layout, stores: stores,
                             limiter: RateReservations(limiter: try open()), metrics: Metrics.shared, onCreated: onCreated)
        HTTPServer.libraryLog.set { Log.shared.warn("libmicrohttpd: \($0)") }
        server = try HTTPServer(
            .init(listen: listen, threads: Self.threads, maxConnections: config.maxConnections,
                  perAddressConnections: Self.perAddressLimit(config.maxConnections), timeoutSeconds: config.requestTimeoutSeconds),
            handler: handler)
    }

    /// The address served, with the real port.
    var address: String { (server.host.contains(":") ? "[\(server.host)]" : server.host) + ":\(server.port)" }

    /// Stops taking new work at once, lets requests in flight finish for up to `timeout`, closes.
    func drain(timeout: Double = 10) {
        handler.draining = true
        if !server.waitUntilIdle(timeout: timeout) {
            Log.shared.warn("http: \(server.inFlight) requests still in flight after \(Int(timeout)) s; closing")
        }
        server.stop()
    }
}
