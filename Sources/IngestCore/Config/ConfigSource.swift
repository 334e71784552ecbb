import Foundation

/// The config in force, shared by every thread of the daemon. A reload that fails keeps the
/// previous config and says why; each stage reads `current` when it starts, so a change applies
/// to every stage that starts after it.
public final class ConfigSource: @unchecked Sendable {
    private let lock = NSLock()
    private var config: IngestConfig
    private var fileStamp: (Int, Int)?
    /// The file reloads read (nil: built-in defaults only).
    public let path: String?

    public init(path: String?, initial: IngestConfig) {
        self.path = path
        self.config = initial
        self.fileStamp = path.flatMap(Self.stamp)
    }

    /// The config in force now.
    public var current: IngestConfig { lock.withLock { config } }

    /// Re-reads the file. Returns the new config, or nil when it was invalid or unchanged
    /// (`force` reloads even when the file looks unchanged, as SIGHUP does).
    @discardableResult
    public func reload(force: Bool) -> IngestConfig? {
        guard let path else { return nil }
        let stamp = Self.stamp(path)
        if !force, let stamp, let old = lock.withLock({ fileStamp }), old == stamp { return nil }
        lock.withLock { fileStamp = stamp }
        do {
            let fresh = try ConfigLoader.load(path: path, mustExist: true)
            let changed = lock.withLock { () -> Bool in
                defer { config = fresh }
                return config != fresh
            }
            Log.shared.info(changed ? "config reloaded" : "config reloaded; nothing changed", extra: [("config", .string(path))])
            return fresh
        } catch {
            Log.shared.error("config not reloaded; the previous config stays in force: \(error)", extra: [("config", .string(path))])
            return nil
        }
    }

    /// The file's modification time, to notice edits.
    private static func stamp(_ path: String) -> (Int, Int)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (info.st_mtim.tv_sec, info.st_mtim.tv_nsec ^ Int(info.st_size) << 32 ^ Int(info.st_ino))
    }
}
