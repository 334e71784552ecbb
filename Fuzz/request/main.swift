// libFuzzer entry point for the request parser, validator and canonical digest
// (Support/JSONParser.swift, JSONValue.swift, IngestCrypto/SHA256.swift, Intake/RequestValidator.swift, …).
//
// Compiled by `make fuzz` together with those sources as one module (no `import IngestCore`).
// The input is a drop file's body. Every invariant below is a `precondition`: a broken one is a crash.
import Foundation

private let storeFrontCodes = ["TR", "DE"]
private let requestCodes = Set(RequestErrorCode.allCases.map(\.rawValue))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Data(bytes: data, count: size)

    // 1. Validation: a verdict for every input; a valid request keeps every rule of CONTRACT section 3.
    switch RequestValidator.validate(body: body, storeFrontCodes: storeFrontCodes) {
    case .success(let request):
        checkValid(request)
    case .failure(let rejection):
        precondition(!rejection.errors.isEmpty, "a rejection without errors")
        for error in rejection.errors {
            precondition(requestCodes.contains(error.code), "unknown code \(error.code)")
            precondition(!error.message.isEmpty, "empty message for \(error.code)")
        }
        // The receipt itself must be JSON that parses back.
        let receipt = rejection.document.compact
        precondition((try? JSONParser.parse(Data(receipt.utf8))) == rejection.document, "the error receipt does not re-parse")
    }

    // 2. Parsing and the canonical form: what the idempotency digest is made of.
    guard let value = try? JSONParser.parse(body) else { return 0 }
    precondition((try? JSONParser.parse(body)) == value, "parse is not deterministic")
    let canonical = value.canonical
    precondition(canonical.canonical == canonical, "canonical is not idempotent")
    let canonicalText = canonical.compact
    let reparsed: JSONValue
    do { reparsed = try JSONParser.parse(Data(canonicalText.utf8)) } catch {
        preconditionFailure("canonical text does not parse: \(error): \(canonicalText.debugDescription)")
    }
    precondition(reparsed.canonical == canonical, "canonical text re-parses to another value: \(canonicalText.debugDescription)")
    precondition(reparsed.canonical.compact == canonicalText, "canonical text is not a fixed point")
    let pretty = value.pretty
    precondition((try? JSONParser.parse(Data(pretty.utf8)))?.canonical == canonical, "pretty text re-parses to another value")
    let digest = SHA256.hex(Array(canonicalText.utf8))
    precondition(digest.count == 64 && digest.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "digest \(digest)")

    // 3. The parsed value validates the same way as the bytes, and so does its canonical text.
    let fromValue = RequestValidator.validate(value, storeFrontCodes: storeFrontCodes)
    let fromCanonical = RequestValidator.validate(body: Data(canonicalText.utf8), storeFrontCodes: storeFrontCodes)
    switch (fromValue, fromCanonical, RequestValidator.validate(body: body, storeFrontCodes: storeFrontCodes)) {
    case let (.success(a), .success(b), .success(c)):
        precondition(a == b && b == c, "the same request validates to different values")
    case let (.failure(a), .failure(b), .failure(c)):
        precondition(a.errors.map(\.code) == b.errors.map(\.code) && b.errors.map(\.code) == c.errors.map(\.code),
                     "the same request is refused for different reasons")
    default:
        // Only an oversized body may differ (the bytes are refused unread, the value is not).
        precondition(body.count > RequestValidator.maxBodyBytes, "the bytes and their parsed value get different verdicts")
    }
    return 0
}

private func checkValid(_ request: VideoRequest) {
    let title = request.title
    precondition((3...50).contains(title.count), "valid title of \(title.count) characters")
    precondition(!title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "valid blank title")
    precondition((request.description?.count ?? 0) <= 500, "valid description of \(request.description?.count ?? 0) characters")
    let lower = request.videoUrl.lowercased()
    precondition(lower.hasPrefix("http://") || lower.hasPrefix("https://"), "valid URL \(request.videoUrl)")
    precondition(!request.videoUrl.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F }, "valid URL with a control character")
    precondition((1...100).contains(request.productContentIds.count), "\(request.productContentIds.count) product content ids")
    precondition(Set(request.productContentIds).count == request.productContentIds.count, "duplicate product content ids")
    precondition(request.productContentIds.allSatisfy { !$0.isEmpty }, "an empty product content id")
    precondition(storeFrontCodes.contains(request.storeFrontCode), "store front \(request.storeFrontCode)")
}
