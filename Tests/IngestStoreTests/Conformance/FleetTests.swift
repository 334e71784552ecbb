import Foundation
import Testing
@testable import IngestStore

/// The requirements a fleet of daemons relies on (CONTRACT section 10): origins and per-origin
/// status files, the job history with its leases, fleet locks and job wakeups.
@Suite struct FleetTests {
    private func video(origin: String, products: [String] = ["p1"]) -> NewVideo {
        var video = newVideo(products: products)
        video.origin = origin
        return video
    }

    @Test(arguments: StoreKind.allCases)
    func sameKeyThroughTwoSpools_isOneVideoWithBothOrigins_andAReusedKeyAddsNone(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let a = try fixture.openStore()
        let b = try fixture.openStore()
        guard case .created(let id) = try a.createVideo(video(origin: "spool-a"), idempotencyKey: "k1", bodyDigest: "d", now: Date()) else {
            return fail("the first drop must create")
        }
        expectEqual(try b.createVideo(video(origin: "spool-b"), idempotencyKey: "k1", bodyDigest: "d", now: Date()), .existing(videoId: id))
        expectEqual(try a.createVideo(video(origin: "spool-a"), idempotencyKey: "k1", bodyDigest: "d", now: Date()), .existing(videoId: id))
        expectEqual(try b.createVideo(video(origin: "spool-c"), idempotencyKey: "k1", bodyDigest: "other", now: Date()),
                    .keyReused(existingVideoId: id))
        expectEqual(try a.origins(videoId: id), ["spool-a", "spool-b"])
        expectEqual(try a.origins(videoId: "no-such-video"), [])
        expectEqual(try a.list(ListQuery(page: 0, size: 10)).total, 1)
    }

    @Test(arguments: StoreKind.allCases)
    func statusFiles_areTrackedPerOrigin_andAChangeByAnyInstanceMakesEveryOriginStale(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let a = try fixture.openStore()
        let other = try fixture.openStore()
        guard case .created(let id) = try a.createVideo(video(origin: "spool-a"), idempotencyKey: "k1", bodyDigest: "d", now: Date()) else {
            return fail("the first drop must create")
        }
        _ = try other.createVideo(video(origin: "spool-b"), idempotencyKey: "k1", bodyDigest: "d", now: Date())
        let onlyA = try create(other, key: "k2")  // the default origin, not a or b
        expectEqual(try a.staleStatusVideoIds(origin: "spool-a"), [id])
        expectEqual(try a.staleStatusVideoIds(origin: "spool-b"), [id])
        expectNil(try a.statusDocument(id: id, origin: "spool-c"), "spool-c keeps no status file of the video")
        expectNil(try a.statusDocument(id: onlyA, origin: "spool-a"))

        let (_, version, written) = try unwrap(try a.statusDocument(id: id, origin: "spool-a"))
        expectEqual(written, 0)
        try a.markStatusWritten(videoId: id, origin: "spool-a", version: version)
        try a.markStatusWritten(videoId: id, origin: "spool-c", version: version)  // not an origin: nothing
        expectEqual(try a.staleStatusVideoIds(origin: "spool-a"), [])
        expectEqual(try a.staleStatusVideoIds(origin: "spool-b"), [id], "b's file is not written by a's mark")
        expectEqual(try a.origins(videoId: id), ["spool-a", "spool-b"])
        try a.markStatusWritten(videoId: id, origin: "spool-b", version: version)

        // Another instance (another daemon of the fleet) settles the video: both spools' files are stale.
        try succeed(other, id)
        expectEqual(try a.staleStatusVideoIds(origin: "spool-a"), [id])
        expectEqual(try a.staleStatusVideoIds(origin: "spool-b"), [id])
        let (record, newer, stillWritten) = try unwrap(try a.statusDocument(id: id, origin: "spool-b"))
        expectEqual(record.status, .success)
        expectEqual(stillWritten, version)
        expectGreaterThan(newer, version)
        try a.markStatusWritten(videoId: id, origin: "spool-b", version: newer)
        expectEqual(try a.staleStatusVideoIds(origin: "spool-b"), [])
        expectEqual(try a.staleStatusVideoIds(origin: "spool-a"), [id])
    }

    @Test(arguments: StoreKind.allCases)
    func jobHistory_recordsEveryClaimAndStageWithItsLease_throughATakeoverAndARewind(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        let first = try unwrap(try store.claimJob(owner: "daemon-a", leaseSeconds: 30)?.lease)
        try store.recordStage(first, stage: "download", result: "{}", marker: "downloaded", videoStage: "download")
        // daemon-a stops renewing; the rescuer requeues, daemon-b takes the job over.
        expectTrue(try store.requeueStaleLease(first, beats: 0))
        let second = try unwrap(try store.claimJob(owner: "daemon-b", leaseSeconds: 30)?.lease)
        expectEqual(second.generation, first.generation + 1)
        assertStoreError(.leaseLost) {
            try store.recordStage(first, stage: "check", result: "{}", marker: "checked", videoStage: "check")
        }
        try store.recordStage(second, stage: "download", result: "{}", marker: "downloaded", videoStage: "download")
        try store.rewindStages(second, forgetting: ["download"], marker: nil)
        try store.recordStage(second, stage: "download", result: "{}", marker: "downloaded", videoStage: "download")

        let history = try store.jobHistory(jobId: second.jobId)
        expectEqual(history.map(\.event), [.claimed, .stage, .claimed, .stage, .stage], "\(history)")
        expectEqual(history.map(\.lease), [first, first, second, second, second])
        expectEqual(history.map(\.stage), [nil, "download", nil, "download", "download"])
        expectEqual(history.map(\.seq), history.map(\.seq).sorted(), "entries come in commit order")
        expectEqual(Set(history.map(\.seq)).count, history.count)
        expectEqual(try store.jobHistory(jobId: second.jobId + 1000), [])
        _ = id
    }

    @Test(arguments: StoreKind.allCases)
    func fleetLocks_areHeldByOneInstanceUntilItGoes_orAlwaysHeldWhereTheSpoolLockSuffices(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        var first: (any VideoStore)? = try fixture.openStore()
        let second = try fixture.openStore()
        for lock in FleetLock.allCases {
            expectTrue(try first!.holdFleetLock(lock), "\(lock)")
            expectTrue(try first!.holdFleetLock(lock), "a repeated call confirms the hold: \(lock)")
            expectEqual(try second.holdFleetLock(lock), !kind.fleetLocksAreExclusive, "\(lock)")
        }
        expectEqual(Set(FleetLock.allCases.map(\.key)).count, FleetLock.allCases.count, "every lock has its own key")
        first = nil  // the holder goes (a daemon that stopped or died)
        for lock in FleetLock.allCases {
            expectTrue(try second.holdFleetLock(lock), "taken over once the holder is gone: \(lock)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func jobWakeup_firesWhenAnotherInstanceStoresAJob_orIsAbsent(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let listener = try fixture.openStore()
        let writer = try fixture.openStore()
        guard kind.hasJobWakeup else {
            expectTrue(try listener.makeJobWakeup() == nil, "a driver without notifications answers nil (polling)")
            return
        }
        let wakeup = try unwrap(try listener.makeJobWakeup())
        expectFalse(wakeup.wait(timeout: 0.3), "nothing was stored")
        _ = try create(writer)
        expectTrue(wakeup.wait(timeout: 5), "a new job wakes the listener")
        expectFalse(wakeup.wait(timeout: 0.3), "each notification is consumed once")
    }
}
