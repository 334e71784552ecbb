import Foundation
import IngestStore

/// The commands that read or change a spool while the daemon runs (they share its SQLite store;
/// WAL readers do not block it): `enqueue`, `list`, `status`, `approve`, `reject`, `delete`.
public struct SpoolCommands {
    let config: IngestConfig
    let layout: SpoolLayout

    /// Loads the config (`--config`, which must then exist, or the default file if present) and
    /// resolves the spool (`--spool`, or the config's `spoolDirectory`).
    public init(configPath: String?, spool: String?) throws(ConfigError) {
        config = try ConfigLoader.load(option: configPath)
        layout = SpoolLayout(root: spool ?? config.spoolDirectory, mediaDirectory: config.publish.mediaDirectory)
    }

    /// The commands on an already resolved layout and config (tests).
    static func forTests(layout: SpoolLayout, config: IngestConfig) -> SpoolCommands { SpoolCommands(config: config, layout: layout) }

    private init(config: IngestConfig, layout: SpoolLayout) {
        self.config = config
        self.layout = layout
    }

    func openStore() throws -> any VideoStore {
        do { try layout.create() } catch { throw DaemonError("cannot create the spool \(layout.root): \(error)") }
        let store = try config.openStore(layout: layout)
        try store.setOutbox({ [config] in config.outboxRouting })
        return store
    }

    /// `enqueue`: the request goes through the same validation and store code as a drop, and its
    /// receipt is written under `receipts/` as a drop's would be.
    public func enqueue(sellerId: String, key: String?, file: String) -> CommandResult {
        guard let body = FileManager.default.contents(atPath: file) else { return .failure("cannot read \(file)") }
        let name = (file as NSString).lastPathComponent
        let key = key ?? (name.hasSuffix(".json") ? String(name.dropLast(5)) : name)
        do {
            let store = try openStore()
            let origin = try SpoolOrigin.of(layout, config: config)
            let outcome = try IntakeService(store: store, config: config, origin: origin).submit(sellerId: sellerId, key: key, body: body)
            if IntakeService.isValidName(sellerId) && IntakeService.isValidName(key) {
                try AtomicFile.writeJSON(outcome.receipt, to: layout.receipts + "/\(sellerId)/\(key).json")
            }
            switch outcome {
            case .accepted(let id, _):
                try StatusWriter(layout: layout, store: store, origin: origin).write(videoIds: [id])
                return .ok(outcome.receipt)
            case .rejected(let rejection):
                return .invalid(rejection.errors)
            }
        } catch {
            return .failure("\(error)")
        }
    }

    /// `list`: newest first, paged (CONTRACT section 5).
    public func list(sellerId: String?, id: String?, status: String?, stuck: Bool = false, page: Int, size: Int) -> CommandResult {
        var parsedStatus: VideoStatus?
        if let status {
            guard let s = VideoStatus(rawValue: status) else { return .invalid([RequestError(.invalidStatus, field: "status")]) }
            parsedStatus = s
        }
        do {
            let result = try openStore().list(ListQuery(sellerId: sellerId, id: id, status: parsedStatus, stuck: stuck, page: page, size: size))
            return .ok(Self.listDocument(result, page: page, size: size))
        } catch {
            return .failure("\(error)")
        }
    }

    /// `status ID`: the video's status document.
    public func status(videoId: String) -> CommandResult {
        do {
            guard let video = try openStore().video(id: videoId.lowercased()) else { return .failure("no video with id \(videoId)") }
            return .ok(StatusDocument.json(video))
        } catch {
            return .failure("\(error)")
        }
    }

    /// `retry ID`: a `stuck` job goes back to the queue (a running daemon picks it up); prints the
    /// video's document. Exit 1 when the video's job is not stuck.
    public func retry(videoId: String) -> CommandResult {
        let id = videoId.lowercased()
        do {
            let store = try openStore()
            let changed = try store.retryStuck(videoId: id)
            try StatusWriter(layout: layout, store: store, origin: try SpoolOrigin.of(layout, config: config)).write(videoIds: changed)
            guard let video = try store.video(id: id) else { return .failure("no video with id \(videoId)") }
            return .ok(StatusDocument.json(video))
        } catch let error as StoreError where error.code == .notFound {
            return .failure("no video with id \(videoId)")
        } catch {
            return .failure("\(error)")
        }
    }

    /// The moderation actions of CONTRACT section 6.
    public enum Moderation: Sendable { case approve, reject(reason: String?), delete }

    /// `approve`, `reject` or `delete`: changes the store, rewrites every changed status file and
    /// prints the video's new document. `delete` cancels the video's unsettled job in the same
    /// transaction (the daemon's worker notices within half a second, kills its media child and
    /// removes its scratch); the HTTP API calls the same store functions.
    public func moderate(videoId: String, _ action: Moderation) -> CommandResult {
        do {
            guard let video = try Self.moderate(videoId: videoId, action, store: try openStore(), layout: layout,
                                                origin: try SpoolOrigin.of(layout, config: config)) else {
                return .failure("no video with id \(videoId)")
            }
            return .ok(StatusDocument.json(video))
        } catch {
            return .failure("\(error)")
        }
    }

    /// Applies a moderation action (the CLI's and the HTTP API's one code path): changes the store,
    /// removes media of a deleted video, rewrites every changed status file of this spool (`origin`;
    /// the other spools' daemons rewrite theirs). Returns the video's new record, or nil for an unknown id.
    public static func moderate(videoId: String, _ action: Moderation, store: any VideoStore, layout: SpoolLayout,
                                origin: String) throws -> VideoRecord? {
        let id = videoId.lowercased()
        guard let before = try store.video(id: id) else { return nil }
        let changed: [String]
        switch action {
        case .approve: changed = try store.approve(videoId: id)
        case .reject(let reason): changed = try store.reject(videoId: id, reason: reason)
        case .delete:
            changed = try store.delete(videoId: id)
            try? FileManager.default.removeItem(atPath: layout.mediaFolder(videoId: id))
            // An upload its job has not taken yet goes too.
            if let token = Uploads.token(ofVideoUrl: before.videoUrl) { try? FileManager.default.removeItem(atPath: Uploads.path(layout, token: token)) }
        }
        try StatusWriter(layout: layout, store: store, origin: origin).write(videoIds: changed + [id])
        return try store.video(id: id)
    }

    /// The list response of CONTRACT section 5 for one page (the CLI's and the HTTP API's).
    public static func listDocument(_ result: ListPage, page: Int, size: Int) -> JSONValue {
        let totalPages = (result.total + size - 1) / size
        return .object([
            ("meta", .object([("page", .integer(Int64(page))), ("total", .integer(Int64(result.total))),
                              ("totalPage", .integer(Int64(totalPages))), ("size", .integer(Int64(size)))])),
            ("data", .array(result.items.map(StatusDocument.json))),
        ])
    }
}
