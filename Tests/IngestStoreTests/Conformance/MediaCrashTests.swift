import Foundation
import Testing
@testable import IngestStore

@Suite struct MediaCrashTests {
    @Test(arguments: StoreKind.allCases)
    func recordMediaCrash_countsPerJob_andSurvivesReopen(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        var jobId: Int64 = 0
        var otherJobId: Int64 = 0
        var idOfJob = ""
        do {
            let store = try fixture.openStore()
            let id = try create(store)
            let other = try create(store)
            jobId = try unwrap(store.job(videoId: id)).id
            otherJobId = try unwrap(store.job(videoId: other)).id
            expectEqual(try store.mediaCrashes(jobId: jobId), 0)
            expectEqual(try store.recordMediaCrash(try lease(store, id)), 1)
            idOfJob = id
        }
        let reopened = try fixture.openStore()
        expectEqual(try reopened.mediaCrashes(jobId: jobId), 1, "the count is durable")
        expectEqual(try reopened.recordMediaCrash(try lease(reopened, idOfJob)), 2)
        expectEqual(try reopened.mediaCrashes(jobId: otherJobId), 0, "other jobs are untouched")
    }

    @Test(arguments: StoreKind.allCases)
    func recordMediaCrash_unknownJob_throwsNotFound_staleLeaseThrowsLeaseLost(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        assertStoreError(.notFound) { _ = try store.recordMediaCrash(LeaseToken(jobId: 999, owner: "w", generation: 1)) }
        let id = try create(store)
        let token = try lease(store, id)
        expectEqual(try store.requeueAllRunning(), 1)
        assertStoreError(.leaseLost) { _ = try store.recordMediaCrash(token) }
        expectEqual(try store.mediaCrashes(jobId: token.jobId), 0)
    }

}
