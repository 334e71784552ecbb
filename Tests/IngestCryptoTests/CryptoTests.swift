import XCTest
import IngestCrypto

final class CryptoTests: XCTestCase {
    func testSHA256_knownVectors() {
        XCTAssertEqual(SHA256.hex(Array("".utf8)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array(String(repeating: "a", count: 1000).utf8)),
                       "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    func testSHA256Hasher_incrementalEqualsOneShot() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let hasher = SHA256Hasher()
        for chunk in stride(from: 0, to: bytes.count, by: 4093) { hasher.update(bytes[chunk..<min(chunk + 4093, bytes.count)]) }
        XCTAssertEqual(hasher.finish(), SHA256.digest(bytes))
        XCTAssertEqual(Hex.encode(hasher.finish()), SHA256.hex([UInt8]()), "finish starts the hasher over")
    }

    /// RFC 4231 test cases 1 and 2.
    func testHMACSHA256_rfc4231Vectors() {
        let key1 = [UInt8](repeating: 0x0b, count: 20)
        XCTAssertEqual(Hex.encode(HMACSHA256.authenticationCode(key: key1, message: Array("Hi There".utf8))),
                       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        XCTAssertEqual(Hex.encode(HMACSHA256.authenticationCode(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testSecureRandom_givesDistinctBytesOfTheAskedLength() throws {
        let a = try SecureRandom.bytes(32), b = try SecureRandom.bytes(32)
        XCTAssertEqual(a.count, 32)
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(try SecureRandom.bytes(0), [])
    }

    func testConstantTimeEqual_andHexRoundTrip() {
        XCTAssertTrue(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(ConstantTime.equal([1, 2], [1, 2, 3]))
        XCTAssertEqual(Hex.decode("00ffAb"), [0x00, 0xff, 0xab])
        XCTAssertNil(Hex.decode("abc"))
        XCTAssertNil(Hex.decode("zz"))
        XCTAssertEqual(Hex.encode([0x00, 0xff, 0xab]), "00ffab")
    }
}
