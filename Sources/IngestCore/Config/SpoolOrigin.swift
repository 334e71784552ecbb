import Foundation
import IngestStore

/// The origin a spool records for the videos it takes in (`VideoOrigin`, CONTRACT section 10): the
/// spool whose daemon keeps their status files (and receipts) current.
///
/// - With the embedded store (`store.url` null) it is `VideoOrigin.embeddedSpool`: that store
///   belongs to this spool alone.
/// - With a shared store it is the spool's own id, a random UUID kept in `state/spool-id`,
///   created at the first use (by the daemon, `enqueue` or the API, whichever comes first; two at
///   once agree: the id is linked into place, never overwritten). The id, not the host name or the
///   path, names the spool, so a renamed host or a moved spool keeps its videos.
public enum SpoolOrigin {
    /// The origin of `layout` under `config`'s store.
    public static func of(_ layout: SpoolLayout, config: IngestConfig) throws -> String {
        config.store.url == nil ? VideoOrigin.embeddedSpool : try spoolId(layout)
    }

    /// The id in `state/spool-id`, created when missing.
    static func spoolId(_ layout: SpoolLayout) throws -> String {
        let path = layout.state + "/spool-id"
        if let known = read(path) { return known }
        let candidate = layout.state + "/.spool-id.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        try AtomicFile.write(Data((UUID().uuidString.lowercased() + "\n").utf8), to: candidate)
        defer { unlink(candidate) }
        if link(candidate, path) != 0 && errno != EEXIST { throw AtomicFile.Failure(path: path, call: "link", errno: errno) }
        try AtomicFile.syncDirectory(layout.state)
        guard let id = read(path) else { throw AtomicFile.Failure(path: path, call: "read", errno: EIO) }
        return id
    }

    private static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }
}
