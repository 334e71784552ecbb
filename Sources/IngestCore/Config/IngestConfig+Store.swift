import Foundation
import IngestStore

extension IngestConfig {
    /// Opens the store `store.url` names (null: the SQLite file of `layout`), through `StoreOpener`.
    public func openStore(layout: SpoolLayout) throws -> any VideoStore {
        try StoreOpener.open(url: store.url, sqlitePath: layout.databasePath, passwordFile: store.passwordFile)
    }
}
