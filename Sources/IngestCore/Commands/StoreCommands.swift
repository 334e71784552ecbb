import Foundation
import IngestStore

/// `video-ingest store migrate --to URL` (CONTRACT section 10): copies the spool's embedded
/// SQLite store into an empty PostgreSQL database, with the daemon stopped.
public enum StoreCommands {
    /// Why `url` cannot be the target of `store migrate` (not a `postgresql://` URL), or nil.
    public static func problem(withTarget url: String) -> String? {
        StoreOpener.isPostgresURL(url) ? nil : "--to must be a postgresql:// URL, not \(StoreURL.redacted(url))"
    }

    /// Copies the store of the spool (`--spool`, or the config's `spoolDirectory`) into the
    /// database of `url`, in one transaction, and prints each table's row count. Holds the spool's
    /// daemon lock meanwhile: a running daemon makes it fail (and none can start during the copy).
    /// The SQLite file is only read. The password comes as for `store.url` (`PGPASSWORD`,
    /// `.pgpass`, or the config's `store.passwordFile`).
    public static func migrate(to url: String, configPath: String?, spool: String?) -> CommandResult {
        do {
            let config = try ConfigLoader.load(option: configPath)
            let layout = SpoolLayout(root: spool ?? config.spoolDirectory)
            guard FileManager.default.fileExists(atPath: layout.databasePath) else {
                return .failure("no embedded store at \(layout.databasePath): nothing to migrate")
            }
            let lock: SpoolLock
            do { lock = try SpoolLock(path: layout.lockPath) } catch {
                return .failure("\(error): stop the daemon before store migrate")
            }
            let counts = try withExtendedLifetime(lock) {
                try StoreMigration.copySQLite(at: layout.databasePath, toPostgres: url, passwordFile: config.store.passwordFile,
                                              spoolOrigin: try SpoolOrigin.spoolId(layout))
            }
            return .ok(.object([
                ("from", .string(layout.databasePath)),
                ("to", .string(StoreURL.redacted(url))),
                ("rows", .object(counts.map { ($0.table, .integer(Int64($0.rows))) })),
            ]))
        } catch {
            return .failure("store migrate: \(error)")
        }
    }
}
