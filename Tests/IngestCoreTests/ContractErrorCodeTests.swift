import Foundation
import IngestDownload
import MediaKit
import XCTest
@testable import IngestCore

/// CONTRACT.md section 4's table of failure codes against the one mapping: `FailureCode`
/// (Contract/ErrorCodes.swift) and `FailureMapping` (Pipeline/FailureMapping.swift). The contract
/// is read from `../shared/CONTRACT.md` beside the package root (CI clones the repository with a
/// copy of shared/ beside it).
final class ContractErrorCodeTests: XCTestCase {
    static var contractPath: String {
        DaemonHarness.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/CONTRACT.md").path
    }

    /// The codes of the table under "Failure codes" in section 4, in order.
    private func contractFailureCodes() throws -> [String] {
        let text = try String(contentsOfFile: Self.contractPath, encoding: .utf8)
        let section = try XCTUnwrap(text.components(separatedBy: "\n## 4.").dropFirst().first?.components(separatedBy: "\n## ").first,
                                    "CONTRACT.md has no section 4")
        let table = try XCTUnwrap(section.components(separatedBy: "Failure codes").dropFirst().first, "section 4 has no failure-code table")
        var codes: [String] = []
        for line in table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            guard line.hasPrefix("| `") else {
                if !codes.isEmpty { break }
                continue
            }
            let cell = line.dropFirst(3)
            codes.append(String(cell[..<cell.firstIndex(of: "`")!]))
        }
        return codes
    }

    func testTheContractsFailureCodes_areExactlyFailureCode() throws {
        let contract = try contractFailureCodes()
        XCTAssertEqual(contract.count, 7, "\(contract)")
        XCTAssertEqual(contract, FailureCode.allCases.map(\.rawValue), "CONTRACT.md section 4 and ErrorCodes.swift disagree")
    }

    /// Every download failure maps to the code the contract's table names for it, or is a worker
    /// fault or a stop; every contract code is reached by some mapping (check's codes come from
    /// MediaCheck, optimization.failed from `mapOptimize`).
    func testFailureMapping_reachesEveryContractCode_andNothingElse() throws {
        let contract = Set(try contractFailureCodes())
        var reached = Set<String>()
        for failure in DownloadFailure.allCases {
            switch FailureMapping.map(DownloadError(failure, "x")) {
            case .seller(let code, _):
                reached.insert(code.rawValue)
                let expected: [DownloadFailure: FailureCode] = [.urlInvalid: .urlInvalid, .failed: .downloadFailed,
                                                               .timeout: .downloadTimeout, .sizeExceeded: .sizeExceeded]
                XCTAssertEqual(expected[failure], code, "\(failure)")
            case .workerFault, .cancelled:
                XCTAssertTrue([.localFault, .invalidConfig, .cancelled].contains(failure), "\(failure) must be the seller's")
            }
        }
        let mediaCodes: [MediaError.Code] = [.openFailed, .noVideoStream, .unsupported, .decodeFailed, .encodeFailed, .muxFailed,
                                             .verificationFailed, .io, .cancelled]
        for code in mediaCodes {
            if case .seller(let failure, _) = FailureMapping.mapOptimize(MediaError(code, "x")) {
                XCTAssertEqual(failure, .optimizationFailed)
                reached.insert(failure.rawValue)
            }
        }
        reached.formUnion([FailureCode.formatInvalid.rawValue, FailureCode.durationInvalid.rawValue])  // MediaCheck's verdicts
        XCTAssertEqual(reached, contract)
    }
}
