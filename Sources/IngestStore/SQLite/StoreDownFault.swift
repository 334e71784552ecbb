import Foundation

/// Test-only: makes the SQLite driver behave like a store that is away, as a PostgreSQL server
/// that stopped would. With `VIDEO_INGEST_STORE_DOWN=<path>` in the environment, every call on a
/// `SQLiteVideoStore` (and opening one) throws `StoreError(.unavailable)` while a file exists at
/// `<path>`; removing the file brings the store back. Without the variable nothing is checked.
public enum StoreDownFault {
    /// The environment variable naming the marker file.
    public static let environmentVariable = "VIDEO_INGEST_STORE_DOWN"

    private static let marker: String? = {
        guard let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty else { return nil }
        return path
    }()

    /// Throws `.unavailable` while the marker file exists.
    static func check() throws {
        guard let marker, access(marker, F_OK) == 0 else { return }
        throw StoreError(.unavailable, "the store does not answer (test fault: \(environmentVariable) marker \(marker) exists)")
    }
}
