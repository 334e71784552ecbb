import Foundation
import IngestStore

extension ConfigLoader.Reader {
    /// Reads `notify.*`: the scalars like every other key, then each endpoint object with a reader
    /// of its own, so an unknown key inside an endpoint is reported with its index
    /// (`notify.endpoints[1].secrt is not a known key`). A problem never quotes a secret.
    mutating func notify(_ n: inout IngestConfig.Notify) {
        double("notify.timeoutSeconds", &n.timeoutSeconds, 0.05...300)
        double("notify.retryForSeconds", &n.retryForSeconds, 0...(365 * 86_400))
        double("notify.firstRetrySeconds", &n.firstRetrySeconds, 0.01...8)
        strings("notify.allowedNetworks", &n.allowedNetworks, nonEmpty: false) {
            NetworkRange.isValid($0) ? nil : "holds \"\($0)\", which is not a CIDR range"
        }
        guard let list = value("notify.endpoints") else { return }
        guard case .array(let items) = list else { problems.append("notify.endpoints must be an array of objects"); return }
        var endpoints: [IngestConfig.WebhookEndpoint] = []
        var urls = Set<String>()
        for (index, item) in items.enumerated() {
            let prefix = "notify.endpoints[\(index)]"
            guard case .object = item else { problems.append("\(prefix) must be an object"); continue }
            var reader = ConfigLoader.Reader(root: item)
            if case .string(let url)? = item["url"], !urls.insert(url).inserted {
                reader.problems.append("url is the url of an earlier endpoint (each endpoint needs its own)")
            }
            if let endpoint = reader.endpoint() { endpoints.append(endpoint) }
            reader.reportUnknownKeys()
            problems += reader.problems.map { "\(prefix).\($0)" }
        }
        n.endpoints = endpoints
    }

    /// One endpoint object (this reader's root); nil when a required member is missing or wrong.
    private mutating func endpoint() -> IngestConfig.WebhookEndpoint? {
        var url = ""
        string("url", &url) { text in
            guard text.hasPrefix("http://") || text.hasPrefix("https://"), let parsed = URL(string: text) else { return false }
            return !(parsed.host ?? "").isEmpty
        }
        if url.isEmpty && value("url") == nil { problems.append("url is required") }
        var secret: WebhookSecret?
        switch value("secret") {
        case nil: problems.append("secret is required")
        case .string(let text)?:
            secret = WebhookSecret(text)
            if secret == nil { problems.append("secret must be whsec_ followed by base64 (the value is not shown)") }
        default: problems.append("secret must be a string whsec_… (the value is not shown)")
        }
        var names: [String] = []
        strings("events", &names, nonEmpty: false) {
            EventType(rawValue: $0) != nil ? nil : "names an unknown event \"\($0)\" (\(EventType.allCases.map(\.rawValue).joined(separator: ", ")))"
        }
        var sellerId: String?
        switch value("sellerId") {
        case nil, .null?: break
        case .string(let s)? where IntakeService.isValidName(s): sellerId = s
        default: problems.append("sellerId must be null or a seller id")
        }
        guard !url.isEmpty, let secret else { return nil }
        return IngestConfig.WebhookEndpoint(url: url, secret: secret, events: names.compactMap(EventType.init(rawValue:)),
                                            sellerId: sellerId)
    }
}
