import CFFmpeg
import XCTest
@testable import MediaKit

final class MediaProbeTests: XCTestCase {
    private func probe(_ name: String, _ format: ContainerFormat) throws -> ProbeReport {
        try MediaProbe.probe(path: Samples.path(name), format: format)
    }

    private func assertDuration(_ report: ProbeReport, _ expected: Double, file: StaticString = #filePath, line: UInt = #line) {
        guard let duration = report.durationSeconds else { return XCTFail("no duration", file: file, line: line) }
        XCTAssertEqual(duration, expected, accuracy: 0.1, file: file, line: line)
    }

    func testProbe_h264AAC_isFaststartWithBothStreams() throws {
        let report = try probe("h264_aac_10s.mp4", .mp4)
        XCTAssertEqual(report.format, .mp4)
        assertDuration(report, 10.0)
        XCTAssertTrue(report.isFaststart)
        XCTAssertEqual(report.primaryVideo?.codec, "h264")
        XCTAssertEqual(report.primaryVideo?.width, 640)
        XCTAssertEqual(report.primaryVideo?.height, 360)
        XCTAssertEqual(report.primaryVideo?.pixelFormat, "yuv420p")
        XCTAssertEqual(report.primaryVideo?.frameRate ?? 0, 30, accuracy: 0.01)
        XCTAssertNil(report.primaryVideo?.rotationDegrees)
        XCTAssertEqual(report.primaryVideo?.profile, "High")
        XCTAssertEqual(report.primaryAudio?.codec, "aac")
        XCTAssertEqual(report.primaryAudio?.profile, "LC")
        XCTAssertEqual(report.primaryAudio?.channels, 2)
        XCTAssertEqual(report.primaryAudio?.sampleRate, 48_000)
        XCTAssertNotNil(report.bitRate)
        XCTAssertEqual(report.displayWidth, 640)
        XCTAssertEqual(report.displayHeight, 360)
    }

    func testProbe_mpeg4Mov_isNotFaststart() throws {
        let report = try probe("mpeg4_10s.mov", .mov)
        XCTAssertEqual(report.format, .mov)
        assertDuration(report, 10.0)
        XCTAssertFalse(report.isFaststart)
        XCTAssertEqual(report.primaryVideo?.codec, "mpeg4")
        XCTAssertEqual(report.primaryVideo?.width, 320)
        XCTAssertEqual(report.primaryVideo?.height, 240)
        XCTAssertEqual(report.primaryAudio?.codec, "aac")
    }

    func testProbe_noAudio_hasOnlyVideo() throws {
        let report = try probe("no_audio_10s.mp4", .mp4)
        assertDuration(report, 10.0)
        XCTAssertFalse(report.isFaststart)
        XCTAssertTrue(report.hasVideo)
        XCTAssertFalse(report.hasAudio)
        XCTAssertEqual(report.streams.count, 1)
    }

    func testProbe_60fps_reportsFrameRate() throws {
        let report = try probe("h264_60fps_10s.mp4", .mp4)
        assertDuration(report, 10.0)
        XCTAssertEqual(report.primaryVideo?.frameRate ?? 0, 60, accuracy: 0.01)
        XCTAssertEqual(report.primaryVideo?.width, 320)
        XCTAssertEqual(report.primaryVideo?.height, 180)
    }

    func testProbe_rotatedPortrait_reportsRotationAndDisplaySize() throws {
        let report = try probe("portrait_rotated_10s.mp4", .mp4)
        assertDuration(report, 10.0)
        XCTAssertEqual(report.primaryVideo?.width, 1920)
        XCTAssertEqual(report.primaryVideo?.height, 1080)
        XCTAssertEqual(report.primaryVideo?.rotationDegrees, 90)
        XCTAssertEqual(report.displayWidth, 1080)
        XCTAssertEqual(report.displayHeight, 1920)
        XCTAssertTrue(report.metadataKeys.contains("location"), "the sample itself carries a location: \(report.metadataKeys)")
    }

    func testProbe_shortAndLong_reportTheirDurations() throws {
        assertDuration(try probe("too_short_3s.mp4", .mp4), 3.0)
        let long = try probe("too_long_130s.mp4", .mp4)
        assertDuration(long, 130.0)
        XCTAssertEqual(long.primaryVideo?.width, 160)
        XCTAssertEqual(long.primaryVideo?.height, 120)
    }

    func testProbe_avi_reportsMpeg4AndMp3() throws {
        let report = try probe("sample_10s.avi", .avi)
        XCTAssertEqual(report.format, .avi)
        assertDuration(report, 10.04)
        XCTAssertFalse(report.isFaststart)
        XCTAssertEqual(report.primaryVideo?.codec, "mpeg4")
        XCTAssertEqual(report.primaryAudio?.codec, "mp3")
    }

    func testProbe_webm_reportsVP8AndOpus() throws {
        let report = try probe("sample_10s.webm", .webm)
        XCTAssertEqual(report.format, .webm)
        assertDuration(report, 10.008)
        XCTAssertFalse(report.isFaststart)
        XCTAssertEqual(report.primaryVideo?.codec, "vp8")
        XCTAssertEqual(report.primaryAudio?.codec, "opus")
    }

    func testProbe_truncated_throwsOpenFailed() {
        XCTAssertThrowsError(try probe("truncated.mp4", .mp4)) { error in
            XCTAssertEqual((error as? MediaError)?.code, .openFailed, "\(error)")
        }
    }

    func testProbe_text_throwsOpenFailed() {
        XCTAssertThrowsError(try probe("text.mp4", .mp4)) { error in
            XCTAssertEqual((error as? MediaError)?.code, .openFailed, "\(error)")
        }
    }

    func testProbe_wrongDemuxer_throws() {
        XCTAssertThrowsError(try probe("h264_aac_10s.mp4", .webm))
        XCTAssertThrowsError(try probe("sample_10s.webm", .avi))
    }

    func testProbe_missingFile_throwsOpenFailed() {
        XCTAssertThrowsError(try probe("does_not_exist.mp4", .mp4)) { error in
            XCTAssertEqual((error as? MediaError)?.code, .openFailed, "\(error)")
        }
    }

    func testRotation_normalizesToQuarterTurns() {
        XCTAssertEqual(DisplayRotation.normalized(90), 90)
        XCTAssertEqual(DisplayRotation.normalized(-90), 270)
        XCTAssertEqual(DisplayRotation.normalized(180.2), 180)
        XCTAssertEqual(DisplayRotation.normalized(-180), 180)
        XCTAssertEqual(DisplayRotation.normalized(0.4), 0)
        XCTAssertEqual(DisplayRotation.normalized(359), 0)
    }

    func testFrameRateGate_60to30_keepsEveryOtherFrame() {
        var gate = FrameRateGate(sourceRate: AVRational(num: 60, den: 1), maxFrameRate: 30,
                                 sourceTimeBase: AVRational(num: 1, den: 15360), origin: 0)
        let kept = (0..<600).compactMap { gate.admit(Int64($0) * 256) }
        XCTAssertEqual(kept, Array(0..<300))
    }

    func testFrameRateGate_underCap_keepsEveryFrameOfAMillisecondTimeBase() {
        var gate = FrameRateGate(sourceRate: AVRational(num: 30, den: 1), maxFrameRate: 30,
                                 sourceTimeBase: AVRational(num: 1, den: 1000), origin: 0)
        let kept = (0..<300).compactMap { gate.admit(Int64((Double($0) * 1000 / 30).rounded(.down))) }
        XCTAssertEqual(kept, Array(0..<300))
    }

    func testRenditionSize_capsShorterSideKeepsEven() {
        XCTAssertTrue(RenditionSize.fit(width: 1920, height: 1080, maxShortSide: 720) == (1280, 720))
        XCTAssertTrue(RenditionSize.fit(width: 1080, height: 1920, maxShortSide: 720) == (720, 1280))
        XCTAssertTrue(RenditionSize.fit(width: 640, height: 360, maxShortSide: 720) == (640, 360))
        XCTAssertTrue(RenditionSize.fit(width: 321, height: 241, maxShortSide: 720) == (320, 240))
        XCTAssertTrue(RenditionSize.fit(width: 1440, height: 1080, maxShortSide: 720) == (960, 720))
    }
}
