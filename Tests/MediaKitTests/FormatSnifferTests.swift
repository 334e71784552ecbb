import XCTest
@testable import MediaKit

/// Crafted byte arrays for every rule of CONTRACT section 4.
final class FormatSnifferTests: XCTestCase {
    private func box(_ type: String, size: UInt32 = 24, payload: [UInt8] = []) -> [UInt8] {
        let s = [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
        return s + Array(type.utf8) + payload
    }
    private func ftyp(_ brand: String) -> [UInt8] {
        box("ftyp", size: 20, payload: Array(brand.utf8) + [0, 0, 2, 0] + Array("isom".utf8)) + box("moov", size: 8)
    }
    private func ebml(docType: String) -> [UInt8] {
        [0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, UInt8(0x80 | docType.utf8.count)]
            + Array(docType.utf8) + [0x42, 0x87, 0x81, 0x02]
    }

    func testSniff_ftypWithIsomBrand_isMp4() {
        XCTAssertEqual(FormatSniffer.sniff(ftyp("isom")), .mp4)
        XCTAssertEqual(FormatSniffer.sniff(ftyp("mp42")), .mp4)
        XCTAssertEqual(FormatSniffer.sniff(ftyp("M4V ")), .mp4)
    }

    func testSniff_ftypWithQuickTimeBrand_isMov() {
        XCTAssertEqual(FormatSniffer.sniff(ftyp("qt  ")), .mov)
    }

    func testSniff_classicQuickTimeAtoms_areMov() {
        for atom in ["moov", "mdat", "wide", "free", "skip", "pnot"] {
            XCTAssertEqual(FormatSniffer.sniff(box(atom, size: 8) + box("mdat", size: 8)), .mov, atom)
        }
    }

    func testSniff_otherLeadingAtom_isUnknown() {
        XCTAssertNil(FormatSniffer.sniff(box("abcd", size: 8) + box("moov", size: 8)))
    }

    func testSniff_riffAvi_isAvi_andRiffWave_isUnknown() {
        XCTAssertEqual(FormatSniffer.sniff(Array("RIFF".utf8) + [1, 2, 3, 4] + Array("AVI LIST".utf8)), .avi)
        XCTAssertNil(FormatSniffer.sniff(Array("RIFF".utf8) + [1, 2, 3, 4] + Array("WAVEfmt ".utf8)))
    }

    func testSniff_ebmlWebm_isWebm_andMatroska_isUnknown() {
        XCTAssertEqual(FormatSniffer.sniff(ebml(docType: "webm")), .webm)
        XCTAssertNil(FormatSniffer.sniff(ebml(docType: "matroska")))
    }

    func testSniff_textEmptyAndShortInputs_areUnknown() {
        XCTAssertNil(FormatSniffer.sniff(Array("#EXTM3U\n#EXT-X-VERSION:3\n".utf8)))
        XCTAssertNil(FormatSniffer.sniff(Array("ffconcat version 1.0\nfile /etc/passwd\n".utf8)))
        XCTAssertNil(FormatSniffer.sniff([UInt8]()))
        XCTAssertNil(FormatSniffer.sniff([0, 0, 0, 20, 0x66, 0x74]))
        XCTAssertNil(FormatSniffer.sniff(box("ftyp", size: 8)))
    }

    func testPathExtension_ignoresQueryFragmentAndHost() {
        XCTAssertEqual(FormatSniffer.pathExtension(ofURLOrPath: "https://cdn.example.com/a/video.MP4?x=1.mov#t=2"), "MP4")
        XCTAssertEqual(FormatSniffer.pathExtension(ofURLOrPath: "https://cdn.example.com"), "")
        XCTAssertEqual(FormatSniffer.pathExtension(ofURLOrPath: "https://cdn.example.com/watch"), "")
        XCTAssertEqual(FormatSniffer.pathExtension(ofURLOrPath: "https://cdn.example.com/v1.2-final"), "")
        XCTAssertEqual(FormatSniffer.pathExtension(ofURLOrPath: "/tmp/clip.mov"), "mov")
        XCTAssertEqual(FormatSniffer.pathExtension(ofURLOrPath: "/tmp/.hidden"), "")
    }

    func testCheck_extensionMustNameTheContentsFormat() {
        let mp4 = ftyp("isom"), mov = ftyp("qt  ")
        let allowed: Set<ContainerFormat> = [.mp4, .mov]
        XCTAssertEqual(FormatSniffer.check(header: mp4, name: "http://h/v.mp4", allowed: allowed), .accepted(.mp4))
        XCTAssertEqual(FormatSniffer.check(header: mp4, name: "http://h/v.m4v", allowed: allowed), .accepted(.mp4))
        XCTAssertEqual(FormatSniffer.check(header: mov, name: "http://h/v.qt", allowed: allowed), .accepted(.mov))
        XCTAssertEqual(FormatSniffer.check(header: mov, name: "http://h/v", allowed: allowed), .accepted(.mov))
        XCTAssertEqual(FormatSniffer.check(header: mov, name: "http://h/v.mp4", allowed: allowed),
                       .rejected(.extensionMismatch(claimed: .mp4, content: .mov)))
        XCTAssertEqual(FormatSniffer.check(header: mp4, name: "http://h/v.m3u8", allowed: allowed),
                       .rejected(.unknownExtension("m3u8")))
        XCTAssertEqual(FormatSniffer.check(header: Array("hello".utf8), name: "v.mp4", allowed: allowed),
                       .rejected(.unrecognizedContent))
    }

    func testCheck_webmAndAvi_onlyWhenAllowed() {
        let avi = Array("RIFF".utf8) + [1, 2, 3, 4] + Array("AVI LIST".utf8)
        XCTAssertEqual(FormatSniffer.check(header: avi, name: "v.avi", allowed: [.mp4, .mov]), .rejected(.formatNotAllowed(.avi)))
        XCTAssertEqual(FormatSniffer.check(header: avi, name: "v.avi", allowed: [.mp4, .avi]), .accepted(.avi))
        XCTAssertEqual(FormatSniffer.check(header: avi, name: "v.mp4", allowed: [.mp4, .avi]),
                       .rejected(.extensionMismatch(claimed: .mp4, content: .avi)))
        XCTAssertEqual(FormatSniffer.check(header: ebml(docType: "webm"), name: "v.webm", allowed: [.webm]), .accepted(.webm))
    }

    func testSniff_committedSamples_matchTheirFormats() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("SampleMedia")
        let expected: [String: ContainerFormat?] = [
            "h264_aac_10s.mp4": .mp4, "mpeg4_10s.mov": .mov, "sample_10s.avi": .avi,
            "sample_10s.webm": .webm, "truncated.mp4": .mp4, "text.mp4": nil,
        ]
        for (name, format) in expected {
            let data = try Data(contentsOf: root.appendingPathComponent(name))
            XCTAssertEqual(FormatSniffer.sniff(data.prefix(FormatSniffer.headerLength)), format, name)
        }
    }
}
