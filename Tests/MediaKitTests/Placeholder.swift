import XCTest

final class MediaKitPlaceholderTests: XCTestCase {
    func testPlaceholder() {}
}
