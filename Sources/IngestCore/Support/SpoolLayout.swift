import Foundation

/// The spool's paths (CONTRACT section 2). Users see inbox, receipts, rejected, status and media;
/// the daemon keeps its store and scratch space beside them.
public struct SpoolLayout: Sendable, Equatable {
    /// The spool folder, absolute.
    public let root: String
    /// Where renditions are written and served from (`publish.mediaDirectory`, CONTRACT section
    /// 10), absolute: by default the spool's `media/`.
    public let media: String

    /// `mediaDirectory` is absolute or relative to the spool; nil is the spool's `media/`.
    public init(root: String, mediaDirectory: String? = nil) {
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        self.root = (absolute as NSString).standardizingPath
        media = Self.mediaPath(mediaDirectory, spool: self.root)
    }

    /// The absolute media folder `mediaDirectory` names for the (absolute) `spool`.
    public static func mediaPath(_ mediaDirectory: String?, spool: String) -> String {
        guard let mediaDirectory else { return spool + "/media" }
        return ((mediaDirectory.hasPrefix("/") ? mediaDirectory : spool + "/" + mediaDirectory) as NSString).standardizingPath
    }

    public var inbox: String { root + "/inbox" }
    public var receipts: String { root + "/receipts" }
    public var rejected: String { root + "/rejected" }
    public var status: String { root + "/status" }
    /// The daemon's own state: the SQLite store and the lock file.
    public var state: String { root + "/state" }
    /// Per-job scratch folders (downloads and renditions in the making).
    public var scratch: String { root + "/scratch" }
    /// Videos uploaded over HTTP, waiting for their job (`Uploads`); `.upload-*.part` while arriving.
    public var uploads: String { root + "/uploads" }
    public var databasePath: String { state + "/ingest.sqlite" }
    public var lockPath: String { state + "/daemon.lock" }
    /// Taken (`flock`) by every process while it writes a status file, so the newest document wins.
    public var statusLockPath: String { state + "/status.lock" }

    public func statusFile(videoId: String) -> String { status + "/\(videoId).json" }
    public func mediaFolder(videoId: String) -> String { media + "/\(videoId)" }
    public func scratchFolder(videoId: String) -> String { scratch + "/\(videoId)" }

    /// Creates every folder of the layout (0750).
    public func create() throws(AtomicFile.Failure) {
        for folder in [inbox, receipts, rejected, status, media, state, scratch, uploads] { try AtomicFile.makeDirectories(folder) }
    }
}
