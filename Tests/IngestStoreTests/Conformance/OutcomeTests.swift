import Foundation
import Testing
@testable import IngestStore

@Suite struct OutcomeTests {
    @Test(arguments: StoreKind.allCases)
    func failVideo_marksVideoFailedAndJobFailed(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        let changed = try store.failVideo(try lease(store, id), videoId: id, errorCode: "seller.integration.video.duration.invalid",
                                          errorMessage: "duration 3.0 s is below 8 s")
        expectEqual(changed, [id])
        let video = try unwrap(store.video(id: id))
        expectEqual(video.status, .failed)
        expectEqual(video.errorCode, "seller.integration.video.duration.invalid")
        expectEqual(video.errorMessage, "duration 3.0 s is below 8 s")
        expectNil(video.optimizedVideoUrl)
        expectFalse(video.isApproved)
        let job = try unwrap(store.job(videoId: id))
        expectEqual(job.state, "failed")
        expectNil(job.leaseOwner)
        expectEqual(job.lastError, "duration 3.0 s is below 8 s")
        expectNil(try store.claimJob(owner: "w1", leaseSeconds: 30))
    }

    @Test(arguments: StoreKind.allCases)
    func outcomeWrites_afterTheLeaseIsSettled_throwLeaseLostAndChangeNothing(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        let token = try lease(store, id)
        _ = try store.succeedVideo(token, videoId: id, optimizedVideoUrl: "file:///v.mp4", posterUrl: nil, durationSeconds: 10, autoApprove: false)
        let before = try unwrap(store.video(id: id))
        assertStoreError(.leaseLost) { _ = try store.failVideo(token, videoId: id, errorCode: "x", errorMessage: nil) }
        assertStoreError(.leaseLost) {
            _ = try store.succeedVideo(token, videoId: id, optimizedVideoUrl: "file:///other.mp4", posterUrl: nil, durationSeconds: 1, autoApprove: true)
        }
        expectEqual(try store.video(id: id), before)
        assertStoreError(.notFound) {
            _ = try store.failVideo(LeaseToken(jobId: 999, owner: "w1", generation: 1), videoId: "nope", errorCode: "x", errorMessage: nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func succeedVideo_setsSuccessFieldsAndJobDone(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        let changed = try store.succeedVideo(try lease(store, id), videoId: id, optimizedVideoUrl: "https://cdn/\(id)/video_hd.mp4",
                                             posterUrl: "https://cdn/\(id)/poster.jpg", durationSeconds: 12.5,
                                             autoApprove: false)
        expectEqual(changed, [id])
        let video = try unwrap(store.video(id: id))
        expectEqual(video.status, .success)
        expectEqual(video.optimizedVideoUrl, "https://cdn/\(id)/video_hd.mp4")
        expectEqual(video.posterUrl, "https://cdn/\(id)/poster.jpg")
        expectEqual(video.durationSeconds, 12.5)
        expectNil(video.errorCode)
        expectEqual(video.approval, .pending)
        expectFalse(video.isApproved)
        expectEqual(try store.job(videoId: id)?.state, "done")
    }

    @Test(arguments: StoreKind.allCases)
    func succeedVideo_autoApprove_isApprovedAtOnce(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        try succeed(store, id, autoApprove: true)
        let video = try unwrap(store.video(id: id))
        expectEqual(video.approval, .approved)
        expectTrue(video.isApproved)
    }

    @Test(arguments: StoreKind.allCases)
    func succeedVideo_autoApproveAfterRejectWhileInProgress_staysRejected(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        _ = try store.reject(videoId: id, reason: "off-topic")
        try succeed(store, id, autoApprove: true)
        let video = try unwrap(store.video(id: id))
        expectEqual(video.approval, .rejected)
        expectFalse(video.isApproved)
        expectEqual(video.productContentIds, [])
    }
}
