/// What a rate-limit reservation (`VideoStore.reserve`) gave.
public enum RateGrant: Equatable, Sendable {
    /// `count` places (1 or more), all counted in `second` (Unix seconds).
    case granted(count: Int, second: Int64)
    /// None free: the whole seconds until one frees up (at least 1).
    case refused(waitSeconds: Int)
}
