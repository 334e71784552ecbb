import Foundation

/// Opens the store the config names (CONTRACT section 10): `store.url` null keeps the embedded
/// SQLite file in the spool; a `postgresql://` or `postgres://` URL names a PostgreSQL database
/// shared by a fleet. Every caller gets its `any VideoStore` here and never names a driver.
public enum StoreOpener {
    /// The URL schemes of PostgreSQL (libpq's connection URIs).
    public static let postgresSchemes = ["postgresql", "postgres"]

    /// Opens the store: `url` nil → `SQLiteVideoStore(path: sqlitePath)`; a PostgreSQL URL → the
    /// PostgreSQL driver, with the password from `passwordFile` when given. Throws a `StoreError`
    /// (`.misuse` for a URL that is neither, whatever the driver throws when opening fails).
    public static func open(url: String?, sqlitePath: String, passwordFile: String?) throws -> any VideoStore {
        guard let url else { return try SQLiteVideoStore(path: sqlitePath) }
        guard isPostgresURL(url) else {
            throw StoreError(.misuse, "store.url must be null or a postgresql:// URL, not \(StoreURL.redacted(url))")
        }
        return try PostgresVideoStore(url: url, passwordFile: passwordFile)
    }

    /// Whether `url` is a PostgreSQL connection URI (`postgresql://` or `postgres://`).
    public static func isPostgresURL(_ url: String) -> Bool {
        guard let scheme = URLComponents(string: url)?.scheme?.lowercased() else { return false }
        return postgresSchemes.contains(scheme) && url.lowercased().hasPrefix(scheme + "://")
    }
}

/// Store URLs as they may appear in logs and errors.
public enum StoreURL {
    /// `url` with the password of its user part (and a `password=` query parameter) replaced by
    /// `***`; a text that is no URL comes back as `(unparseable store.url)`, since it may hold one.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "(unparseable store.url)" }
        if components.password != nil { components.password = "***" }
        if let items = components.queryItems {
            components.queryItems = items.map { item in
                item.name.lowercased() == "password" ? URLQueryItem(name: item.name, value: "***") : item
            }
        }
        return components.string ?? "(unparseable store.url)"
    }
}
