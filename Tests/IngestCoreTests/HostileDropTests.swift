import Foundation
import IngestCore
import XCTest

/// Hostile drop folders against a running daemon: each odd entry is answered (receipt and moved to
/// `rejected/`) or set aside with a reason in the log, is never read past the size cap, never
/// lost, and never holds up the other drops of its folder.
final class HostileDropTests: XCTestCase {
    private var harness: DaemonHarness!
    private let url = "http://127.0.0.1:9/video.mp4"
    private var inbox: String { harness.spool + "/inbox" }

    override func setUpWithError() throws {
        harness = try DaemonHarness(["download.allowedNetworks": .array([])])
        try harness.startDaemon()
    }

    override func tearDownWithError() throws {
        if harness.daemon != nil { XCTAssertEqual(try harness.stopDaemon(), 0, "the daemon survived every hostile drop") }
        harness = nil
    }

    // MARK: - Helpers

    /// lstat: does the entry itself exist (a symlink counts, whatever it points at)?
    private func entryType(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }

    private func errors(_ receipt: JSONValue) -> [(code: String, message: String)] {
        guard case .array(let list)? = receipt["errors"] else { return [] }
        return list.map { ($0["code"]?.stringValue ?? "", $0["message"]?.stringValue ?? "") }
    }

    /// Waits for the refusal of `relative` (under inbox/): a body.required receipt whose message
    /// contains `reason`, the entry moved to rejected/ (as the same file type), gone from the inbox.
    @discardableResult
    private func assertRefused(_ relative: String, type: mode_t, reason: String, line: UInt = #line) throws -> JSONValue {
        let receiptPath = harness.spool + "/receipts/" + relative
        var receipt: JSONValue?
        try harness.waitUntil("the receipt of \(relative.debugDescription)", timeout: 20) {
            receipt = FileManager.default.contents(atPath: receiptPath).flatMap { try? JSONParser.parse($0) }
            return receipt != nil
        }
        let found = errors(receipt!)
        XCTAssertEqual(found.map(\.code), ["seller.integration.body.required"], line: line)
        XCTAssertTrue(found.first?.message.contains(reason) == true, "\(found)", line: line)
        try harness.waitUntil("\(relative.debugDescription) moved to rejected/", timeout: 5) {
            entryType(harness.spool + "/rejected/" + relative) != nil
        }
        XCTAssertEqual(entryType(harness.spool + "/rejected/" + relative), type, "moved as it was", line: line)
        try harness.waitUntil("\(relative.debugDescription) gone from the inbox", timeout: 5) { entryType(inbox + "/" + relative) == nil }
        return receipt!
    }

    /// A normal drop in `seller`'s folder is answered with a videoId.
    private func assertIntakeAnswers(seller: String, key: String, line: UInt = #line) throws {
        try harness.drop(seller: seller, key: key, body: DaemonHarness.body(url: url))
        XCTAssertNotNil(try harness.waitForReceipt(seller: seller, key: key)["videoId"], line: line)
        try harness.waitUntil("the answered drop is removed", timeout: 5) { entryType(inbox + "/\(seller)/\(key).json") == nil }
    }

    private func cString(_ bytes: [UInt8]) -> [CChar] { (bytes + [0]).map { CChar(bitPattern: $0) } }

    /// Creates a file (and its folder) at a path given as raw bytes.
    private func writeRaw(_ path: [UInt8], _ contents: String) throws {
        let fd = open(cString(path), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0, String(cString: strerror(errno)))
        _ = contents.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress!, $0.count - 1) }
        close(fd)
    }

    private func writeFile(_ path: String, _ data: Data) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path))
    }

    // MARK: - Cases

    func testSymlinkDrop_isNeverFollowed_refusedAndTheTargetUntouched() throws {
        let target = harness.root + "/outside.json"
        let body = DaemonHarness.body(url: url)
        try writeFile(target, Data(body.utf8))
        try FileManager.default.createDirectory(atPath: inbox + "/s", withIntermediateDirectories: true)
        XCTAssertEqual(symlink(target, inbox + "/s/x.json"), 0)
        try assertRefused("s/x.json", type: S_IFLNK, reason: "symbolic link")
        XCTAssertEqual(String(decoding: FileManager.default.contents(atPath: target) ?? Data(), as: UTF8.self), body, "target untouched")
        try assertIntakeAnswers(seller: "s", key: "normal")
        XCTAssertEqual(try harness.listAll().count, 1, "the link's target was not taken as a request")
    }

    func testFifoDrop_doesNotBlockIntake() throws {
        try FileManager.default.createDirectory(atPath: inbox + "/s", withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(inbox + "/s/x.json", 0o644), 0)
        try assertIntakeAnswers(seller: "s", key: "normal")
        try assertRefused("s/x.json", type: S_IFIFO, reason: "FIFO")
        try assertIntakeAnswers(seller: "s", key: "normal-2")
    }

    func testDirectoryDrop_isRefused_andASecondOneOfTheSameNameKeepsTheFirst() throws {
        try writeFile(inbox + "/s/x.json/inside.txt", Data("first".utf8))
        try assertRefused("s/x.json", type: S_IFDIR, reason: "directory")
        try writeFile(inbox + "/s/x.json/inside.txt", Data("second".utf8))
        try assertIntakeAnswers(seller: "s", key: "normal")
        try harness.waitUntil("the second folder is refused too", timeout: 10) { entryType(inbox + "/s/x.json") == nil }
        let rejected = harness.files(under: "rejected/s")
        XCTAssertTrue(rejected.contains("x.json/inside.txt"), "\(rejected)")
        XCTAssertTrue(rejected.contains { $0.hasPrefix("x.json.replaced-") && $0.hasSuffix("/inside.txt") }, "the first is kept: \(rejected)")
        XCTAssertEqual(String(decoding: FileManager.default.contents(atPath: harness.spool + "/rejected/s/x.json/inside.txt") ?? Data(), as: UTF8.self),
                       "second", "rejected/<key>.json holds the newest")
    }

    func testFiftyMegabyteBody_isRefusedUnread() throws {
        // A body that starts like a valid request: were it read, the refusal would be about JSON.
        var data = Data(#"{"title": "Product Promotion Video", "description": ""#.utf8)
        data.append(Data(repeating: UInt8(ascii: "a"), count: 50 << 20))
        data.append(Data(#""}"#.utf8))
        let start = Date()
        try writeFile(inbox + "/s/.big.tmp", data)
        XCTAssertEqual(rename(inbox + "/s/.big.tmp", inbox + "/s/big.json"), 0)
        try assertRefused("s/big.json", type: S_IFREG, reason: "larger than 1048576 bytes")
        XCTAssertLessThan(Date().timeIntervalSince(start), 20)
        let size = try FileManager.default.attributesOfItem(atPath: harness.spool + "/rejected/s/big.json")[.size] as? Int
        XCTAssertEqual(size, data.count, "kept whole in rejected/")
        try assertIntakeAnswers(seller: "s", key: "normal")
    }

    func testDeeplyNestedJSON_hitsTheDepthLimit() throws {
        try writeFile(inbox + "/s/arrays.json", Data(String(repeating: "[", count: 100_000).utf8))
        try writeFile(inbox + "/s/objects.json", Data((String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)).utf8))
        try assertRefused("s/arrays.json", type: S_IFREG, reason: "nesting deeper than")
        try assertRefused("s/objects.json", type: S_IFREG, reason: "nesting deeper than")
        try assertIntakeAnswers(seller: "s", key: "normal")
    }

    func testInvalidUTF8Body_isRefused_andTheReceiptIsValidJSON() throws {
        var body = Data(#"{"title": "Bad "#.utf8)
        body.append(contentsOf: [0xFF, 0xFE, 0xC3])
        body.append(Data(#" title", "videoUrl": "http://127.0.0.1:9/v.mp4", "productContentIds": ["1"], "storeFrontCode": "TR"}"#.utf8))
        try writeFile(inbox + "/s/bad-utf8.json", body)
        try writeFile(inbox + "/s/bad-tail.json", Data(DaemonHarness.body(url: url).utf8) + Data([0xFF]))
        try assertRefused("s/bad-utf8.json", type: S_IFREG, reason: "invalid UTF-8")
        try assertRefused("s/bad-tail.json", type: S_IFREG, reason: "not valid JSON")
        try assertIntakeAnswers(seller: "s", key: "normal")
    }

    func testNamesThatAreNoKeys_spacesNewlinesLongAndInvalidUTF8_areRefusedNotLost() throws {
        let long = String(repeating: "k", count: 240)
        for name in ["a b", "line\nbreak", "tab\there", long] {
            try writeFile(inbox + "/s/\(name).json", Data(DaemonHarness.body(url: url).utf8))
        }
        // A file name and a seller folder name that are not valid UTF-8.
        try FileManager.default.createDirectory(atPath: inbox + "/s", withIntermediateDirectories: true)
        try writeRaw(Array((inbox + "/s/bad").utf8) + [0xFF] + Array(".json".utf8), DaemonHarness.body(url: url))
        let badFolder = Array((inbox + "/sell").utf8) + [0xE9, 0x72]
        XCTAssertEqual(mkdir(cString(badFolder), 0o755), 0)
        try writeRaw(badFolder + Array("/k1.json".utf8), DaemonHarness.body(url: url))

        for name in ["a b", "line\nbreak", "tab\there", long] {
            try assertRefused("s/\(name).json", type: S_IFREG, reason: "idempotency key")
        }
        try assertRefused("s/bad%FF.json", type: S_IFREG, reason: "not valid UTF-8")
        try assertRefused("sell%E9r/k1.json", type: S_IFREG, reason: "not valid UTF-8")
        XCTAssertTrue(harness.logLines().contains { $0.contains("line\\nbreak") }, "the log names the drop, escaped")
        try assertIntakeAnswers(seller: "s", key: "normal")
        XCTAssertEqual(try harness.listAll().count, 1)
    }

    func testSellerFolders_threeDotsIsASeller_trailingSpaceIsRefused_symlinkIsSetAside() throws {
        // "..." is 1-64 of [A-Za-z0-9._-] and not "." or "..": a valid seller id (CONTRACT section 2).
        try assertIntakeAnswers(seller: "...", key: "k1")
        // A trailing space: no seller id; the drop is refused, keeping its folder.
        try writeFile(inbox + "/seller /k1.json", Data(DaemonHarness.body(url: url).utf8))
        try assertRefused("seller /k1.json", type: S_IFREG, reason: "not a valid seller id")
        // A seller folder that is a symlink to a folder elsewhere: never followed, left in place, logged once.
        let elsewhere = harness.root + "/elsewhere"
        let body = DaemonHarness.body(url: url)
        try writeFile(elsewhere + "/k1.json", Data(body.utf8))
        XCTAssertEqual(symlink(elsewhere, inbox + "/linked"), 0)
        try harness.waitUntil("the symlink is reported", timeout: 10) {
            harness.logLines().contains { $0.contains("set aside") && $0.contains("linked") }
        }
        try assertIntakeAnswers(seller: "s", key: "normal")
        XCTAssertEqual(harness.logLines().filter { $0.contains("set aside") && $0.contains("linked") }.count, 1, "reported once")
        XCTAssertEqual(entryType(inbox + "/linked"), S_IFLNK)
        XCTAssertEqual(String(decoding: FileManager.default.contents(atPath: elsewhere + "/k1.json") ?? Data(), as: UTF8.self), body)
        XCTAssertNil(entryType(harness.spool + "/receipts/linked"))
        XCTAssertEqual(try harness.listAll().count, 2, "the seller ... and s")
    }
}
