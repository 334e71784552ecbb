import XCTest

final class IngestCorePlaceholderTests: XCTestCase {
    func testPlaceholder() {}
}
