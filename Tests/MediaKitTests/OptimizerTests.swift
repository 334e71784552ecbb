import XCTest
@testable import MediaKit

final class OptimizerTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try Samples.scratchDirectory(name)
    }

    override func tearDownWithError() throws {
        guard let scratch else { return }
        if ProcessInfo.processInfo.environment["MEDIAKIT_KEEP_OUTPUT"] != nil {
            print("kept output in \(scratch.path)")
        } else {
            try? FileManager.default.removeItem(at: scratch)
        }
    }

    /// Optimizes `name` with test-friendly settings and checks everything every rendition must satisfy.
    @discardableResult
    private func optimize(_ name: String, _ format: ContainerFormat, expectAudio: Bool,
                          file: StaticString = #filePath, line: UInt = #line) throws -> OptimizeResult {
        let source = try MediaProbe.probe(path: Samples.path(name), format: format)
        var fractions: [Double] = []
        let result = try Optimizer.optimize(input: Samples.path(name), format: format, outputDirectory: scratch.path,
                                            settings: OptimizeSettings(),
                                            progress: { fractions.append($0) })
        let output = try MediaProbe.probe(path: result.videoPath, format: .mp4)
        XCTAssertEqual(output, result.output, file: file, line: line)
        XCTAssertEqual(result.videoPath, scratch.appendingPathComponent("video_hd.mp4").path, file: file, line: line)
        XCTAssertEqual(result.posterPath, scratch.appendingPathComponent("poster.jpg").path, file: file, line: line)
        XCTAssertEqual(output.primaryVideo?.codec, "h264", file: file, line: line)
        if !result.usedFastPath {
            XCTAssertEqual(output.primaryVideo?.profile, "High", file: file, line: line)
        }
        XCTAssertEqual(output.primaryVideo?.pixelFormat, "yuv420p", file: file, line: line)
        XCTAssertEqual(output.primaryAudio?.codec, expectAudio ? "aac" : nil, file: file, line: line)
        XCTAssertEqual(output.streams.filter { $0.type == "video" }.count, 1, file: file, line: line)
        XCTAssertLessThanOrEqual(output.streams.filter { $0.type == "audio" }.count, 1, file: file, line: line)
        XCTAssertTrue(output.isFaststart, file: file, line: line)
        XCTAssertEqual(output.durationSeconds ?? 0, source.durationSeconds ?? -1, accuracy: 0.5, file: file, line: line)
        XCTAssertLessThanOrEqual(output.primaryVideo?.frameRate ?? 99, 30.001, file: file, line: line)
        XCTAssertEqual(output.primaryVideo?.rotationDegrees ?? 0, 0, file: file, line: line)
        for key in ["location", "location-eng", "creation_time", "com.apple.quicktime.location.ISO6709", "make", "model"] {
            XCTAssertFalse(output.metadataKeys.contains(key), "\(key) in \(output.metadataKeys)", file: file, line: line)
        }
        if let width = output.displayWidth, let height = output.displayHeight {
            XCTAssertLessThanOrEqual(min(width, height), 720, file: file, line: line)
            XCTAssertEqual(width % 2, 0, file: file, line: line)
            XCTAssertEqual(height % 2, 0, file: file, line: line)
        } else {
            XCTFail("no output size", file: file, line: line)
        }
        // Poster: a complete JPEG of sane size, same orientation as the video.
        let poster = JPEGInfo.dimensions(ofFile: result.posterPath)
        XCTAssertNotNil(poster, "poster.jpg is not a complete JPEG", file: file, line: line)
        if let poster, let width = output.displayWidth, let height = output.displayHeight {
            XCTAssertEqual(poster.width, width, file: file, line: line)
            XCTAssertEqual(poster.height, height, file: file, line: line)
        }
        // Nothing but the two results in the directory.
        let entries = try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted()
        XCTAssertEqual(entries, ["poster.jpg", "video_hd.mp4"], file: file, line: line)
        XCTAssertEqual(fractions.last, 1, file: file, line: line)
        XCTAssertEqual(fractions, fractions.sorted(), "progress goes forward", file: file, line: line)
        return result
    }

    func testOptimize_compliantH264AAC_usesFastPathAndKeepsSize() throws {
        let result = try optimize("h264_aac_10s.mp4", .mp4, expectAudio: true)
        XCTAssertTrue(result.usedFastPath)
        XCTAssertEqual(result.output.displayWidth, 640)
        XCTAssertEqual(result.output.displayHeight, 360)
        XCTAssertEqual(result.output.primaryVideo?.frameRate ?? 0, 30, accuracy: 0.01)
    }

    func testOptimize_mpeg4Mov_transcodesKeeping320x240() throws {
        let result = try optimize("mpeg4_10s.mov", .mov, expectAudio: true)
        XCTAssertFalse(result.usedFastPath)
        XCTAssertEqual(result.output.displayWidth, 320)
        XCTAssertEqual(result.output.displayHeight, 240)
        XCTAssertEqual(result.output.primaryAudio?.sampleRate, 48_000)
        XCTAssertEqual(result.output.primaryAudio?.channels, 2)
    }

    /// The fast-path rule says "audio is AAC or absent", so a compliant H.264 file without audio is remuxed too.
    func testOptimize_noAudio_remuxesWithoutAudio() throws {
        let result = try optimize("no_audio_10s.mp4", .mp4, expectAudio: false)
        XCTAssertTrue(result.usedFastPath)
        XCTAssertFalse(result.output.hasAudio)
        XCTAssertEqual(result.output.displayWidth, 320)
        XCTAssertEqual(result.output.displayHeight, 240)
    }

    func testOptimize_noAudioTranscoded_hasNoAudio() throws {
        let result = try Optimizer.optimize(input: Samples.path("no_audio_10s.mp4"), format: .mp4, outputDirectory: scratch.path,
                                            settings: OptimizeSettings(maxFrameRate: 24, preset: "ultrafast"))
        XCTAssertFalse(result.usedFastPath)
        XCTAssertFalse(result.output.hasAudio)
        XCTAssertEqual(result.output.primaryVideo?.frameRate ?? 0, 24, accuracy: 0.01)
        XCTAssertEqual(result.output.durationSeconds ?? 0, 10, accuracy: 0.5)
    }

    func testOptimize_60fps_dropsToThirty() throws {
        let result = try optimize("h264_60fps_10s.mp4", .mp4, expectAudio: true)
        XCTAssertFalse(result.usedFastPath)
        XCTAssertEqual(result.output.primaryVideo?.frameRate ?? 0, 30, accuracy: 0.5)
        XCTAssertEqual(result.output.displayWidth, 320)
        XCTAssertEqual(result.output.displayHeight, 180)
    }

    func testOptimize_rotatedPortrait_becomes720x1280() throws {
        let result = try optimize("portrait_rotated_10s.mp4", .mp4, expectAudio: true)
        XCTAssertFalse(result.usedFastPath)
        XCTAssertEqual(result.output.primaryVideo?.width, 720)
        XCTAssertEqual(result.output.primaryVideo?.height, 1280)
        XCTAssertNil(result.output.primaryVideo?.rotationDegrees)
        XCTAssertFalse(result.output.metadataKeys.contains("location"))
    }

    func testOptimize_avi_transcodesMp3ToAAC() throws {
        let result = try optimize("sample_10s.avi", .avi, expectAudio: true)
        XCTAssertFalse(result.usedFastPath)
        XCTAssertEqual(result.output.displayWidth, 320)
        XCTAssertEqual(result.output.displayHeight, 240)
    }

    func testOptimize_webm_transcodesVP8AndOpus() throws {
        let result = try optimize("sample_10s.webm", .webm, expectAudio: true)
        XCTAssertFalse(result.usedFastPath)
        XCTAssertEqual(result.output.displayWidth, 320)
        XCTAssertEqual(result.output.displayHeight, 240)
    }

    func testOptimize_shortClip_posterFromFirstFrame() throws {
        let settings = OptimizeSettings(preset: "ultrafast", posterTimeSeconds: 5)
        let result = try Optimizer.optimize(input: Samples.path("too_short_3s.mp4"), format: .mp4,
                                            outputDirectory: scratch.path, settings: settings)
        XCTAssertNotNil(JPEGInfo.dimensions(ofFile: result.posterPath))
    }

    func testOptimize_bitRateOverCap_transcodes() throws {
        let settings = OptimizeSettings(preset: "ultrafast", maxVideoBitRate: 100_000)
        let result = try Optimizer.optimize(input: Samples.path("h264_aac_10s.mp4"), format: .mp4,
                                            outputDirectory: scratch.appendingPathComponent("nested/dir").path, settings: settings)
        XCTAssertFalse(result.usedFastPath)
        XCTAssertEqual(result.output.displayWidth, 640)
    }

    func testOptimize_cancelled_throwsCancelledAndLeavesNoFiles() throws {
        for name in ["h264_aac_10s.mp4", "mpeg4_10s.mov"] {
            var polls = 0
            XCTAssertThrowsError(try Optimizer.optimize(
                input: Samples.path(name), format: name.hasSuffix(".mov") ? .mov : .mp4, outputDirectory: scratch.path,
                settings: OptimizeSettings(preset: "ultrafast"),
                shouldCancel: { polls += 1; return polls > 20 })) { error in
                XCTAssertEqual((error as? MediaError)?.code, .cancelled, "\(error)")
            }
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
        }
    }

    func testOptimize_textFile_throwsAndLeavesNoFiles() throws {
        XCTAssertThrowsError(try Optimizer.optimize(input: Samples.path("text.mp4"), format: .mp4,
                                                    outputDirectory: scratch.path, settings: OptimizeSettings()))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }
}
