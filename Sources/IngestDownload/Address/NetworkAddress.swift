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
        case .ipv4(let value):
            return SpecialRanges.ipv4.first { $0.contains(value) }?.name
        case .ipv6(let value):
            if let embedded = embeddedIPv4 {
                guard let inner = embedded.nonPublicRange else { return nil }
                return "\(inner) (embedded in \(description))"
            }
            if let range = SpecialRanges.ipv6.first(where: { $0.contains(value) }) { return range.name }
            if value >> 125 != 0b001 { return "outside global unicast 2000::/3" }
            return nil
        }
    }
}

/// The special-purpose ranges the downloader refuses unless allowed by config.
enum SpecialRanges {
    struct V4Range: Sendable {
        let base: UInt32
        let prefix: Int
        let name: String
        func contains(_ value: UInt32) -> Bool {
            prefix == 0 || (value ^ base) >> UInt32(32 - prefix) == 0
        }
    }

    struct V6Range: Sendable {
        let base: UInt128
        let prefix: Int
        let name: String
        func contains(_ value: UInt128) -> Bool {
            prefix == 0 || (value ^ base) >> UInt128(128 - prefix) == 0
        }
    }

    static let ipv4: [V4Range] = [
        V4Range(base: 0x0000_0000, prefix: 8, name: "0.0.0.0/8 (this network)"),
        V4Range(base: 0x0a00_0000, prefix: 8, name: "10.0.0.0/8 (private)"),
        V4Range(base: 0x6440_0000, prefix: 10, name: "100.64.0.0/10 (carrier-grade NAT)"),
        V4Range(base: 0x7f00_0000, prefix: 8, name: "127.0.0.0/8 (loopback)"),
        V4Range(base: 0xa9fe_0000, prefix: 16, name: "169.254.0.0/16 (link-local)"),
        V4Range(base: 0xac10_0000, prefix: 12, name: "172.16.0.0/12 (private)"),
        V4Range(base: 0xc000_0000, prefix: 24, name: "192.0.0.0/24 (IETF protocol assignments)"),
        V4Range(base: 0xc000_0200, prefix: 24, name: "192.0.2.0/24 (documentation)"),
        V4Range(base: 0xc0a8_0000, prefix: 16, name: "192.168.0.0/16 (private)"),
        V4Range(base: 0xc612_0000, prefix: 15, name: "198.18.0.0/15 (benchmarking)"),
        V4Range(base: 0xc633_6400, prefix: 24, name: "198.51.100.0/24 (documentation)"),
        V4Range(base: 0xcb00_7100, prefix: 24, name: "203.0.113.0/24 (documentation)"),
        V4Range(base: 0xe000_0000, prefix: 4, name: "224.0.0.0/4 (multicast)"),
        V4Range(base: 0xf000_0000, prefix: 4, name: "240.0.0.0/4 (reserved, broadcast)"),
    ]

    static let ipv6: [V6Range] = [
        V6Range(base: 0, prefix: 128, name: "::/128 (unspecified)"),
        V6Range(base: 1, prefix: 128, name: "::1/128 (loopback)"),
        V6Range(base: 0, prefix: 96, name: "::/96 (IPv4-compatible, deprecated)"),
        V6Range(base: 0x0100 << 112, prefix: 64, name: "100::/64 (discard)"),
        V6Range(base: 0x2001_0db8 << 96, prefix: 32, name: "2001:db8::/32 (documentation)"),
        V6Range(base: 0xfc00 << 112, prefix: 7, name: "fc00::/7 (unique local)"),
        V6Range(base: 0xfe80 << 112, prefix: 10, name: "fe80::/10 (link-local)"),
        V6Range(base: 0xff00 << 112, prefix: 8, name: "ff00::/8 (multicast)"),
    ]
}
