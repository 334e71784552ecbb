/// The cooperative cancellation check polled between packets.
enum Cancellation {
    /// Throws `MediaError(.cancelled)` when `shouldCancel` says so.
    static func check(_ shouldCancel: (() -> Bool)?) throws {
        if shouldCancel?() == true { throw MediaError(.cancelled, "optimization cancelled") }
    }
}
