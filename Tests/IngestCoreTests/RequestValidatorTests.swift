import XCTest
@testable import IngestCore

/// CONTRACT section 3: every field rule, and every problem reported at once.
final class RequestValidatorTests: XCTestCase {
    private let codes = ["TR"]
    private func body(_ members: [String: Any?]) -> Data {
        var parts: [String] = []
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            let json: String
            switch value {
            case nil: json = "null"
            case let s as String: json = JSONValue.string(s).compact
            case let a as [String]: json = JSONValue.array(a.map(JSONValue.string)).compact
            case let i as Int: json = String(i)
            default: json = "\(value!)"
            }
            parts.append("\(JSONValue.string(key).compact):\(json)")
        }
        return Data(("{" + parts.joined(separator: ",") + "}").utf8)
    }
    private var valid: [String: Any?] {
        ["title": "Product Promotion Video", "description": "New season", "videoUrl": "https://cdn.example.com/video.mp4",
         "productContentIds": ["123456"], "storeFrontCode": "TR"]
    }
    private func errors(_ members: [String: Any?]) -> [String] {
        switch RequestValidator.validate(body: body(members), storeFrontCodes: codes) {
        case .success: return []
        case .failure(let r): return r.errors.map(\.code)
        }
    }
    private func with(_ key: String, _ value: Any?) -> [String: Any?] { var m = valid; m[key] = value; return m }
    private func without(_ key: String) -> [String: Any?] { var m = valid; m.removeValue(forKey: key); return m }

    func testValidRequest_isAccepted_withDefaultContentType() throws {
        guard case .success(let r) = RequestValidator.validate(body: body(valid), storeFrontCodes: codes) else { return XCTFail() }
        XCTAssertEqual(r.videoContentType, .productPromotion)
        XCTAssertEqual(r.productContentIds, ["123456"])
    }

    func testTitle_rules() {
        XCTAssertEqual(errors(without("title")), ["seller.integration.title.required"])
        XCTAssertEqual(errors(with("title", "   ")), ["seller.integration.title.required"])
        XCTAssertEqual(errors(with("title", 42)), ["seller.integration.title.required"])
        XCTAssertEqual(errors(with("title", "ab")), ["seller.integration.title.length"])
        XCTAssertEqual(errors(with("title", String(repeating: "a", count: 51))), ["seller.integration.title.length"])
        XCTAssertEqual(errors(with("title", String(repeating: "a", count: 50))), [])
        XCTAssertEqual(errors(with("title", String(repeating: "😀", count: 50))), [], "characters, not bytes or UTF-16 units")
        XCTAssertEqual(errors(with("title", String(repeating: "😀", count: 51))), ["seller.integration.title.length"])
    }

    func testDescription_atMost500Characters() {
        XCTAssertEqual(errors(without("description")), [])
        XCTAssertEqual(errors(with("description", String(repeating: "é", count: 500))), [])
        XCTAssertEqual(errors(with("description", String(repeating: "é", count: 501))), ["seller.integration.description.length"])
    }

    func testVideoUrl_rules() {
        XCTAssertEqual(errors(without("videoUrl")), ["seller.integration.video.url.required"])
        XCTAssertEqual(errors(with("videoUrl", "")), ["seller.integration.video.url.required"])
        for bad in ["ftp://cdn.example.com/v.mp4", "file:///etc/passwd", "cdn.example.com/v.mp4", "http://", "https://exa mple.com/v.mp4",
                    "http://example.com/v.mp4\r\nHost: x"] {
            XCTAssertEqual(errors(with("videoUrl", bad)), ["seller.integration.video.url.invalid"], bad)
        }
        XCTAssertEqual(errors(with("videoUrl", "HTTP://cdn.example.com/v")), [])
    }

    func testProductContentIds_rules() {
        XCTAssertEqual(errors(without("productContentIds")), ["seller.integration.product.content.ids.required"])
        XCTAssertEqual(errors(with("productContentIds", [String]())), ["seller.integration.product.content.ids.required"])
        XCTAssertEqual(errors(with("productContentIds", ["1", ""])), ["seller.integration.product.content.ids.required"])
        XCTAssertEqual(errors(with("productContentIds", (1...100).map(String.init))), [])
        XCTAssertEqual(errors(with("productContentIds", (1...101).map(String.init))), ["seller.integration.product.content.ids.max"])
    }

    func testVideoContentType_andStoreFrontCode() {
        XCTAssertEqual(errors(with("videoContentType", "PACKAGING")), [])
        XCTAssertEqual(errors(with("videoContentType", "packaging")), ["seller.integration.invalid.video.content.type"])
        XCTAssertEqual(errors(without("storeFrontCode")), ["seller.integration.invalid.store.front.code"])
        XCTAssertEqual(errors(with("storeFrontCode", "DE")), ["seller.integration.invalid.store.front.code"])
    }

    func testEveryProblem_isReported_withItsField() {
        let result = RequestValidator.validate(body: Data(#"{"title":"x","videoUrl":"ftp://a/b","productContentIds":[],"videoContentType":"NOPE"}"#.utf8),
                                               storeFrontCodes: codes)
        guard case .failure(let rejection) = result else { return XCTFail() }
        XCTAssertEqual(rejection.errors.map(\.code), [
            "seller.integration.title.length", "seller.integration.video.url.invalid",
            "seller.integration.product.content.ids.required", "seller.integration.invalid.video.content.type",
            "seller.integration.invalid.store.front.code",
        ])
        XCTAssertEqual(rejection.errors.map(\.field), ["title", "videoUrl", "productContentIds", "videoContentType", "storeFrontCode"])
        XCTAssertEqual(rejection.errors[0].message, "Title must be between 3 and 50 characters.")
    }

    func testNotAnObject_emptyOrBroken_isBodyRequired() {
        for text in ["", "[]", "\"x\"", "{", "{\"title\": \"abc\",}", "null", "{\"a\":1} trailing"] {
            guard case .failure(let r) = RequestValidator.validate(body: Data(text.utf8), storeFrontCodes: codes) else { return XCTFail(text) }
            XCTAssertEqual(r.errors.map(\.code), ["seller.integration.body.required"], text)
            XCTAssertNil(r.errors[0].field)
        }
    }
}
