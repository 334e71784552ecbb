import Foundation
import IngestHTTP
import IngestStore

/// The HTTP API of CONTRACT section 8 behind libmicrohttpd: routing, authentication, rate
/// limits and body rules are decided from the head (`plan`), before any body byte is read;
/// the endpoints answer once the body is in (`respond`). Handlers only read and commit to the
/// store; the pipeline runs on the daemon's workers.
final class APIHandler: HTTPHandler, @unchecked Sendable {
    /// The largest JSON body (CONTRACT section 8).
    static let maxJSONBytes = 64 * 1024
    /// Room for the text fields of an upload beside the file.
    static let maxUploadFieldBytes = 256 * 1024
    /// The largest header fields together (larger: 431 with the error envelope).
    static let maxHeaderBytes = 64 * 1024

    let configSource: ConfigSource
    let layout: SpoolLayout
    let stores: StorePool
    let limiter: RateReservations
    let metrics: Metrics
    let log = Log.shared
    /// Called after a create committed a job (wakes idle workers).
    let onCreated: @Sendable () -> Void
    private let drainingFlag = LockedValue(false)

    init(configSource: ConfigSource, layout: SpoolLayout, stores: StorePool, limiter: RateReservations, metrics: Metrics,
         onCreated: @escaping @Sendable () -> Void) {
        self.configSource = configSource
        self.layout = layout
        self.stores = stores
        self.limiter = limiter
        self.metrics = metrics
        self.onCreated = onCreated
    }

    /// While draining, `/readyz` answers 503 and every other API request 503 `unavailable`.
    var draining: Bool {
        get { drainingFlag.withValue { $0 } }
        set { drainingFlag.withValue { $0 = newValue } }
    }

    // MARK: - HTTPHandler

    func plan(_ head: RequestHead) -> BodyPlan {
        if head.headerBytes > Self.maxHeaderBytes {
            return .respond(APIResponse.error(.headersTooLarge, headers: [("Connection", "close")]))
        }
        guard let route = Route.match(head.rawPath) else { return .respond(APIResponse.error(.notFound)) }
        guard route.methods.contains(head.method) else { return .respond(APIResponse.methodNotAllowed(route)) }
        if route.isPublic { return .none }
        if draining { return .respond(APIResponse.error(.unavailable, message: "The service is shutting down.", headers: [("Connection", "close")])) }
        let config = configSource.current
        guard let principal = Principal.authenticate(head.header("authorization"), keys: config.http.apiKeys) else {
            return .respond(APIResponse.error(.unauthorized, headers: [("WWW-Authenticate", "Bearer")]))
        }
        if let refusal = permission(route, head.method, principal) { return .respond(refusal) }
        if let seller = principal.sellerId, let kind = RateKind(route, head.method) {
            let limit = kind == .create ? config.intake.createsPerMinutePerSeller : config.http.readsPerMinutePerSeller
            do {
                if let wait = try limiter.take(sellerId: seller, kind: kind.rawValue, limit: limit) {
                    return .respond(APIResponse.error(.rateLimitExceeded, headers: [("Retry-After", String(wait))]))
                }
            } catch {
                log.error("rate limit not checked: \(error)", sellerId: seller, extra: [("requestId", .string(head.requestId))])
                return .respond(APIResponse.error(.unavailable))
            }
        }
        switch (route, head.method) {
        case (.videos, "POST"): return CreateEndpoint.plan(head, config: config, layout: layout)
        case (.approve, _), (.reject, _):
            return BodyRules.lengthProblem(head, max: Self.maxJSONBytes, required: false).map(BodyPlan.respond) ?? .buffer(maxBytes: Self.maxJSONBytes)
        default: return .none
        }
    }

    func respond(_ request: HTTPRequest) -> HTTPResponse {
        let head = request.head
        guard let route = Route.match(head.rawPath) else { return APIResponse.error(.notFound) }
        switch route {
        case .healthz: return APIResponse.json(200, .object([("status", .string("ok"))]))
        case .readyz: return readiness()
        case .metrics: return metrics.exposition(stores: stores)
        default: break
        }
        guard let principal = Principal.authenticate(head.header("authorization"), keys: configSource.current.http.apiKeys) else {
            return APIResponse.error(.unauthorized, headers: [("WWW-Authenticate", "Bearer")])
        }
        do {
            return try stores.with { store in
                let endpoints = VideoEndpoints(store: store, layout: layout, config: configSource.current, principal: principal,
                                               requestId: head.requestId, log: log)
                switch (route, head.method) {
                case (.videos, "POST"):
                    let response = try CreateEndpoint(endpoints: endpoints).create(request)
                    if response.status == 200 { onCreated() }
                    return response
                case (.videos, _): return try endpoints.list(head)
                case (.video(let id), "DELETE"): return try endpoints.moderate(id, .delete)
                case (.video(let id), _): return try endpoints.show(id)
                case (.media(let id, let file), _): return try endpoints.media(id, file, head)
                case (.approve(let id), _): return try endpoints.moderate(id, .approve)
                case (.reject(let id), _): return try endpoints.reject(id, request)
                default: return APIResponse.error(.notFound)
                }
            }
        } catch let error as StoreError where error.code == .notFound {
            return APIResponse.error(.notFound)
        } catch let error as StoreError where error.code == .invalidState {
            return APIResponse.error(.invalidState, message: error.message)
        } catch let error as StoreError where error.isWorkerFault {
            log.warn("store unavailable: \(error)", extra: [("requestId", .string(head.requestId))])
            return APIResponse.error(.unavailable, headers: [("Retry-After", "1")])
        } catch {
            log.error("request failed: \(error)", extra: [("requestId", .string(head.requestId))])
            return APIResponse.error(.internal)
        }
    }

    func finished(_ head: RequestHead, status: Int, seconds: Double, completed: Bool) {
        let label = Route.match(head.rawPath)?.label ?? "other"
        metrics.observeRequest(method: head.method, route: label, status: status, seconds: seconds)
        var extra: [(String, JSONValue)] = [
            ("requestId", .string(head.requestId)), ("method", .string(head.method)), ("route", .string(label)),
            ("status", .integer(Int64(status))), ("ms", .number((seconds * 1e6).rounded() / 1e3)), ("client", .string(head.clientAddress)),
        ]
        if !completed { extra.append(("cut", .bool(true))) }
        log.info("http", extra: extra)
    }

    // MARK: - Rules

    private func readiness() -> HTTPResponse {
        if draining { return APIResponse.error(.unavailable, message: "The service is shutting down.") }
        // /readyz is public: the bucket and the S3 error are in the log (worker fault lines), not here.
        if ObjectStoreHealth.shared.problem != nil {
            return APIResponse.error(.unavailable, message: "The object store refuses to publish; see the daemon's log.")
        }
        do {
            try stores.with { try $0.ping() }
            return APIResponse.json(200, .object([("status", .string("ready"))]))
        } catch {
            return APIResponse.error(.unavailable, message: "The store does not answer.")
        }
    }

    /// 403 where the route is not for this principal: creating and listing are a seller's,
    /// moderation an admin's.
    private func permission(_ route: Route, _ method: String, _ principal: Principal) -> HTTPResponse? {
        switch route {
        case .videos where principal == .admin: return APIResponse.error(.forbidden, message: "Only a seller key creates and lists videos.")
        case .approve, .reject:
            return principal == .admin ? nil : APIResponse.error(.forbidden, message: "Only an admin key moderates videos.")
        default: return nil
        }
    }

    /// What a request counts against.
    enum RateKind: String {
        case create, read
        init?(_ route: Route, _ method: String) {
            switch (route, method) {
            case (.videos, "POST"): self = .create
            case (_, "GET"), (_, "HEAD"): self = .read
            default: return nil
            }
        }
    }
}

/// The checks of a body's announced length.
enum BodyRules {
    /// 411 without a Content-Length (chunked bodies included), 413 over `max`; nil when fine.
    /// With `required` false, no body at all is fine too.
    static func lengthProblem(_ head: RequestHead, max: Int, required: Bool, tooLarge: HTTPResponse? = nil) -> HTTPResponse? {
        if head.header("transfer-encoding") != nil {
            return APIResponse.error(.lengthRequired, message: "Send the body with a Content-Length (chunked bodies are not accepted).")
        }
        guard let text = head.header("content-length") else {
            return required ? APIResponse.error(.lengthRequired) : nil
        }
        guard let length = Int(text), length >= 0 else { return APIResponse.error(.lengthRequired, message: "The Content-Length is not a number.") }
        if length > max { return tooLarge ?? APIResponse.error(.payloadTooLarge, message: "The body is larger than \(max) bytes.") }
        return nil
    }
}
