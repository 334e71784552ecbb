import Foundation
import IngestCore
import TestHTTPServer
import XCTest

/// Every category of upload of issue 9 (`SampleMedia/uniform/`, made by `SampleMedia/make-samples.sh`) goes through
/// the real daemon, downloaded from a real server on 127.0.0.1, and each rendition is judged by `ffprobe`/`ffmpeg`
/// (not by our own probe) against every point of CONTRACT section 4's uniform rendition.
final class UniformRenditionEndToEndTests: XCTestCase {
    static let folder = DaemonHarness.samples + "/uniform"
    /// The samples that must fail, with their code; every other sample must reach SUCCESS.
    static let failures: [String: String] = [
        "duration_7.9s.mp4": "seller.integration.video.duration.invalid",
        "duration_120.1s.mp4": "seller.integration.video.duration.invalid",
        "half_undecodable.mp4": "seller.integration.video.optimization.failed",
    ]

    func testEverySampleCategory_becomesTheUniformRendition_judgedByFFprobe() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 38, "make-samples.sh makes one sample per category")
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.fileRoot = Self.folder
        let harness = try DaemonHarness(["limits.allowedFormats": .array([.string("mp4"), .string("mov"), .string("webm")]),
                                         "workers": .integer(2)])
        try harness.startDaemon()
        defer { XCTAssertEqual(try? harness.stopDaemon(), 0) }

        var ids: [(String, String)] = []
        for (i, name) in names.enumerated() {
            try harness.drop(seller: "s", key: "k\(i)", body: DaemonHarness.body(url: server.url("/files/" + name)))
            ids.append((name, try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k\(i)"))))
        }
        for (name, id) in ids {
            let doc = try harness.waitForFinalStatus(id, timeout: 300)
            if let code = Self.failures[name] {
                XCTAssertEqual(doc["status"], .string("FAILED"), "\(name): \(doc.compact)")
                XCTAssertEqual(doc["errorCode"], .string(code), name)
                XCTAssertFalse(FileManager.default.fileExists(atPath: harness.spool + "/media/\(id)/video_hd.mp4"), name)
                continue
            }
            XCTAssertEqual(doc["status"], .string("SUCCESS"), "\(name): \(doc.compact)")
            guard doc["status"] == .string("SUCCESS") else { continue }
            try assertUniform(rendition: harness.spool + "/media/\(id)/video_hd.mp4", source: Self.folder + "/" + name, name: name)
        }
        XCTAssertFalse(harness.logLines().contains { $0.contains("misses the uniform rendition") },
                       "the verifier refused no rendition: \(harness.logLines().filter { $0.contains("misses") })")
    }

    /// Every point of the uniform rendition, checked with ffprobe and ffmpeg.
    private func assertUniform(rendition: String, source: String, name: String) throws {
        let out = try FFprobeTool.streams(of: rendition), input = try FFprobeTool.streams(of: source)
        let videos = out.streams.filter { $0["codec_type"] as? String == "video" }
        let audios = out.streams.filter { $0["codec_type"] as? String == "audio" }
        XCTAssertEqual(videos.count, 1, name)
        let video = try XCTUnwrap(videos.first, name)
        XCTAssertEqual(video["codec_name"] as? String, "h264", name)
        XCTAssertTrue(["Constrained Baseline", "Baseline", "Main", "High"].contains(video["profile"] as? String ?? ""),
                      "\(name): profile \(video["profile"] ?? "none")")
        XCTAssertEqual(video["pix_fmt"] as? String, "yuv420p", name)
        XCTAssertNotEqual(video["color_range"] as? String, "pc", "\(name): limited range")
        XCTAssertFalse(["smpte2084", "arib-std-b67"].contains(video["color_transfer"] as? String ?? ""), "\(name): SDR")
        XCTAssertTrue(["progressive", nil].contains(video["field_order"] as? String), "\(name): \(video["field_order"] ?? "")")
        let width = try XCTUnwrap(video["width"] as? Int), height = try XCTUnwrap(video["height"] as? Int)
        XCTAssertTrue(width % 2 == 0 && height % 2 == 0, "\(name): \(width)x\(height) is even")
        XCTAssertTrue(["1:1", "0:1", nil].contains(video["sample_aspect_ratio"] as? String), "\(name): square pixels")
        XCTAssertEqual(Self.rotation(of: video), 0, "\(name): the rotation is applied, not left to the player")
        let sourceVideo = try XCTUnwrap(input.streams.first { $0["codec_type"] as? String == "video" })
        let expectedAspect = Self.displayAspect(of: sourceVideo)
        XCTAssertEqual(Double(width) / Double(height) / expectedAspect, 1, accuracy: 0.01,
                       "\(name): \(width)x\(height) keeps the displayed aspect \(expectedAspect)")
        for key in ["avg_frame_rate", "r_frame_rate"] {
            XCTAssertLessThanOrEqual(Self.rate(video[key]), 30.01, "\(name): \(key) \(video[key] ?? "")")
        }
        let sourceHasAudio = input.streams.contains { $0["codec_type"] as? String == "audio" }
        XCTAssertEqual(audios.count, sourceHasAudio ? 1 : 0, "\(name): exactly one audio track when the source has audio")
        if let audio = audios.first {
            XCTAssertEqual(audio["codec_name"] as? String, "aac", name)
            XCTAssertEqual(audio["profile"] as? String, "LC", name)
            XCTAssertEqual(audio["sample_rate"] as? String, "48000", name)
            XCTAssertEqual(audio["channels"] as? Int, 2, name)
        }
        let expected = try XCTUnwrap([try FFprobeTool.span(of: source, stream: "v"), try FFprobeTool.span(of: source, stream: "a")]
            .compactMap { $0 }.max(), name)
        let actual = try XCTUnwrap([try FFprobeTool.span(of: rendition, stream: "v"), try FFprobeTool.span(of: rendition, stream: "a")]
            .compactMap { $0 }.max(), name)
        XCTAssertEqual(actual, expected, accuracy: 0.5, "\(name): duration")
        XCTAssertTrue(try FFprobeTool.moovBeforeMdat(rendition), "\(name): moov before mdat")
        XCTAssertEqual(try FFprobeTool.decodeErrors(of: rendition), "", "\(name): clean decode")
        if name.hasPrefix("hdr_") {
            // Tone-mapped, not washed out: more colour than a plain 10→8-bit conversion of the same HDR picture gives.
            let naive = try FFprobeTool.saturation(of: source, filter: "format=yuv420p")
            let mapped = try FFprobeTool.saturation(of: rendition)
            XCTAssertGreaterThan(mapped, naive * 1.4, "\(name): saturation \(mapped), a plain conversion gives \(naive)")
            XCTAssertEqual(video["color_transfer"] as? String, "bt709", name)
            XCTAssertEqual(video["color_primaries"] as? String, "bt709", name)
        }
    }

    /// The display-matrix rotation ffprobe reports (0 when none).
    private static func rotation(of stream: [String: Any]) -> Int {
        let sideData = stream["side_data_list"] as? [[String: Any]] ?? []
        let degrees = sideData.compactMap { $0["rotation"] as? Int }.first ?? 0
        return ((degrees % 360) + 360) % 360
    }

    /// Width × pixel aspect / height, inverted for a quarter-turn rotation.
    private static func displayAspect(of stream: [String: Any]) -> Double {
        let width = Double(stream["width"] as? Int ?? 1), height = Double(stream["height"] as? Int ?? 1)
        var pixel = 1.0
        if let sar = stream["sample_aspect_ratio"] as? String {
            let parts = sar.split(separator: ":").compactMap { Double($0) }
            if parts.count == 2, parts[0] > 0, parts[1] > 0 { pixel = parts[0] / parts[1] }
        }
        let aspect = width * pixel / height
        return [90, 270].contains(rotation(of: stream)) ? 1 / aspect : aspect
    }

    /// "num/den" as a number (0 when unknown).
    private static func rate(_ value: Any?) -> Double {
        let parts = (value as? String ?? "0/1").split(separator: "/").compactMap { Double($0) }
        return parts.count == 2 && parts[1] > 0 ? parts[0] / parts[1] : 0
    }
}
