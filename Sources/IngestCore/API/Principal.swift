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
        guard let token = bearerToken(authorization) else { return nil }
        let digest = SHA256.digest(token)
        var found: Principal?
        for key in keys where ConstantTime.equal(digest, key.sha256) {
            if found == nil { found = key.sellerId.map(Principal.seller) ?? .admin }
        }
        return found
    }

    /// The token bytes of `Bearer <token>` (scheme in any case, spaces and tabs around the token
    /// ignored), or nil. Byte-wise: this runs on every request.
    static func bearerToken(_ authorization: String?) -> [UInt8]? {
        guard let authorization, authorization.utf8.count <= 4096 else { return nil }
        let bytes = Array(authorization.utf8)
        func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
        var start = 0
        while start < bytes.count, bytes[start] == 0x20 { start += 1 }
        let scheme = Array("bearer".utf8)
        guard bytes.count - start > scheme.count, zip(bytes[start..<(start + scheme.count)], scheme).allSatisfy({ $0 | 0x20 == $1 }),
              bytes[start + scheme.count] == 0x20 else { return nil }
        var first = start + scheme.count, last = bytes.count
        while first < last, isBlank(bytes[first]) { first += 1 }
        while last > first, isBlank(bytes[last - 1]) { last -= 1 }
        return first < last ? Array(bytes[first..<last]) : nil
    }
}

import Foundation
