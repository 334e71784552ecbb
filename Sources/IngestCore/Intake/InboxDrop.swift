import Foundation

/// Where one drop of a seller folder is, and the names derived from it.
struct InboxDrop: Sendable {
    /// The seller (the inbox folder's name).
    let sellerId: String
    /// The idempotency key: the file name without `.json`.
    let key: String
    /// `<sellerId>/<name>`, the same under `inbox/`, `receipts/` and `rejected/`.
    let relative: String
    /// The drop file's path in the inbox.
    let path: String

    /// The drop `name` (ending in `.json`) of `sellerId`'s folder under `inbox`.
    init(sellerId: String, name: String, inbox: String) {
        self.sellerId = sellerId
        self.key = String(name.dropLast(5))
        self.relative = sellerId + "/" + name
        self.path = inbox + "/" + relative
    }
}
