import CFFmpeg
import XCTest
@testable import MediaKit

/// The probe's new facts, the fast-path rule, the duration from the streams and the verifier, on the issue-9 samples
/// (`SampleMedia/uniform/`, made by `SampleMedia/make-samples.sh`).
final class UniformRenditionTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try Samples.scratchDirectory(name) }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    private func probe(_ name: String) throws -> ProbeReport {
        let format: ContainerFormat = name.hasSuffix(".mov") ? .mov : name.hasSuffix(".webm") ? .webm : .mp4
        return try MediaProbe.probe(path: Samples.path("uniform/" + name), format: format)
    }

    private func optimize(_ name: String) throws -> OptimizeResult {
        let format: ContainerFormat = name.hasSuffix(".mov") ? .mov : name.hasSuffix(".webm") ? .webm : .mp4
        return try Optimizer.optimize(input: Samples.path("uniform/" + name), format: format, outputDirectory: scratch.path,
                                      settings: OptimizeSettings(preset: "ultrafast"))
    }

    /// Every packet's payload of the first stream of `type`, in file order, read with a plain demuxer.
    private func payloads(_ path: String, format: ContainerFormat, type: AVMediaType) throws -> [Data] {
        let input = try InputContext(path: path, format: format)
        let index = try XCTUnwrap(input.firstStream(of: type))
        let packet = try Packet()
        var result: [Data] = []
        while input.read(into: packet) {
            defer { packet.unref() }
            if Int(packet.pointer.pointee.stream_index) == index {
                result.append(Data(bytes: packet.pointer.pointee.data, count: Int(packet.pointer.pointee.size)))
            }
        }
        return result
    }

    func testCompliantSource_isRemuxed_andTheCopyIsByteForByteTheSourcesPackets() throws {
        let result = try optimize("compliant.mp4")
        XCTAssertTrue(result.usedFastPath)
        let source = Samples.path("uniform/compliant.mp4")
        for type in [AVMEDIA_TYPE_VIDEO, AVMEDIA_TYPE_AUDIO] {
            let original = try payloads(source, format: .mp4, type: type), copied = try payloads(result.videoPath, format: .mp4, type: type)
            XCTAssertGreaterThan(original.count, 50)
            XCTAssertEqual(copied, original, "stream \(type.rawValue) is copied byte for byte")
        }
    }

    func testMonoAudio_copiesTheVideo_andTranscodesOnlyTheAudio() throws {
        for rate in [8000, 22050, 44100, 48000] {
            let result = try optimize("mono_\(rate).mp4")
            XCTAssertTrue(result.usedFastPath, "\(rate): the H.264 video is copied")
            XCTAssertEqual(try payloads(result.videoPath, format: .mp4, type: AVMEDIA_TYPE_VIDEO),
                           try payloads(Samples.path("uniform/mono_\(rate).mp4"), format: .mp4, type: AVMEDIA_TYPE_VIDEO), "\(rate)")
            let audio = try XCTUnwrap(result.output.primaryAudio)
            XCTAssertEqual([audio.codec, audio.profile, audio.channelLayout], ["aac", "LC", "stereo"], "\(rate)")
            XCTAssertEqual(audio.sampleRate, 48000, "\(rate)")
            XCTAssertEqual(result.output.durationSeconds ?? 0, 9, accuracy: 0.5, "\(rate)")
            try FileManager.default.removeItem(at: scratch)
        }
    }

    func testRenditionPlan_copiesOnlyWhatMeetsEveryPoint() throws {
        let expected: [(String, copyVideo: Bool, copyAudio: Bool, reason: String?)] = [
            ("compliant.mp4", true, true, nil),
            ("bframes_edit_list.mp4", true, true, nil),
            ("fragmented.mp4", true, false, "audio layout mono"),
            ("mono_44100.mp4", true, false, "audio at 44100 Hz"),
            ("mono_48000.mp4", true, false, "audio layout mono"),
            ("surround_5_1.mp4", true, false, "audio layout 5.1"),
            ("pcm_audio.mov", true, false, "audio codec pcm_s16le"),
            ("two_audio_tracks.mp4", true, false, "audio at 44100 Hz"),
            ("anamorphic_240x180.mp4", false, false, "pixel aspect 4:3"),
            ("full_range.mp4", false, false, "pixel format yuvj420p"),
            ("chroma_444.mp4", false, false, "High 4:4:4"),
            ("hevc_8bit.mp4", false, false, "video codec hevc"),
            ("rate_60fps.mp4", false, false, "average frame rate 60"),
            ("variable_frame_rate.mp4", false, false, "real frame rate 60"),
            ("interlaced_mpeg2.mov", false, false, "interlaced (tt)"),
            ("hdr_pq.mov", false, false, "HDR transfer smpte2084"),
            ("rotation_90.mp4", false, false, "rotated 90°"),
            ("size_1440p.mp4", false, false, "over 720p"),
        ]
        for (name, copyVideo, copyAudio, reason) in expected {
            let plan = RenditionPlan(source: try probe(name), settings: OptimizeSettings())
            XCTAssertEqual(plan.copyVideo, copyVideo, "\(name): \(plan.videoReasons)")
            XCTAssertEqual(plan.copyAudio, copyAudio, "\(name): \(plan.audioReasons)")
            if let reason {
                XCTAssertTrue((plan.videoReasons + plan.audioReasons).contains { $0.contains(reason) },
                              "\(name): \(plan.videoReasons + plan.audioReasons) names \(reason)")
            }
        }
    }

    func testProbe_readsPixelAspectColourDepthFieldOrderRatesLayoutsAndDefaultTrack() throws {
        XCTAssertEqual(try probe("anamorphic_1440x1080.mp4").primaryVideo?.picture?.sampleAspectRatio, Ratio(num: 4, den: 3))
        XCTAssertEqual(try probe("anamorphic_1440x1080.mp4").primaryVideo?.displayAspectRatio ?? 0, 16.0 / 9, accuracy: 0.001)
        let pq = try XCTUnwrap(try probe("hdr_pq.mov").primaryVideo?.picture)
        XCTAssertEqual([pq.colorTransfer, pq.colorPrimaries, pq.colorSpace, pq.colorRange], ["smpte2084", "bt2020", "bt2020nc", "tv"])
        XCTAssertEqual(pq.bitDepth, 10)
        XCTAssertEqual(try probe("hdr_hlg.mov").primaryVideo?.picture?.colorTransfer, "arib-std-b67")
        XCTAssertEqual(try probe("full_range.mp4").primaryVideo?.picture?.colorRange, "pc")
        XCTAssertEqual(try probe("chroma_444.mp4").primaryVideo?.picture?.chromaShiftX, 0)
        XCTAssertEqual(try probe("interlaced_mpeg2.mov").primaryVideo?.picture?.fieldOrder, "tt")
        let vfr = try XCTUnwrap(try probe("variable_frame_rate.mp4").primaryVideo?.picture)
        XCTAssertEqual(vfr.averageFrameRate ?? 0, 40, accuracy: 1)
        XCTAssertEqual(vfr.realFrameRate ?? 0, 60, accuracy: 0.1)
        XCTAssertEqual(try probe("surround_5_1.mp4").primaryAudio?.channelLayout, "5.1")
        XCTAssertEqual(try probe("surround_7_1.mp4").primaryAudio?.channels, 8)
        XCTAssertEqual(try probe("mono_8000.mp4").primaryAudio?.sampleRate, 8000)
        XCTAssertEqual(try probe("two_audio_tracks.mp4").renditionAudio?.index, 1, "the first audio track")
        XCTAssertEqual(try probe("two_audio_second_default.mp4").renditionAudio?.index, 2, "the track flagged default wins")
        XCTAssertEqual(try probe("vp9_opus.webm").renditionAudio?.codec, "opus")
    }

    func testDuration_comesFromTheStreams_boundariesExact_headerIgnored() throws {
        for (name, seconds) in [("duration_8s.mp4", 8.0), ("duration_7.9s.mp4", 7.9), ("duration_120s.mp4", 120.0),
                                ("duration_120.1s.mp4", 120.1), ("fragmented.mp4", 9.0), ("bframes_edit_list.mp4", 9.0)] {
            XCTAssertEqual(try XCTUnwrap(try probe(name).durationSeconds), seconds, accuracy: name.hasPrefix("duration") ? 0.001 : 0.2, name)
        }
        let lying = try probe("header_claims_130s.mp4")
        XCTAssertEqual(try XCTUnwrap(lying.headerDurationSeconds), 130, accuracy: 0.01)
        XCTAssertEqual(try XCTUnwrap(lying.durationSeconds), 9, accuracy: 0.01)
    }

    func testSquarePixelSize_keepsTheDisplayedAspect() {
        XCTAssertEqual(RenditionSize.squarePixelWidth(1440, sampleAspect: 4.0 / 3), 1920)
        XCTAssertEqual(RenditionSize.squarePixelWidth(720, sampleAspect: 8.0 / 9), 640)
        XCTAssertEqual(RenditionSize.squarePixelWidth(640, sampleAspect: 1), 640)
        let processor = VideoFrameProcessor(codedWidth: 1440, codedHeight: 1080, sampleAspect: 4.0 / 3, rotation: 90, maxShortSide: 720)
        XCTAssertEqual([processor.width, processor.height], [720, 1280], "square pixels first, then the rotation")
    }

    func testVerifier_refusesARenditionThatMissesAPoint_listingEveryMiss() throws {
        let source = try probe("surround_5_1.mp4")
        XCTAssertThrowsError(try OutputVerifier.verify(path: Samples.path("uniform/surround_5_1.mp4"), source: source, expectAudio: true,
                                                       settings: OptimizeSettings())) { error in
            let media = error as? MediaError
            XCTAssertEqual(media?.code, .verificationFailed)
            XCTAssertTrue(media?.message.contains("audio layout 5.1") ?? false, "\(error)")
            XCTAssertTrue(media?.message.contains("moov is not before mdat") ?? false, "\(error)")
        }
        let anamorphic = try probe("anamorphic_240x180.mp4")
        XCTAssertThrowsError(try OutputVerifier.verify(path: Samples.path("uniform/anamorphic_240x180.mp4"), source: anamorphic,
                                                       expectAudio: true, settings: OptimizeSettings())) { error in
            XCTAssertTrue("\(error)".contains("pixel aspect 4:3"), "\(error)")
        }
    }

    func testHalfUndecodableSource_failsAsTheSourcesFault_beforeTheVerifier() throws {
        XCTAssertThrowsError(try optimize("half_undecodable.mp4")) { error in
            XCTAssertEqual((error as? MediaError)?.code, .decodeFailed, "\(error)")
        }
    }
}
