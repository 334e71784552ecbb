import XCTest

final class IngestStorePlaceholderTests: XCTestCase {
    func testPlaceholder() {}
}
