import Glibc

/// An IPv4 or IPv6 address, as connected to or as written in a CIDR.
///
/// Parsing accepts only the canonical textual forms (`inet_pton`): dotted-quad
/// decimal IPv4 and RFC 4291 IPv6. Classification (`nonPublicRange`) is pure Swift.
public enum NetworkAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 address, host byte order (`127.0.0.1` is `0x7f00_0001`).
    case ipv4(UInt32)
    /// An IPv6 address, the 128 bits read big-endian (`::1` is `1`).
    case ipv6(UInt128)

    /// Parses `"192.0.2.1"` or `"2001:db8::1"`; returns nil for anything else
    /// (including the alternate IPv4 forms `0x7f000001`, `0177.0.0.1`, `127.1`).
    public init?(_ text: String) {
        if text.contains(":") {
            var raw = in6_addr()
            guard inet_pton(AF_INET6, text, &raw) == 1 else { return nil }
            self = NetworkAddress(in6: raw)
        } else {
            var raw = in_addr()
            guard inet_pton(AF_INET, text, &raw) == 1 else { return nil }
            self = .ipv4(UInt32(bigEndian: raw.s_addr))
        }
    }

    /// Builds an address from a C `in6_addr` (network byte order).
    public init(in6 raw: in6_addr) {
        var value: UInt128 = 0
        withUnsafeBytes(of: raw) { bytes in
            for byte in bytes { value = (value << 8) | UInt128(byte) }
        }
        self = .ipv6(value)
    }

    /// The address in its usual textual form (`inet_ntop`).
    public var description: String {
        switch self {
        case .ipv4(let value):
            return "\(value >> 24).\((value >> 16) & 0xff).\((value >> 8) & 0xff).\(value & 0xff)"
        case .ipv6(let value):
            var raw = in6_addr()
            withUnsafeMutableBytes(of: &raw) { bytes in
                for index in 0..<16 { bytes[index] = UInt8(truncatingIfNeeded: value >> UInt128(8 * (15 - index))) }
            }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// The IPv4 address an IPv6 address stands for, when it has one:
    /// IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`
    /// (RFC 6052, /96 form: the last 32 bits), and 6to4 `2002:AABB:CCDD::/16`.
    /// Nil for IPv4 addresses and other IPv6 addresses.
    public var embeddedIPv4: NetworkAddress? {
        guard case .ipv6(let value) = self else { return nil }
        let low32 = UInt32(truncatingIfNeeded: value)
        if value >> 32 == 0xffff { return .ipv4(low32) }                       // ::ffff:0:0/96
        if value >> 32 == 0x0064_ff9b_0000_0000_0000_0000 { return .ipv4(low32) } // 64:ff9b::/96
        if value >> 80 == 0x0064_ff9b_0001 { return .ipv4(low32) }             // 64:ff9b:1::/48
        if value >> 112 == 0x2002 { return .ipv4(UInt32(truncatingIfNeeded: value >> 80)) } // 2002::/16
        return nil
    }

    /// True when the address is globally routable: not in any range of
    /// `nonPublicRange`.
    public var isPublic: Bool { nonPublicRange == nil }

    /// The name of the special-purpose range that makes this address non-public
    /// (loopback, private, link-local, documentation, multicast, ...), or nil
    /// when it is public. IPv6 forms that embed an IPv4 address are judged by
    /// that IPv4 address; IPv6 outside `2000::/3` (global unicast) is non-public.
    public var nonPublicRange: String? {
        switch self {
        case .ipv4:
            return SpecialRanges.ipv4.first { $0.cidr.contains(self) }?.name
        case .ipv6(let value):
            if let embedded = embeddedIPv4 {
                guard let inner = embedded.nonPublicRange else { return nil }
                return "\(inner) (embedded in \(description))"
            }
            if let range = SpecialRanges.ipv6.first(where: { $0.cidr.contains(self) }) { return range.name }
            if value >> 125 != 0b001 { return "outside global unicast 2000::/3" }
            return nil
        }
    }
}

/// The special-purpose ranges the downloader refuses unless allowed by config.
enum SpecialRanges {
    /// A range and what it is for; described as `"10.0.0.0/8 (private)"`.
    struct SpecialRange: Sendable {
        let cidr: CIDR
        let purpose: String
        init(_ network: NetworkAddress, _ prefixLength: Int, _ purpose: String) {
            cidr = CIDR(network: network, prefixLength: prefixLength)
            self.purpose = purpose
        }
        var name: String { "\(cidr) (\(purpose))" }
    }

    static let ipv4: [SpecialRange] = [
        SpecialRange(.ipv4(0x0000_0000), 8, "this network"),
        SpecialRange(.ipv4(0x0a00_0000), 8, "private"),
        SpecialRange(.ipv4(0x6440_0000), 10, "carrier-grade NAT"),
        SpecialRange(.ipv4(0x7f00_0000), 8, "loopback"),
        SpecialRange(.ipv4(0xa9fe_0000), 16, "link-local"),
        SpecialRange(.ipv4(0xac10_0000), 12, "private"),
        SpecialRange(.ipv4(0xc000_0000), 24, "IETF protocol assignments"),
        SpecialRange(.ipv4(0xc000_0200), 24, "documentation"),
        SpecialRange(.ipv4(0xc0a8_0000), 16, "private"),
        SpecialRange(.ipv4(0xc612_0000), 15, "benchmarking"),
        SpecialRange(.ipv4(0xc633_6400), 24, "documentation"),
        SpecialRange(.ipv4(0xcb00_7100), 24, "documentation"),
        SpecialRange(.ipv4(0xe000_0000), 4, "multicast"),
        SpecialRange(.ipv4(0xf000_0000), 4, "reserved, broadcast"),
    ]

    static let ipv6: [SpecialRange] = [
        SpecialRange(.ipv6(0), 128, "unspecified"),
        SpecialRange(.ipv6(1), 128, "loopback"),
        SpecialRange(.ipv6(0), 96, "IPv4-compatible, deprecated"),
        SpecialRange(.ipv6(0x0100 << 112), 64, "discard"),
        SpecialRange(.ipv6(0x2001_0db8 << 96), 32, "documentation"),
        SpecialRange(.ipv6(0xfc00 << 112), 7, "unique local"),
        SpecialRange(.ipv6(0xfe80 << 112), 10, "link-local"),
        SpecialRange(.ipv6(0xff00 << 112), 8, "multicast"),
    ]
}
