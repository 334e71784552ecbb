/// A network range such as `10.0.0.0/8`, `127.0.0.1/32` or `fd00::/8`.
///
/// Host bits below the prefix are cleared (`10.1.2.3/8` is `10.0.0.0/8`).
/// A bare address is a single-host range (`/32` or `/128`).
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the range.
    public let network: NetworkAddress
    /// The number of leading bits that are fixed (0...32 or 0...128).
    public let prefixLength: Int

    /// Parses `"address/prefix"` or a bare address.
    /// - Throws: `DownloadError` with failure `.invalidConfig` when malformed.
    public init(_ text: String) throws(DownloadError) {
        guard let parsed = CIDR.parse(text) else {
            throw DownloadError(.invalidConfig, "invalid CIDR range \"\(text)\" in download.allowedNetworks")
        }
        self = parsed
    }

    /// Parses `"address/prefix"` or a bare address; nil when malformed.
    public static func parse(_ text: String) -> CIDR? {
        let parts = text.trimmedOfSpaces().split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = NetworkAddress(String(parts[0])) else { return nil }
        let width: Int
        switch address {
        case .ipv4: width = 32
        case .ipv6: width = 128
        }
        var prefix = width
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(parts[1]), value <= width else { return nil }
            prefix = value
        }
        return CIDR(network: address, prefixLength: prefix)
    }

    /// Builds a range from an address and a prefix length (clamped to the
    /// address width); host bits are cleared.
    public init(network: NetworkAddress, prefixLength: Int) {
        switch network {
        case .ipv4(let value):
            let prefix = max(0, min(32, prefixLength))
            let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
            self.network = .ipv4(value & mask)
            self.prefixLength = prefix
        case .ipv6(let value):
            let prefix = max(0, min(128, prefixLength))
            let mask: UInt128 = prefix == 0 ? 0 : ~UInt128(0) << UInt128(128 - prefix)
            self.network = .ipv6(value & mask)
            self.prefixLength = prefix
        }
    }

    /// True when `address` lies in this range. An IPv4 range also matches the
    /// IPv4-mapped IPv6 form of its addresses (`::ffff:a.b.c.d`), and an IPv6
    /// range matches an IPv4 address whose mapped form it contains.
    public func contains(_ address: NetworkAddress) -> Bool {
        switch (network, address) {
        case (.ipv4(let base), .ipv4(let value)):
            return prefixLength == 0 || (base ^ value) >> UInt32(32 - prefixLength) == 0
        case (.ipv6(let base), .ipv6(let value)):
            return prefixLength == 0 || (base ^ value) >> UInt128(128 - prefixLength) == 0
        case (.ipv4, .ipv6(let value)):
            guard value >> 32 == 0xffff else { return false }
            return contains(.ipv4(UInt32(truncatingIfNeeded: value)))
        case (.ipv6, .ipv4(let value)):
            return contains(.ipv6(UInt128(0xffff) << 32 | UInt128(value)))
        }
    }

    /// `"127.0.0.0/8"`.
    public var description: String { "\(network)/\(prefixLength)" }
}
