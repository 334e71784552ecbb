import IngestCrypto

/// Who is asking: a seller (sees only its own videos) or an admin (moderation).
enum Principal: Equatable, Sendable {
    case seller(String)
    case admin

    var sellerId: String? { if case .seller(let id) = self { return id } else { return nil } }

    /// The principal of `Authorization: Bearer <key>`: the key's SHA-256 is compared with every
    /// configured digest in constant time (all of them, whatever matches), so neither timing nor
    /// the order of `http.apiKeys` tells anything about a key.
    static func authenticate(_ authorization: String?, keys: [IngestConfig.APIKey]) -> Principal? {
        guard let authorization, authorization.utf8.count <= 4096 else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { return nil }
        let digest = SHA256.digest(Array(token.utf8))
        var found: Principal?
        for key in keys where ConstantTime.equal(digest, key.sha256) {
            if found == nil { found = key.sellerId.map(Principal.seller) ?? .admin }
        }
        return found
    }
}

import Foundation
