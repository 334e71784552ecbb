import XCTest
@testable import IngestDownload

/// NetworkAddress parsing and classification, CIDR, AddressPolicy.
final class AddressClassificationTests: XCTestCase {
    func address(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> NetworkAddress {
        guard let address = NetworkAddress(text) else {
            XCTFail("cannot parse \(text)", file: file, line: line)
            return .ipv4(0)
        }
        return address
    }

    func testNonPublicIPv4_everyRange_edgesIncluded() {
        let blocked = [
            "0.0.0.0", "0.255.255.255", "10.0.0.0", "10.255.255.255", "100.64.0.0", "100.127.255.255",
            "127.0.0.1", "127.0.0.2", "127.255.255.255", "169.254.0.0", "169.254.169.254", "169.254.255.255",
            "172.16.0.0", "172.31.255.255", "192.0.0.0", "192.0.0.255", "192.0.2.0", "192.0.2.255",
            "192.168.0.0", "192.168.255.255", "198.18.0.0", "198.19.255.255", "198.51.100.0", "198.51.100.255",
            "203.0.113.0", "203.0.113.255", "224.0.0.0", "239.255.255.255", "240.0.0.0", "255.255.255.255",
        ]
        for text in blocked {
            XCTAssertFalse(address(text).isPublic, "\(text) should be non-public")
        }
    }

    func testPublicIPv4_justOutsideRanges() {
        let allowed = [
            "1.0.0.0", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
            "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.0", "192.0.3.0",
            "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "198.51.99.255", "198.51.101.0",
            "203.0.112.255", "203.0.114.0", "223.255.255.255",
        ]
        for text in allowed {
            XCTAssertTrue(address(text).isPublic, "\(text) should be public: \(address(text).nonPublicRange ?? "")")
        }
    }

    func testNonPublicIPv6_everyRange() {
        let blocked = [
            "::", "::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "64:ff9b::7f00:1",
            "64:ff9b::a00:1", "64:ff9b:1::c0a8:101", "fc00::1", "fdff:ffff::1", "fe80::1", "febf:ffff::1",
            "ff02::1", "ff00::", "2001:db8::1", "2001:db8:ffff::1", "100::1", "100::ffff:ffff:ffff:ffff",
            "2002:7f00:1::1", "2002:a00:1::", "2002:c0a8:101::1", "::127.0.0.1", "4000::1",
        ]
        for text in blocked {
            XCTAssertFalse(address(text).isPublic, "\(text) should be non-public")
        }
    }

    func testPublicIPv6_includingEmbeddedPublicIPv4() {
        let allowed = ["2606:4700:4700::1111", "2a00:1450:4001::1", "::ffff:8.8.8.8", "64:ff9b::808:808",
                       "64:ff9b:1::808:808", "2002:808:808::1", "2001:db9::1"]
        for text in allowed {
            XCTAssertTrue(address(text).isPublic, "\(text) should be public: \(address(text).nonPublicRange ?? "")")
        }
        // Outside 2000::/3 (unallocated) is refused, also just past 100::/64.
        XCTAssertFalse(address("fbff:ffff::1").isPublic)
        XCTAssertFalse(address("100:0:0:1::1").isPublic)
    }

    func testEmbeddedIPv4_forms() {
        XCTAssertEqual(address("::ffff:127.0.0.2").embeddedIPv4, address("127.0.0.2"))
        XCTAssertEqual(address("64:ff9b::c0a8:101").embeddedIPv4, address("192.168.1.1"))
        XCTAssertEqual(address("64:ff9b:1::a00:1").embeddedIPv4, address("10.0.0.1"))
        XCTAssertEqual(address("2002:a9fe:a9fe::1").embeddedIPv4, address("169.254.169.254"))
        XCTAssertNil(address("2001:db8::1").embeddedIPv4)
        XCTAssertNil(address("10.0.0.1").embeddedIPv4)
    }

    func testParse_rejectsAlternateIPv4Forms() {
        for text in ["2130706433", "0x7f000001", "0177.0.0.1", "127.1", "127.0.0.1.", " 127.0.0.1", "::ffff:1.2.3", "1.2.3.256", ""] {
            XCTAssertNil(NetworkAddress(text), text)
        }
    }

    func testDescription_roundTrips() {
        for text in ["127.0.0.1", "::1", "2001:db8::1", "::ffff:127.0.0.2", "255.255.255.255"] {
            XCTAssertEqual(address(text).description, text)
        }
    }

    func testCIDR_parseAndContains() throws {
        let loopback = try CIDR("127.0.0.0/8")
        XCTAssertTrue(loopback.contains(address("127.255.0.1")))
        XCTAssertFalse(loopback.contains(address("128.0.0.1")))
        XCTAssertTrue(loopback.contains(address("::ffff:127.0.0.9")), "IPv4 range covers the mapped form")
        XCTAssertFalse(loopback.contains(address("::1")))

        let host = try CIDR("127.0.0.1")
        XCTAssertEqual(host.prefixLength, 32)
        XCTAssertTrue(host.contains(address("127.0.0.1")))
        XCTAssertFalse(host.contains(address("127.0.0.2")))

        XCTAssertEqual(try CIDR("10.1.2.3/8"), try CIDR("10.0.0.0/8"))
        XCTAssertEqual(try CIDR("10.1.2.3/8").description, "10.0.0.0/8")
        XCTAssertTrue(try CIDR("0.0.0.0/0").contains(address("8.8.8.8")))

        let ula = try CIDR("fd00::/8")
        XCTAssertTrue(ula.contains(address("fd12:3456::1")))
        XCTAssertFalse(ula.contains(address("fc00::1")))
        XCTAssertEqual(try CIDR("::1").prefixLength, 128)
        XCTAssertTrue(try CIDR("::ffff:0:0/96").contains(address("10.0.0.1")), "IPv6 mapped range covers IPv4")
    }

    func testCIDR_rejectsMalformed() {
        for text in ["", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/8/8", "10/8", "localhost", "10.0.0.0/+8"] {
            XCTAssertNil(CIDR.parse(text), text)
            XCTAssertThrowsError(try CIDR(text), text) { error in
                XCTAssertEqual((error as? DownloadError)?.failure, .invalidConfig)
            }
        }
    }

    func testAddressPolicy_allowedNetworksOverrideNonPublic() throws {
        let policy = AddressPolicy(allowedNetworks: [try CIDR("127.0.0.1/32"), try CIDR("10.0.0.0/8")])
        XCTAssertTrue(policy.allows(address("127.0.0.1")))
        XCTAssertTrue(policy.allows(address("10.9.9.9")))
        XCTAssertTrue(policy.allows(address("8.8.8.8")))
        XCTAssertFalse(policy.allows(address("127.0.0.2")))
        XCTAssertFalse(policy.allows(address("::1")))
        XCTAssertFalse(policy.allows(address("169.254.169.254")))
        XCTAssertTrue(policy.refusal(for: address("192.168.0.1"))?.contains("192.168.0.0/16") ?? false)
        XCTAssertFalse(AddressPolicy().allows(address("127.0.0.1")))
    }
}
