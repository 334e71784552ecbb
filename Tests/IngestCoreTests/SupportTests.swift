import XCTest
@testable import IngestCore

final class SupportTests: XCTestCase {
    func testJSONParser_canonicalForm_ignoresKeyOrderAndWhitespace() throws {
        let a = try JSONParser.parse(Data(#"{"b": [1, {"y": 2, "x": "é"}], "a": null}"#.utf8))
        let b = try JSONParser.parse(Data("{\"a\":null,\n\"b\":[1,{\"x\":\"\\u00e9\",\"y\":2}]}".utf8))
        XCTAssertEqual(a.canonical.compact, b.canonical.compact)
        XCTAssertNotEqual(a.canonical.compact, try JSONParser.parse(Data(#"{"a":null,"b":[1,{"x":"e","y":2}]}"#.utf8)).canonical.compact)
    }

    func testJSONParser_refusesDeepNestingInvalidUTF8AndLoneSurrogates() {
        XCTAssertThrowsError(try JSONParser.parse(Data((String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).utf8)))
        XCTAssertThrowsError(try JSONParser.parse(Data([0x22, 0xFF, 0xFE, 0x22])))
        XCTAssertThrowsError(try JSONParser.parse(Data(#""\ud800""#.utf8)))
        XCTAssertEqual(try JSONParser.parse(Data(#""\ud83d\ude00""#.utf8)), .string("😀"))
    }

    func testLogTimestamp_isRFC3339UTCWithMilliseconds_andTheCurrentTime() throws {
        let before = Date()
        let text = Log.timestamp()
        XCTAssertNotNil(text.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#, options: .regularExpression), text)
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let parsed = try XCTUnwrap(parser.date(from: text))
        XCTAssertLessThan(abs(parsed.timeIntervalSince(before)), 1)
    }

    func testJSONValue_prettyAndCompact_writeTheSameDocument() throws {
        let value = JSONValue.object([("a", .array([.integer(1), .number(2.5), .null, .bool(true)])), ("b", .object([])),
                                      ("ü\u{2028}", .string("line\nquote\"é"))])
        XCTAssertEqual(value.compact, #"{"a":[1,2.5,null,true],"b":{},"ü\u2028":"line\nquote\"é"}"#)
        XCTAssertEqual(value.pretty, "{\n  \"a\": [\n    1,\n    2.5,\n    null,\n    true\n  ],\n  \"b\": {},\n  \"ü\\u2028\": \"line\\nquote\\\"é\"\n}")
        XCTAssertEqual(try JSONParser.parse(Data(value.compactBytes)), value)
    }

    func testJSONValue_escapesControlCharacters() {
        XCTAssertEqual(JSONValue.string("a\"b\\c\n\u{01}").compact, #""a\"b\\c\n\u0001""#)
    }

    func testConfigLoader_defaultsPartialFileAndEveryProblem() throws {
        XCTAssertEqual(try ConfigLoader.parse(Data("{}".utf8)), IngestConfig())
        let partial = try ConfigLoader.parse(Data(#"{"workers": 4, "limits": {"allowedFormats": ["mp4", "webm"]}}"#.utf8))
        XCTAssertEqual(partial.workers, 4)
        XCTAssertEqual(partial.limits.allowedFormats, ["mp4", "webm"])
        XCTAssertEqual(partial.limits.maxDurationSeconds, 120)
        XCTAssertThrowsError(try ConfigLoader.parse(Data(#"{"workers": 0, "download": {"timeoutSeconds": "x", "allowedNetworks": ["nope"]}, "limits": {"allowedFormats": ["mkv"]}}"#.utf8))) { error in
            let problems = (error as! ConfigError).problems
            XCTAssertEqual(problems.count, 4, "\(problems)")
            XCTAssertTrue(problems.contains { $0.hasPrefix("workers") })
            XCTAssertTrue(problems.contains { $0.hasPrefix("download.timeoutSeconds") })
            XCTAssertTrue(problems.contains { $0.hasPrefix("download.allowedNetworks") })
            XCTAssertTrue(problems.contains { $0.hasPrefix("limits.allowedFormats") })
        }
        XCTAssertThrowsError(try ConfigLoader.parse(Data("not json".utf8)))
        XCTAssertThrowsError(try ConfigLoader.parse(Data(#"{"limits": {"minDurationSeconds": 200}}"#.utf8)))
    }

    /// CONTRACT sections 7 and 10: `store.url` (null or a PostgreSQL URI), `store.leaseSeconds`
    /// (default 30; `pipeline.leaseSeconds` is no key any more), `store.passwordFile` (readable).
    func testConfigLoader_storeKeys() throws {
        let defaults = try ConfigLoader.parse(Data("{}".utf8))
        XCTAssertNil(defaults.store.url)
        XCTAssertEqual(defaults.store.leaseSeconds, 30)
        XCTAssertNil(defaults.store.passwordFile)
        let passwordFile = NSTemporaryDirectory() + "store-password-" + UUID().uuidString
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: passwordFile))
        defer { try? FileManager.default.removeItem(atPath: passwordFile) }
        for url in ["postgresql://ingest@localhost:5432/ingest", "postgres://localhost/ingest"] {
            let config = try ConfigLoader.parse(Data(#"{"store": {"url": "\#(url)", "leaseSeconds": 12, "passwordFile": "\#(passwordFile)"}}"#.utf8))
            XCTAssertEqual(config.store.url, url)
            XCTAssertEqual(config.store.leaseSeconds, 12)
            XCTAssertEqual(config.store.passwordFile, passwordFile)
        }
        XCTAssertThrowsError(try ConfigLoader.parse(Data(#"{"store": {"url": "mysql://localhost/db", "leaseSeconds": 0, "passwordFile": "/nonexistent/pw"}, "pipeline": {"leaseSeconds": 30}}"#.utf8))) { error in
            let problems = (error as! ConfigError).problems
            XCTAssertEqual(problems.count, 4, "\(problems)")
            XCTAssertTrue(problems.contains { $0.hasPrefix("store.url must be null or a postgresql:// URL") }, "\(problems)")
            XCTAssertTrue(problems.contains { $0.hasPrefix("store.leaseSeconds") }, "\(problems)")
            XCTAssertTrue(problems.contains { $0.hasPrefix("store.passwordFile must be null or a readable file") }, "\(problems)")
            XCTAssertTrue(problems.contains { $0 == "pipeline.leaseSeconds is not a known key" }, "\(problems)")
        }
    }

    func testShippedConfig_isValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try ConfigLoader.load(path: root.appendingPathComponent("config/ingest.json").path, mustExist: true)
        XCTAssertEqual(config.limits.maxFileSizeBytes, 524_288_000)
        XCTAssertEqual(config.spoolDirectory, "var")
        XCTAssertNil(config.store.url, "make run keeps the embedded SQLite store")
        XCTAssertEqual(config.store.leaseSeconds, 30)
    }

    func testIntakeNames_sellerAndKeyRules() {
        for good in ["a", "seller-1", "S.x_y", String(repeating: "k", count: 64)] { XCTAssertTrue(IntakeService.isValidName(good), good) }
        for bad in ["", ".", "..", "a b", "a/b", "ä", String(repeating: "k", count: 65), "x\n"] { XCTAssertFalse(IntakeService.isValidName(bad), bad) }
    }

    func testStageResults_nextStageIsTheFirstWithoutAResult_andForgetDropsLaterOnes() {
        var results = StageResults()
        XCTAssertEqual(results.nextStage, .download)
        results.record(.downloaded(SourceFile(file: "g1/source", sizeBytes: 10, sha256: "ab", effectiveUrl: nil)))
        XCTAssertEqual(results.nextStage, .check)
        results.record(.checked(CheckedSource(format: .mp4, durationSeconds: 10, probe: nil)))
        XCTAssertEqual(results.nextStage, .optimize)
        results.record(.optimized(Rendition(folder: "g1/out", hasPoster: true, usedFastPath: false, output: nil)))
        XCTAssertEqual(results.nextStage, .publish)
        results.forget(from: .check)
        XCTAssertEqual(results.nextStage, .check)
        XCTAssertNil(results.optimize)
        XCTAssertNotNil(results.download)
    }

    func testStageResults_roundTripThroughTheStoredJSON_andUndecodableCountsAsMissing() throws {
        let source = SourceFile(file: "g2/source", sizeBytes: 1234, sha256: String(repeating: "a", count: 64), effectiveUrl: "http://x/y.mp4")
        let checked = CheckedSource(format: .mov, durationSeconds: 9.5, probe: nil)
        let stored = ["download": try StageResult.downloaded(source).encoded(), "check": try StageResult.checked(checked).encoded(),
                      "optimize": #"{"bytes":1}"#]
        let results = StageResults(stored: stored)
        XCTAssertEqual(results.download, source)
        XCTAssertEqual(results.check, checked)
        XCTAssertNil(results.optimize, "an older build's blob does not decode: the stage runs again")
    }
}
