import Foundation
import Testing

// XCTest-shaped assertions over Swift Testing's `#expect`/`#require`, so that the store's cases
// read as they did under XCTest. The checked expressions may throw: a throw is recorded as a
// failure of the case (as XCTest's assertions do), never swallowed.

/// A failed check that ends the case (thrown by the helpers; fails the test under either framework).
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Evaluates `body`, recording a thrown error as a failure; nil when it threw.
private func evaluate<T>(_ body: () throws -> T, _ sourceLocation: SourceLocation) -> T? {
    do { return try body() } catch {
        Issue.record(error, sourceLocation: sourceLocation)
        return nil
    }
}

func expectEqual<T: Equatable>(_ a: @autoclosure () throws -> T, _ b: @autoclosure () throws -> T, _ message: @autoclosure () -> String = "",
                               sourceLocation: SourceLocation = #_sourceLocation) {
    guard let x = evaluate(a, sourceLocation), let y = evaluate(b, sourceLocation) else { return }
    #expect(x == y, Comment(rawValue: message()), sourceLocation: sourceLocation)
}

func expectEqual(_ a: @autoclosure () throws -> Double, _ b: @autoclosure () throws -> Double, accuracy: Double,
                 _ message: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard let x = evaluate(a, sourceLocation), let y = evaluate(b, sourceLocation) else { return }
    #expect(abs(x - y) <= accuracy, "\(x) is not \(y) ± \(accuracy) \(message())", sourceLocation: sourceLocation)
}

func expectNotEqual<T: Equatable>(_ a: @autoclosure () throws -> T, _ b: @autoclosure () throws -> T, _ message: @autoclosure () -> String = "",
                                  sourceLocation: SourceLocation = #_sourceLocation) {
    guard let x = evaluate(a, sourceLocation), let y = evaluate(b, sourceLocation) else { return }
    #expect(x != y, Comment(rawValue: message()), sourceLocation: sourceLocation)
}

func expectGreaterThan<T: Comparable>(_ a: @autoclosure () throws -> T, _ b: @autoclosure () throws -> T, _ message: @autoclosure () -> String = "",
                                      sourceLocation: SourceLocation = #_sourceLocation) {
    guard let x = evaluate(a, sourceLocation), let y = evaluate(b, sourceLocation) else { return }
    #expect(x > y, Comment(rawValue: message()), sourceLocation: sourceLocation)
}

func expectGreaterThanOrEqual<T: Comparable>(_ a: @autoclosure () throws -> T, _ b: @autoclosure () throws -> T,
                                             _ message: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard let x = evaluate(a, sourceLocation), let y = evaluate(b, sourceLocation) else { return }
    #expect(x >= y, Comment(rawValue: message()), sourceLocation: sourceLocation)
}

func expectTrue(_ a: @autoclosure () throws -> Bool, _ message: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard let x = evaluate(a, sourceLocation) else { return }
    #expect(x, Comment(rawValue: message()), sourceLocation: sourceLocation)
}

func expectFalse(_ a: @autoclosure () throws -> Bool, _ message: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard let x = evaluate(a, sourceLocation) else { return }
    #expect(!x, Comment(rawValue: message()), sourceLocation: sourceLocation)
}

func expectNil<T>(_ a: @autoclosure () throws -> T?, _ message: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard let x = evaluate(a, sourceLocation) else { return }
    #expect(x == nil, "\(String(describing: x)) is not nil \(message())", sourceLocation: sourceLocation)
}

func expectNotNil<T>(_ a: @autoclosure () throws -> T?, _ message: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard let x = evaluate(a, sourceLocation) else { return }
    #expect(x != nil, Comment(rawValue: message()), sourceLocation: sourceLocation)
}

/// The value, or a thrown failure when it is nil.
func unwrap<T>(_ a: @autoclosure () throws -> T?, _ message: @autoclosure () -> String = "",
               sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    try #require(try a(), Comment(rawValue: message()), sourceLocation: sourceLocation)
}

/// Records a failure (and returns, so `return fail(...)` ends a case).
func fail(_ message: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
}

/// Expects `body` to throw, and hands the error to `check`.
func expectThrows<T>(_ body: @autoclosure () throws -> T, _ message: @autoclosure () -> String = "",
                     sourceLocation: SourceLocation = #_sourceLocation, _ check: (Error) -> Void = { _ in }) {
    do {
        _ = try body()
        Issue.record("did not throw \(message())", sourceLocation: sourceLocation)
    } catch {
        check(error)
    }
}
