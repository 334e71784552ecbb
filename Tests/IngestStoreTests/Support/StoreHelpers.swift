import Foundation
import Testing
@testable import IngestStore

// Helpers that make videos in any `VideoStore`, through the protocol only. They throw (a
// `TestFailure`) instead of asserting, so a broken precondition ends the case as a failure.

func newVideo(seller: String = "seller-1", title: String = "A product video", products: [String] = ["p1"]) -> NewVideo {
    NewVideo(
        sellerId: seller, title: title, description: "desc", videoUrl: "https://cdn.example.com/v.mp4",
        productContentIds: products, videoContentType: "PRODUCT_PROMOTION", storeFrontCode: "TR"
    )
}

/// Creates a video and returns its id.
func create(_ store: any VideoStore, seller: String = "seller-1", products: [String] = ["p1"], key: String? = nil,
            now: Date = Date()) throws -> String {
    let outcome = try store.createVideo(
        newVideo(seller: seller, products: products), idempotencyKey: key ?? UUID().uuidString,
        bodyDigest: "digest", now: now
    )
    guard case .created(let id) = outcome else { throw TestFailure("expected .created, got \(outcome)") }
    return id
}

/// The lease of the job of video `id`: its current one when running, else a new claim of it.
func lease(_ store: any VideoStore, _ id: String, owner: String = "w1") throws -> LeaseToken {
    if let running = try store.job(videoId: id)?.lease { return running }
    let claimed = try store.claimJob(owner: owner, leaseSeconds: 30, now: Date().addingTimeInterval(86_400 * 365), videoId: id)
    guard let lease = claimed?.lease else { throw TestFailure("the job of \(id) cannot be claimed") }
    return lease
}

@discardableResult
func succeed(_ store: any VideoStore, _ id: String, autoApprove: Bool = false) throws -> [String] {
    try store.succeedVideo(try lease(store, id), videoId: id, optimizedVideoUrl: "file:///media/\(id)/video_hd.mp4",
                           posterUrl: nil, durationSeconds: 10, autoApprove: autoApprove)
}

/// The product ids video `id` shows.
func shown(_ store: any VideoStore, _ id: String) throws -> [String] {
    guard let video = try store.video(id: id) else { throw TestFailure("no video \(id)") }
    return video.productContentIds
}

/// Expects `body` to throw a `StoreError` with `code`.
func assertStoreError(_ code: StoreError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected StoreError .\(code.rawValue), nothing was thrown", sourceLocation: sourceLocation)
    } catch {
        #expect((error as? StoreError)?.code == code, "\(error)", sourceLocation: sourceLocation)
    }
}
