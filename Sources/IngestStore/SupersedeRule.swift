import Foundation

/// The supersede rule of CONTRACT section 6, without any engine: which product-id claims flip.
///
/// Within one seller, for one product content id p: `holder(p)` is the newest (greatest seq) of
/// that seller's videos that requested p, are SUCCESS, not REJECTED and not deleted. Every video v
/// of the seller that requested p shows p when v is neither deleted nor rejected and (there is no
/// holder, or v is not older than the holder). A driver reads the claims of (seller, p) in the
/// transaction of the change, applies `flipped`, and writes the flags it returns.
public enum SupersedeRule {
    /// One video's request of the product id, as stored.
    public struct Claim: Sendable, Equatable {
        public let videoId: String
        /// The product id's position in the video's request.
        public let position: Int64
        /// Whether the video shows the product id now.
        public let shown: Bool
        public let seq: Int64
        /// SUCCESS, not REJECTED, not deleted: the video can hold the id.
        public let holds: Bool
        /// Not REJECTED, not deleted: the video can show the id.
        public let eligible: Bool

        public init(videoId: String, position: Int64, shown: Bool, seq: Int64, holds: Bool, eligible: Bool) {
            self.videoId = videoId
            self.position = position
            self.shown = shown
            self.seq = seq
            self.holds = holds
            self.eligible = eligible
        }
    }

    /// The claims whose `shown` flag must flip (each still with its old `shown`).
    public static func flipped(_ claims: [Claim]) -> [Claim] {
        let holderSeq = claims.filter(\.holds).map(\.seq).max()
        return claims.filter { claim in
            let shown = claim.eligible && (holderSeq.map { claim.seq >= $0 } ?? true)
            return shown != claim.shown
        }
    }
}
