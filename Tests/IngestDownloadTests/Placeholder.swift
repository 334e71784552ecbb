import XCTest

final class IngestDownloadPlaceholderTests: XCTestCase {
    func testPlaceholder() {}
}
