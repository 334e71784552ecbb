import CFFmpeg
import Foundation
import HostileMedia
import XCTest
@testable import MediaKit

/// The in-process protections of every input: nested opens refused, picture size and stream count capped,
/// work bounded by the probed duration (see `InputGuards`, `DurationBound`).
final class InputGuardTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try Samples.scratchDirectory() }
    override func tearDownWithError() throws { if let folder { try? FileManager.default.removeItem(at: folder) } }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Runs `body` on another thread and fails when it takes longer than `seconds` (an open FIFO would block forever).
    private func withinSeconds<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread { box.value = body(); done.signal() }
        guard done.wait(timeout: .now() + seconds) == .success, let value = box.value else {
            throw NSError(domain: "InputGuardTests", code: 1, userInfo: [NSLocalizedDescriptionKey: "timed out after \(seconds) s"])
        }
        return value
    }

    func testIoOpen_refusesEveryNestedOpen_withEPERM() throws {
        let input = try InputContext(path: Samples.path("h264_aac_10s.mp4"), format: .mp4)
        let ioOpen = try XCTUnwrap(input.pointer.pointee.io_open)
        var pb: UnsafeMutablePointer<AVIOContext>? = nil
        for url in ["file:/etc/passwd", "/etc/passwd", "http://127.0.0.2:9/x.ts", "concat:/etc/passwd"] {
            XCTAssertEqual(ioOpen(input.pointer, &pb, url, AVIO_FLAG_READ, nil), CFFmpeg_AVERROR(EPERM), url)
            XCTAssertNil(pb)
        }
        XCTAssertNotEqual(input.pointer.pointee.flags & AVFMT_FLAG_CUSTOM_IO, 0, "the input file is opened by InputContext")
        XCTAssertEqual(input.pointer.pointee.max_streams, InputGuards.maxStreams)
    }

    func testDecoders_haveMaxPixels() throws {
        let input = try InputContext(path: Samples.path("h264_aac_10s.mp4"), format: .mp4)
        let decoder = try XCTUnwrap(CodecContext.decoder(for: input.stream(try XCTUnwrap(input.firstStream(of: AVMEDIA_TYPE_VIDEO)))))
        XCTAssertEqual(decoder.pointer.pointee.max_pixels, InputGuards.maxPixels)
    }

    func testDrefToAnAbsolutePath_isNeverOpened() throws {
        let fifo = path("target.fifo")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let file = path("dref.mp4")
        try HostileMedia.mp4WithAbsoluteDref(at: file, target: fifo)
        // Opening the FIFO for reading would block: a hang here means the dref was followed.
        let outcome = try withinSeconds(20) { Result { try MediaProbe.probe(path: file, format: .mp4) } }
        XCTAssertThrowsError(try outcome.get(), "the track's data is elsewhere: no readable video stream") { error in
            XCTAssertEqual((error as? MediaError)?.code, .noVideoStream, "\(error)")
        }
        XCTAssertEqual(open(fifo, O_WRONLY | O_NONBLOCK), -1, "nobody has the FIFO open for reading")
        XCTAssertEqual(errno, ENXIO)
    }

    func testHugePictureInTheHeader_isRefusedByTheProbe() throws {
        let file = path("huge.mov")
        try HostileMedia.movWithHugePicture(at: file, width: 30000, height: 30000, header: true)
        XCTAssertThrowsError(try MediaProbe.probe(path: file, format: .mov)) { error in
            XCTAssertEqual((error as? MediaError)?.code, .noVideoStream, "\(error)")
        }
    }

    func testHugePictureOnlyInTheFrames_decoderRefusesWithoutAllocating() throws {
        let file = path("huge-frames.mov")
        try HostileMedia.movWithHugePicture(at: file, width: 30000, height: 30000, header: false)
        let before = Self.peakResidentKiB()
        let start = Date()
        XCTAssertThrowsError(try Optimizer.optimize(input: file, format: .mov, outputDirectory: path("out"),
                                                    settings: OptimizeSettings(preset: "ultrafast")))
        XCTAssertLessThan(Date().timeIntervalSince(start), 30)
        XCTAssertLessThan(Self.peakResidentKiB() - before, 512 * 1024, "no 30000x30000 frame was allocated")
    }

    func testThousandsOfTracks_failToOpen() throws {
        let file = path("tracks.mp4")
        try HostileMedia.mp4WithManyTracks(at: file, count: 3000)
        XCTAssertThrowsError(try MediaProbe.probe(path: file, format: .mp4)) { error in
            XCTAssertEqual((error as? MediaError)?.code, .openFailed, "\(error)")
        }
    }

    func testMoovFarAtTheEndOfALargeFile_stillProbes() throws {
        let file = path("moov-at-end.mp4")
        try HostileMedia.mp4WithMoovFarAtTheEnd(at: file, paddingBytes: 40 << 20)
        let report = try MediaProbe.probe(path: file, format: .mp4)
        XCTAssertEqual(try XCTUnwrap(report.durationSeconds), 10, accuracy: 0.5)
        XCTAssertFalse(report.isFaststart)
        XCTAssertTrue(report.hasVideo)
    }

    func testLyingDuration_isMeasuredFromTheStreams_notTheHeader() throws {
        let file = path("lying.mp4")
        try HostileMedia.mp4WithLyingDuration(at: file, claimedSeconds: 10, actualSeconds: 200)
        let source = try MediaProbe.probe(path: file, format: .mp4)
        XCTAssertEqual(try XCTUnwrap(source.headerDurationSeconds), 10, accuracy: 0.5, "mvhd, tkhd and mdhd claim 10 s")
        XCTAssertEqual(try XCTUnwrap(source.durationSeconds), 200, accuracy: 0.5, "the samples run 200 s")
        XCTAssertEqual(try XCTUnwrap(source.primaryVideo?.durationSeconds), 200, accuracy: 0.5)
    }

    func testPlaylistsAndScripts_areNotOpenedAsMedia() throws {
        let files: [(String, Data)] = [
            ("avi-hls.mp4", HostileMedia.aviWithPlaylist(url: "file:///etc/passwd")),
            ("playlist.mp4", Data(HostileMedia.playlist(url: "http://127.0.0.2:9/segment.ts").utf8)),
            ("concat.mp4", Data(HostileMedia.ffconcat(path: "/etc/passwd", url: "http://127.0.0.2:9/x.mp4").utf8)),
            ("empty.mp4", Data()),
        ]
        for (name, data) in files {
            try data.write(to: URL(fileURLWithPath: path(name)))
            XCTAssertNil(FormatSniffer.sniff(data).flatMap { $0 == .avi ? nil : $0 }, name)
            XCTAssertThrowsError(try MediaProbe.probe(path: path(name), format: .mp4), name)
        }
        // The AVI is opened with the avi demuxer only: its playlist is never followed.
        XCTAssertThrowsError(try MediaProbe.probe(path: path("avi-hls.mp4"), format: .avi))
    }

    private static func peakResidentKiB() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss
    }
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var value: T?
}
