import MediaKit
import XCTest
@testable import IngestCore

/// How optimizer errors become job outcomes (`FailureMapping.mapOptimize`).
final class FailureMappingTests: XCTestCase {
    func testVerificationFailure_isAWorkerFault_neverTheSellers() {
        let error = MediaError(.verificationFailed, "the rendition misses the uniform rendition: audio layout 5.1, not stereo")
        guard case .workerFault(let reason) = FailureMapping.mapOptimize(error) else {
            return XCTFail("a rendition that misses a point is our fault, retried, never FAILED")
        }
        XCTAssertTrue(reason.contains("audio layout 5.1"), reason)
    }

    func testDecodeFailure_isOptimizationFailed() {
        guard case .seller(let code, _) = FailureMapping.mapOptimize(MediaError(.decodeFailed, "only 4.6 s of 9 s decode")) else {
            return XCTFail("an undecodable source is the seller's")
        }
        XCTAssertEqual(code, .optimizationFailed)
    }
}
