import Foundation
import IngestStore

/// Takes drops from `inbox/<sellerId>/<key>.json` (CONTRACT section 2): every drop ends as a
/// receipt, accepted drops are removed once stored, refused ones move to `rejected/`.
///
/// Order of effects, each durable before the next: store commit → status file → receipt →
/// drop removed (or moved). A crash between any two repeats the drop, which the idempotency
/// key turns into the same answer.
public final class DropFolderIntake: @unchecked Sendable {
    let layout: SpoolLayout
    let store: any VideoStore
    let statusWriter: StatusWriter
    let log = Log.shared
    /// Inbox entries already reported as set aside (reported once, not at every scan).
    private var reportedAside = Set<String>()

    public init(layout: SpoolLayout, store: any VideoStore, statusWriter: StatusWriter) {
        self.layout = layout
        self.store = store
        self.statusWriter = statusWriter
    }

    /// Whether a directory entry is a drop the daemon reads: `*.json`, not starting with `.`.
    static func isDropName(_ name: String) -> Bool { !name.hasPrefix(".") && name.hasSuffix(".json") }

    /// One pass over the inbox. Returns how many drops were answered, and the seller folders seen.
    /// `watch` is called with each seller folder before it is scanned (the intake loop's inotify
    /// watch: a drop landing during the scan is then seen by the scan or by an event).
    @discardableResult
    public func scan(config: IngestConfig, now: Date = Date(), watch: (String) -> Void = { _ in }) -> (answered: Int, sellerFolders: [String]) {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: layout.inbox) else { return (0, []) }
        var answered = refuseUndecodableDrops(inSeller: nil)
        var folders: [String] = []
        for entry in entries.sorted() {
            let path = layout.inbox + "/" + entry
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFLNK, !Self.isDropName(entry) {
                // A symlink is never followed, not even to a seller folder elsewhere; it stays where it is.
                setAside(entry, reason: "a symbolic link in inbox/ is never followed (a seller folder must be a real folder); left in place")
            } else if info.st_mode & S_IFMT == S_IFDIR {
                if IntakeService.isValidName(entry) {
                    folders.append(path)
                    watch(path)
                    answered += scanSeller(entry, config: config, now: now)
                } else {
                    // A folder whose name is no sellerId: each drop in it is refused, keeping the folder name.
                    for name in drops(in: path) {
                        refuse(relative: entry + "/" + name, errors: [RequestError(.bodyRequired, field: nil,
                            message: "The inbox folder \"\(entry)\" is not a valid seller id (1-64 of A-Z, a-z, 0-9, '.', '_', '-').")])
                        answered += 1
                    }
                }
            } else if Self.isDropName(entry) {
                refuse(relative: entry, errors: [RequestError(.bodyRequired, field: nil,
                    message: "A drop must be inside inbox/<sellerId>/; files directly in inbox/ are refused.")])
                answered += 1
            }
        }
        return (answered, folders)
    }

    /// Scans only the given seller folders (paths under `inbox/`, from inotify events); a path that
    /// is no longer a real folder with a seller id for a name is skipped (the next full scan says
    /// why). Returns how many drops were answered.
    func scan(sellerFolders: [String], config: IngestConfig, now: Date = Date()) -> Int {
        var answered = 0
        for path in sellerFolders {
            let entry = (path as NSString).lastPathComponent
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, IntakeService.isValidName(entry) else { continue }
            answered += scanSeller(entry, config: config, now: now)
        }
        return answered
    }

    /// The drops of one folder, oldest first (modification time, then name); `listed` is the
    /// folder's listing if the caller has it (names that are not UTF-8 are not among the drops:
    /// `refuseUndecodableDrops` answers those).
    private func drops(in folder: String, listed: [UndecodableNames.Entry]? = nil) -> [String] {
        let entries = listed ?? UndecodableNames.entries(Array(folder.utf8))
        let names = entries.compactMap { String(validating: $0.bytes, as: UTF8.self) }
        return names.filter(Self.isDropName).map { name -> (String, Int, Int) in
            var info = stat()
            lstat(folder + "/" + name, &info)
            return (name, info.st_mtim.tv_sec, info.st_mtim.tv_nsec)
        }.sorted { ($0.1, $0.2, $0.0) < ($1.1, $1.2, $1.0) }.map(\.0)
    }

    /// Logs once that an inbox entry is left alone, and why.
    private func setAside(_ entry: String, reason: String) {
        guard reportedAside.insert(entry).inserted else { return }
        log.warn("inbox entry set aside: \(reason)", stage: "intake", extra: [("entry", .string(entry))])
    }

    /// Answers one seller folder's drops, oldest first, in group commits of up to `batchLimit`
    /// drops (and no more than the seller's create allowance): one store transaction, one pass of
    /// status files, one of receipts, one of removals, each with one fsync pass and one fsync per
    /// folder. The order of effects per drop is the same as for a single drop, so a crash at any
    /// point repeats whole drops, which their keys answer alike.
    private func scanSeller(_ sellerId: String, config: IngestConfig, now: Date) -> Int {
        let folder = layout.inbox + "/" + sellerId
        let listed = UndecodableNames.entries(Array(folder.utf8))
        let undecodable = refuseUndecodableDrops(inSeller: sellerId, listed: listed)
        let pending = drops(in: folder, listed: listed)
        guard !pending.isEmpty else { return undecodable }
        let created: Int
        do { created = try store.countCreates(sellerId: sellerId, since: now.addingTimeInterval(-60)) } catch {
            log.error("cannot read the intake rate: \(error)", sellerId: sellerId, stage: "intake")
            return 0
        }
        var allowance = config.intake.createsPerMinutePerSeller - created
        var answered = undecodable
        let service = IntakeService(store: store, config: config, origin: statusWriter.origin)
        var next = 0
        while next < pending.count {
            guard allowance > 0 else {
                log.info("rate limit reached; \(pending.count - next) drops wait for a later minute", sellerId: sellerId, stage: "intake")
                break
            }
            var batch: [(drop: InboxDrop, request: CreateRequest)] = []
            while next < pending.count, batch.count < min(allowance, Self.batchLimit) {
                let name = pending[next]
                next += 1
                let drop = InboxDrop(sellerId: sellerId, name: name, inbox: layout.inbox)
                switch DropFile.read(drop.path) {
                case .notReady: continue
                case .refused(let reason):
                    refuse(relative: drop.relative, errors: [RequestError(.bodyRequired, field: nil, message: reason)])
                    answered += 1
                case .body(let body):
                    switch service.prepare(sellerId: sellerId, key: drop.key, body: body) {
                    case .rejected(let rejection):
                        refuse(relative: drop.relative, errors: rejection.errors)
                        answered += 1
                    case .ready(let request):
                        batch.append((drop, request))
                    }
                }
            }
            guard !batch.isEmpty else { continue }
            guard let (done, createdNow) = answer(batch, service: service, now: now) else { return answered }
            answered += done
            allowance -= createdNow
        }
        return answered
    }

    /// The most drops one group commit takes: enough to share the fsyncs, few enough that the
    /// first drop of a burst is answered within milliseconds.
    static let batchLimit = 256

    /// Stores a batch in one transaction, then answers it: status files, receipts, drops removed.
    /// Returns how many were answered and how many videos are new, or nil when the store or the
    /// spool failed (the batch stays in the inbox and is answered again later).
    private func answer(_ batch: [(drop: InboxDrop, request: CreateRequest)], service: IntakeService, now: Date) -> (answered: Int, created: Int)? {
        let outcomes: [IntakeService.Outcome]
        do { outcomes = try service.commit(batch.map(\.request), now: now) } catch {
            log.error("cannot store the requests; they stay in the inbox (\(batch.count) drops): \(error)", sellerId: batch[0].drop.sellerId, stage: "intake")
            return nil
        }
        var accepted: [(drop: InboxDrop, videoId: String, isNew: Bool)] = []
        for ((drop, _), outcome) in zip(batch, outcomes) {
            switch outcome {
            case .accepted(let videoId, let isNew): accepted.append((drop, videoId, isNew))
            case .rejected(let rejection): refuse(relative: drop.relative, errors: rejection.errors)
            }
        }
        CrashPoint.reached(.afterStoreBeforeReceipt)
        do {
            try statusWriter.write(videoIds: accepted.map(\.videoId))
            try AtomicFile.writeAll(accepted.map { entry in
                (AtomicFile.jsonText(IntakeService.Outcome.accepted(videoId: entry.videoId, created: entry.isNew).receipt),
                 layout.receipts + "/" + entry.drop.relative)
            })
            CrashPoint.reached(.afterReceiptBeforeRemove)
            try AtomicFile.removeAll(accepted.map(\.drop.path))
        } catch {
            log.error("cannot answer the drops; they will be answered again (\(accepted.count) drops): \(error)", sellerId: batch[0].drop.sellerId, stage: "intake")
            return nil
        }
        for entry in accepted {
            log.info(entry.isNew ? "request accepted" : "request repeated; same video", videoId: entry.videoId, sellerId: entry.drop.sellerId,
                     stage: "intake", extra: [("key", .string(entry.drop.key))])
        }
        return (batch.count, accepted.filter(\.isNew).count)
    }

    /// Writes the error receipt, then moves the drop to `rejected/` under the same relative path.
    private func refuse(relative: String, errors: [RequestError]) {
        do {
            try AtomicFile.writeJSON(RequestError.document(errors), to: layout.receipts + "/" + relative)
            try keepEarlierRejected(layout.rejected + "/" + relative)
            try AtomicFile.move(layout.inbox + "/" + relative, to: layout.rejected + "/" + relative)
            log.info("request refused: " + errors.map(\.code).joined(separator: ", "), stage: "intake",
                     extra: [("drop", .string(relative))])
        } catch {
            log.error("cannot refuse the drop; it will be tried again: \(error)", stage: "intake", extra: [("drop", .string(relative))])
        }
    }

    /// A drop refused earlier under the same name is kept: it moves aside to
    /// `<name>.replaced-<unix ms>` before the new refusal takes its place (a rename would otherwise
    /// overwrite the earlier file, or fail for ever on a non-empty folder of that name).
    func keepEarlierRejected(_ destination: String) throws(AtomicFile.Failure) {
        var info = stat()
        guard lstat(destination, &info) == 0 else { return }
        let aside = destination + ".replaced-\(Int64(Date().timeIntervalSince1970 * 1000))"
        try AtomicFile.move(destination, to: aside)
        log.info("an earlier rejected drop of the same name moved aside", stage: "intake", extra: [("path", .string(aside))])
    }
}
