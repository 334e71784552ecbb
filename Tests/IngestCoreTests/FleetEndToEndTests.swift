import Foundation
@testable import IngestCore
import IngestStore
import TestHTTPServer
import TestPostgresServer
import XCTest

/// The fleet end to end (issue 11, CONTRACT sections 4, 6 and 10): real daemons with their own
/// spools on one real PostgreSQL database, real downloads from a test server on 127.0.0.1, kill -9
/// mid-transcode and mid-download, a PostgreSQL outage; then every drop's receipt, every video's
/// one outcome, the job history (one daemon at a time), supersede's one holder per
/// productContentId, and every spool's status files are checked against the store's answers.
final class FleetEndToEndTests: XCTestCase {
    private var fleet: FleetHarness?
    private var receivers: [WebhookReceiver] = []

    override func tearDown() {
        fleet?.stopAll()
        fleet = nil
        receivers.forEach { $0.stop() }
        receivers = []
    }

    /// One request dropped into one daemon's inbox, and what it must end as.
    private struct Drop {
        enum Expect: Equatable { case success, failed(String), rejected(String) }
        var daemon: Int
        var seller: String
        var key: String
        var body: String
        var expect: Expect
        var kind: String
    }

    private static let sellers = ["seller-a", "seller-b", "seller-c", "seller-d"]

    /// The members of a JSON array (empty for anything else).
    private static func items(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let members)? = value { return members }
        return []
    }

    // MARK: - 1. Three daemons, 200 drops, two kill -9s and a restart

    func testThreeDaemons_twoHundredDrops_killsAndRestart() throws {
        let receiver = try WebhookReceiver()
        receivers.append(receiver)
        let fleet = try FleetHarness(daemons: 3, overrides: [
            // Transcodes take seconds (a "mid-transcode" moment to kill in); remuxes stay quick.
            "optimization.preset": .string("medium"),
            // One job at a time per daemon: two racers that run at once run on two daemons.
            "workers": .integer(1),
            "notify.endpoints": .array([WebhookTestCase.endpoint(receiver.url())]),
            "notify.allowedNetworks": .array([.string("127.0.0.1/32")]),
            "notify.firstRetrySeconds": .number(0.2),
        ])
        self.fleet = fleet
        let started = Date()
        try fleet.startAll()
        var drops = plannedDrops(fleet.http)
        XCTAssertEqual(drops.count, 200)
        // Transcodes and slow downloads go first, taking turns, so that they are claimed while the
        // rest arrive; the races come last, on their own.
        let first = zip(drops.filter { $0.kind == "transcode" }, drops.filter { $0.kind == "slow" }).flatMap { [$0.0, $0.1] }
        for drop in first + drops.filter({ !["transcode", "slow", "race"].contains($0.kind) }) {
            try fleet.daemons[drop.daemon].drop(seller: drop.seller, key: drop.key, body: drop.body)
        }

        // kill -9 the daemon that transcodes, while it transcodes.
        let transcodeDrops = drops.filter { $0.kind == "transcode" }
        var victimA = -1, victimJobA = ""
        try fleet.daemons[0].waitUntil("a transcode in its optimize stage", timeout: 90) {
            for drop in transcodeDrops {
                guard let id = receiptVideoId(fleet, drop), let held = try fleet.holder(of: id), held.stage == "optimize" else { continue }
                victimA = held.daemon
                victimJobA = id
                return true
            }
            return false
        }
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(try fleet.holder(of: victimJobA)?.daemon, victimA, "still transcoding when killed")
        try fleet.daemons[victimA].stopDaemon(signal: SIGKILL)
        let killedA = Date()

        // kill -9 another daemon mid-download, once its inbox is empty and every receipt of it is written
        // (a dead daemon's spool takes no more drops and writes no more receipts).
        let slowDrops = drops.filter { $0.kind == "slow" }
        var victimB = -1, victimJobB = ""
        try fleet.daemons[0].waitUntil("a slow download in a live daemon whose inbox is done", timeout: 90) {
            for drop in slowDrops {
                guard let id = receiptVideoId(fleet, drop), let held = try fleet.holder(of: id), held.daemon != victimA,
                      held.stage == "download", inboxDone(fleet, held.daemon, drops) else { continue }
                victimB = held.daemon
                victimJobB = id
                return true
            }
            return false
        }
        try fleet.daemons[victimB].stopDaemon(signal: SIGKILL)

        // Restart the first one (its spool has drops and status files to catch up on).
        try fleet.startConcurrently([victimA])
        let live = fleet.running
        XCTAssertEqual(live.count, 2)

        // The productContentId races, once everything else is done: both racers of a pair are
        // dropped at once into the two live daemons' inboxes and download for about a second, so
        // they run at the same time, one on each daemon, and succeed at about the same instant.
        let early = drops.filter { $0.kind != "race" }
        for drop in early { _ = try fleet.daemons[drop.daemon].waitForReceipt(seller: drop.seller, key: drop.key, timeout: 60) }
        try fleet.waitForAllFinal(Set(early.compactMap { receiptVideoId(fleet, $0) }), timeout: max(30, 200 - Date().timeIntervalSince(started)))
        let racers = drops.indices.filter { drops[$0].kind == "race" }
        for (k, index) in racers.enumerated() { drops[index].daemon = live[k % 2] }
        for pair in stride(from: 0, to: racers.count, by: 2) {
            let both = [drops[racers[pair]], drops[racers[pair + 1]]]
            for drop in both { try fleet.daemons[drop.daemon].drop(seller: drop.seller, key: drop.key, body: drop.body) }
            let ids = try both.map { try fleet.daemons[$0.daemon].videoId(try fleet.daemons[$0.daemon].waitForReceipt(seller: $0.seller, key: $0.key)) }
            try fleet.waitForAllFinal(Set(ids), timeout: 60)
        }

        // Every drop gets its one receipt.
        for drop in drops {
            _ = try fleet.daemons[drop.daemon].waitForReceipt(seller: drop.seller, key: drop.key, timeout: 60)
        }
        var idByDrop: [String: String] = [:]
        for drop in drops {
            let receipt = try fleet.daemons[drop.daemon].waitForReceipt(seller: drop.seller, key: drop.key)
            switch drop.expect {
            case .rejected(let code):
                XCTAssertEqual(Self.items(receipt["errors"]).compactMap { $0["code"]?.stringValue }, [code], "\(drop.key): \(receipt.compact)")
                XCTAssertTrue(FileManager.default.fileExists(atPath: fleet.daemons[drop.daemon].spool + "/rejected/\(drop.seller)/\(drop.key).json"))
            default:
                idByDrop["\(drop.daemon)/\(drop.seller)/\(drop.key)"] = try fleet.daemons[drop.daemon].videoId(receipt)
            }
        }
        for (index, daemon) in fleet.daemons.enumerated() {
            XCTAssertEqual(daemon.files(under: "inbox").filter { $0.hasSuffix(".json") }, [], "daemon \(index)'s inbox is empty")
            XCTAssertEqual(daemon.files(under: "receipts").filter { $0.hasSuffix(".json") }.count,
                           drops.filter { $0.daemon == index }.count, "daemon \(index): one receipt per drop, no more")
        }
        // The same key and body in two inboxes made one video.
        let duplicates = Dictionary(grouping: drops.filter { $0.kind == "duplicate" }) { $0.seller + "/" + $0.key }
        XCTAssertEqual(duplicates.count, 5)
        for (name, pair) in duplicates {
            XCTAssertEqual(pair.count, 2)
            XCTAssertEqual(Set(pair.map { idByDrop["\($0.daemon)/\($0.seller)/\($0.key)"] }).count, 1, "\(name): one video for both inboxes")
        }
        let videoIds = Set(idByDrop.values)
        XCTAssertEqual(videoIds.count, 200 - 6 - 5, "one video per accepted request")

        // Every video ends SUCCESS or FAILED, as its request says.
        try fleet.waitForAllFinal(videoIds, timeout: max(30, 225 - Date().timeIntervalSince(started)))
        let store = try fleet.store()
        for drop in drops {
            guard let id = idByDrop["\(drop.daemon)/\(drop.seller)/\(drop.key)"], let video = try store.video(id: id) else { continue }
            switch drop.expect {
            case .success: XCTAssertEqual(video.status, .success, "\(drop.kind) \(drop.key): \(video.errorCode ?? "") \(video.errorMessage ?? "")")
            case .failed(let code):
                XCTAssertEqual(video.status, .failed, drop.key)
                XCTAssertEqual(video.errorCode, code, drop.key)
            case .rejected: XCTFail("a rejected drop has a video")
            }
        }

        // list and status agree on every daemon (the dead one's CLI too: it asks the store).
        let lists = try fleet.daemons.indices.map { try fleet.listById(from: $0) }
        XCTAssertEqual(Set(lists[0].keys), videoIds, "list shows every video of the fleet")
        for index in 1..<lists.count { XCTAssertEqual(lists[index], lists[0], "daemon \(index)'s list equals daemon 0's") }
        for id in [victimJobA, victimJobB] + raceIds(drops, idByDrop).flatMap({ [$0.0, $0.1] }) {
            for index in fleet.daemons.indices { XCTAssertEqual(try fleet.daemons[index].statusCommand(id), lists[0][id], "status \(id) on daemon \(index)") }
        }

        // Each live daemon's status files of the videos that came in through its inbox are current.
        for index in live {
            let mine = Set(drops.filter { $0.daemon == index }.compactMap { idByDrop["\($0.daemon)/\($0.seller)/\($0.key)"] })
            try fleet.daemons[index].waitUntil("daemon \(index)'s \(mine.count) status files are current", timeout: 10) {
                mine.allSatisfy { fleet.daemons[index].statusFile($0) == lists[0][$0] }
            }
        }
        for index in fleet.daemons.indices where !live.contains(index) {
            // The daemon killed for good wrote what it had (its spool is not kept current while it is dead).
            XCTAssertTrue(drops.filter { $0.daemon == index }.allSatisfy {
                FileManager.default.fileExists(atPath: fleet.daemons[index].receiptPath(seller: $0.seller, key: $0.key))
            })
        }

        // No job ran in two daemons at once; the killed daemons' jobs were taken over.
        var takenOverFrom: Set<Int> = []
        for id in videoIds {
            let job = try XCTUnwrap(try store.job(videoId: id))
            let history = try store.jobHistory(jobId: job.id)
            XCTAssertEqual(JobHistoryCheck.violations(history), [], "video \(id): \(history)")
            XCTAssertFalse(history.isEmpty, "video \(id) has a history")
            // Consecutive claimants differ (a restarted daemon is a new owner: its pid is in the name).
            let claimants = JobHistoryCheck.claimants(history)
            for before in claimants.dropLast() { fleet.daemonIndex(owner: before).map { _ = takenOverFrom.insert($0) } }
        }
        XCTAssertTrue(takenOverFrom.contains(victimA), "the transcode killed on daemon \(victimA) was taken over")
        XCTAssertTrue(takenOverFrom.contains(victimB), "the download killed on daemon \(victimB) was taken over")
        for (victim, id) in [(victimA, victimJobA), (victimB, victimJobB)] {
            let owners = JobHistoryCheck.claimants(try store.jobHistory(jobId: try XCTUnwrap(try store.job(videoId: id)).id))
            let killed = try XCTUnwrap(owners.first { fleet.daemonIndex(owner: $0) == victim }, "video \(id) was claimed by daemon \(victim): \(owners)")
            XCTAssertNotEqual(owners.last, killed, "and finished under another owner: \(owners)")
        }

        // Supersede left one holder per productContentId: the newer of each race.
        for (first, second) in raceIds(drops, idByDrop) {
            let a = try XCTUnwrap(try store.video(id: first)), b = try XCTUnwrap(try store.video(id: second))
            let histories = try [first, second].map { try store.jobHistory(jobId: try XCTUnwrap(try store.job(videoId: $0)).id) }
            let finishers = histories.map { $0.last.flatMap { fleet.daemonIndex(owner: $0.lease.owner) } }
            XCTAssertNotEqual(finishers[0], finishers[1], "the racers ran on two daemons: \(histories)")
            let claims = histories.map { $0.last { $0.event == .claimed }?.seq ?? .max }, ends = histories.map { $0.last?.seq ?? .min }
            XCTAssertTrue(claims[0] < ends[1] && claims[1] < ends[0], "the racers ran at the same time: \(histories)")
            print("fleet e2e race \(a.requestedProductContentIds.first ?? ""): finished by daemons \(finishers), "
                  + "updatedAt \(lists[0][first]?["updatedAt"]?.stringValue ?? "") and \(lists[0][second]?["updatedAt"]?.stringValue ?? "")")
            let (older, newer) = a.seq < b.seq ? (a, b) : (b, a)
            let raced = Set(a.requestedProductContentIds).intersection(b.requestedProductContentIds)
            XCTAssertFalse(raced.isEmpty)
            XCTAssertTrue(raced.isSubset(of: Set(newer.productContentIds)), "the newer video holds \(raced): \(newer.productContentIds)")
            XCTAssertTrue(raced.isDisjoint(with: Set(older.productContentIds)), "the older video lost \(raced): \(older.productContentIds)")
        }
        var holders: [String: [String]] = [:]
        for item in lists[0].values where item["status"]?.stringValue == "SUCCESS" {
            let seller = try XCTUnwrap(try store.video(id: item["id"]!.stringValue!)).sellerId
            for pcid in Self.items(item["productContentIds"]).compactMap(\.stringValue) {
                holders[seller + "/" + pcid, default: []].append(item["id"]!.stringValue!)
            }
        }
        XCTAssertEqual(holders.filter { $0.value.count > 1 }, [:], "at most one holder per seller's productContentId")

        // Each outcome happened once: one video.succeeded or video.failed event per video in the outbox.
        let outcomes = try store.deliveries(failedOnly: false, limit: 100_000)
            .filter { $0.eventType == "video.succeeded" || $0.eventType == "video.failed" }
        let byVideo = Dictionary(grouping: outcomes, by: \.videoId)
        for id in videoIds {
            let events = byVideo[id] ?? []
            let expected = try store.video(id: id)?.status == .success ? "video.succeeded" : "video.failed"
            XCTAssertEqual(events.map(\.eventType), [expected], "video \(id): one outcome event")
        }

        // Every rendition is where its optimizedVideoUrl says, in the shared media folder.
        for item in lists[0].values where item["status"]?.stringValue == "SUCCESS" {
            let url = try XCTUnwrap(item["optimizedVideoUrl"]?.stringValue.flatMap(URL.init(string:)))
            XCTAssertTrue(FileManager.default.fileExists(atPath: url.path), url.path)
            XCTAssertTrue(url.path.hasPrefix(fleet.mediaDirectory + "/"), url.path)
        }
        let elapsed = Date().timeIntervalSince(started)
        print("fleet e2e: 200 drops, \(videoIds.count) videos, killed daemon \(victimA) mid-transcode at \(Int(killedA.timeIntervalSince(started))) s "
              + "and daemon \(victimB) mid-download, all final after \(Int(elapsed)) s")
        XCTAssertLessThan(elapsed, 240, "the run stays within its budget")
    }

    /// 200 drops over three inboxes and four sellers: 4 slow downloads (about 12 s each), 4
    /// transcodes, 2 productContentId races (one video in each of two inboxes; their daemons are
    /// set when they are dropped), 5 requests dropped
    /// into two inboxes with the same key and body, 6 that fail validation, 4 with bytes that are
    /// no video, 4 too short, and quick remuxes for the rest.
    private func plannedDrops(_ http: TestHTTPServer) -> [Drop] {
        var drops: [Drop] = []
        var n = 0
        func add(_ kind: String, _ file: String, _ expect: Drop.Expect, daemon: Int? = nil, seller: String? = nil,
                 key: String? = nil, ids: [String]? = nil, title: String = "Product Promotion Video") {
            n += 1
            drops.append(Drop(daemon: daemon ?? n % 3, seller: seller ?? Self.sellers[n % Self.sellers.count], key: key ?? "\(kind)-\(n)",
                              body: DaemonHarness.body(url: http.url(file), title: title, ids: ids ?? ["pc-\(n)"]), expect: expect, kind: kind))
        }
        for _ in 0..<4 { add("slow", "/throttle/40000/h264_aac_10s.mp4", .success) }
        for _ in 0..<4 { add("transcode", "/files/portrait_rotated_10s.mp4", .success) }
        for race in 0..<2 {
            for daemon in [race, race + 1] {
                add("race", "/throttle/100000/compliant.mp4", .success, daemon: daemon, seller: "seller-a", ids: ["race-\(race)", "own-\(n)"])
            }
        }
        for pair in 0..<5 {
            n += 1
            let body = DaemonHarness.body(url: http.url("/files/compliant.mp4"), ids: ["dup-\(pair)"])
            for daemon in [pair % 3, (pair + 1) % 3] {
                drops.append(Drop(daemon: daemon, seller: "seller-b", key: "dup-\(pair)", body: body, expect: .success, kind: "duplicate"))
            }
        }
        for _ in 0..<6 { add("invalid", "/files/compliant.mp4", .rejected("seller.integration.title.length"), title: "ab") }
        for _ in 0..<4 { add("not-video", "/files/text.mp4", .failed("seller.integration.video.format.invalid")) }
        for _ in 0..<4 { add("short", "/files/too_short_3s.mp4", .failed("seller.integration.video.duration.invalid")) }
        while drops.count < 200 { add("remux", "/files/compliant.mp4", .success) }
        return drops
    }

    /// The video id of a drop's receipt, once it is written.
    private func receiptVideoId(_ fleet: FleetHarness, _ drop: Drop) -> String? {
        FileManager.default.contents(atPath: fleet.daemons[drop.daemon].receiptPath(seller: drop.seller, key: drop.key))
            .flatMap { try? JSONParser.parse($0) }?["videoId"]?.stringValue
    }

    /// Whether daemon `index` took every drop of its inbox and wrote each one's receipt (the races
    /// are dropped later, into live daemons).
    private func inboxDone(_ fleet: FleetHarness, _ index: Int, _ drops: [Drop]) -> Bool {
        drops.filter { $0.daemon == index && $0.kind != "race" }.allSatisfy {
            FileManager.default.fileExists(atPath: fleet.daemons[index].receiptPath(seller: $0.seller, key: $0.key))
        } && fleet.daemons[index].files(under: "inbox").allSatisfy { !$0.hasSuffix(".json") }
    }

    /// The two video ids of each productContentId race.
    private func raceIds(_ drops: [Drop], _ idByDrop: [String: String]) -> [(String, String)] {
        let ids = drops.filter { $0.kind == "race" }.compactMap { idByDrop["\($0.daemon)/\($0.seller)/\($0.key)"] }
        return stride(from: 0, to: ids.count - 1, by: 2).map { (ids[$0], ids[$0 + 1]) }
    }

    // MARK: - 2. PostgreSQL away for 10 s

    func testPostgresStoppedTenSeconds_losesNothing() throws {
        let fleet = try FleetHarness(daemons: 2, perDaemon: [0: DaemonHarness.apiConfig()])
        self.fleet = fleet
        try fleet.startAll()
        let port = try fleet.daemons[0].httpPort()
        func readyz() -> Int? { (try? HTTPClient.request(port: port, "GET", "/readyz", timeout: 2))?.status }
        XCTAssertEqual(readyz(), 200)

        // Jobs under way when the server goes: slow downloads (about 8 s) and quick ones.
        var before: [(daemon: Int, key: String)] = []
        for n in 0..<6 {
            let path = n < 2 ? "/throttle/60000/h264_aac_10s.mp4" : "/files/compliant.mp4"
            try fleet.daemons[n % 2].drop(seller: "seller-a", key: "before-\(n)", body: DaemonHarness.body(url: fleet.http.url(path), ids: ["b-\(n)"]))
            before.append((n % 2, "before-\(n)"))
        }
        var ids: [String] = []
        for drop in before { ids.append(try fleet.daemons[drop.daemon].videoId(try fleet.daemons[drop.daemon].waitForReceipt(seller: "seller-a", key: drop.key))) }
        try fleet.daemons[0].waitUntil("a slow download is under way", timeout: 30) {
            fleet.http.requestCount(path: "/throttle/60000/h264_aac_10s.mp4") > 0
        }

        fleet.postgres.stop()
        let cut = Date()
        var during: [(daemon: Int, key: String)] = []
        for n in 0..<4 {
            try fleet.daemons[n % 2].drop(seller: "seller-b", key: "during-\(n)",
                                          body: DaemonHarness.body(url: fleet.http.url("/files/compliant.mp4"), ids: ["d-\(n)"]))
            during.append((n % 2, "during-\(n)"))
        }
        try fleet.daemons[0].waitUntil("/readyz 503 while PostgreSQL is away", timeout: 5) { readyz() == 503 }
        Thread.sleep(forTimeInterval: max(0, 10 - Date().timeIntervalSince(cut)))
        XCTAssertEqual(readyz(), 503, "still unready after 10 s without the store")
        XCTAssertTrue(fleet.running.count == 2, "no daemon stops over the outage: \(fleet.logTails())")
        for drop in during {
            let daemon = fleet.daemons[drop.daemon]
            XCTAssertFalse(FileManager.default.fileExists(atPath: daemon.receiptPath(seller: "seller-b", key: drop.key)), "no receipt without the store")
            XCTAssertTrue(FileManager.default.fileExists(atPath: daemon.spool + "/inbox/seller-b/\(drop.key).json"), "the drop waits in the inbox")
        }

        try fleet.postgres.start()
        let back = Date()
        try fleet.daemons[0].waitUntil("/readyz 200 once PostgreSQL is back", timeout: 30) { readyz() == 200 }
        for drop in during {
            let daemon = fleet.daemons[drop.daemon]
            ids.append(try daemon.videoId(try daemon.waitForReceipt(seller: "seller-b", key: drop.key, timeout: 30)))
            let written = try FileManager.default.attributesOfItem(atPath: daemon.receiptPath(seller: "seller-b", key: drop.key))[.modificationDate] as? Date
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(written).timeIntervalSince(back), -1, "the receipt came after the outage")
        }
        try fleet.waitForAllFinal(Set(ids), timeout: 120)
        let store = try fleet.store()
        for id in ids {
            let video = try XCTUnwrap(try store.video(id: id))
            XCTAssertEqual(video.status, .success, "\(id): \(video.errorCode ?? "") \(video.errorMessage ?? "") — none FAILED for the cut")
            let history = try store.jobHistory(jobId: try XCTUnwrap(try store.job(videoId: id)).id)
            XCTAssertEqual(JobHistoryCheck.violations(history), [], "\(id): \(history)")
        }
        let list = try fleet.listById(from: 1)
        XCTAssertEqual(Set(list.keys), Set(ids))
        for (index, drop) in (before + during).enumerated() {
            let id = ids[index]
            try fleet.daemons[drop.daemon].waitUntil("the status file of \(drop.key) is current", timeout: 10) {
                fleet.daemons[drop.daemon].statusFile(id) == list[id]
            }
        }
        XCTAssertTrue(fleet.daemons.contains { $0.logLines().contains { $0.contains("does not answer") || $0.contains("unavailable") } },
                      "a daemon said the store was away: \(fleet.logTails())")
    }

    // MARK: - 3. Any daemon answers for the fleet; one drop in two inboxes is one video

    func testFleet_listAndStatusFromAnyDaemon() throws {
        let fleet = try FleetHarness(daemons: 3, overrides: DaemonHarness.apiConfig())
        self.fleet = fleet
        try fleet.startAll()
        let body = DaemonHarness.body(url: fleet.http.url("/files/compliant.mp4"), ids: ["shared-1"])
        try fleet.daemons[0].drop(seller: "s1", key: "same", body: body)
        try fleet.daemons[1].drop(seller: "s1", key: "same", body: body)
        try fleet.daemons[2].drop(seller: "s1", key: "solo", body: DaemonHarness.body(url: fleet.http.url("/files/no_audio_10s.mp4"), ids: ["solo-1"]))
        let first = try fleet.daemons[0].videoId(try fleet.daemons[0].waitForReceipt(seller: "s1", key: "same"))
        let second = try fleet.daemons[1].videoId(try fleet.daemons[1].waitForReceipt(seller: "s1", key: "same"))
        XCTAssertEqual(first, second, "the same key and body in two inboxes make one video")
        let solo = try fleet.daemons[2].videoId(try fleet.daemons[2].waitForReceipt(seller: "s1", key: "solo"))
        // The key space is the fleet's: the same key with another body in a third inbox is refused.
        try fleet.daemons[2].drop(seller: "s1", key: "same", body: DaemonHarness.body(url: fleet.http.url("/files/compliant.mp4"), ids: ["other"]))
        let reused = try fleet.daemons[2].waitForReceipt(seller: "s1", key: "same")
        XCTAssertEqual(Self.items(reused["errors"]).first?["code"]?.stringValue, "idempotency_key_reused", reused.compact)

        XCTAssertEqual(try fleet.daemons[0].waitForFinalStatus(first)["status"]?.stringValue, "SUCCESS")
        XCTAssertEqual(try fleet.daemons[1].waitForFinalStatus(first)["status"]?.stringValue, "SUCCESS")
        XCTAssertEqual(try fleet.daemons[2].waitForFinalStatus(solo)["status"]?.stringValue, "SUCCESS")

        // list, status and the HTTP API answer the same on every daemon.
        let lists = try fleet.daemons.indices.map { try fleet.listById(from: $0) }
        XCTAssertEqual(Set(lists[0].keys), [first, solo])
        for index in fleet.daemons.indices {
            XCTAssertEqual(lists[index], lists[0], "daemon \(index)'s list")
            let port = try fleet.daemons[index].httpPort()
            for id in [first, solo] {
                XCTAssertEqual(try fleet.daemons[index].statusCommand(id), lists[0][id], "status \(id) on daemon \(index)")
                let answer = try HTTPClient.request(port: port, "GET", "/v1/videos/\(id)",
                                                    headers: [("Authorization", "Bearer " + DaemonHarness.sellerKeys["s1"]!)])
                XCTAssertEqual(answer.status, 200, answer.text)
                XCTAssertEqual(answer.json, lists[0][id], "GET /v1/videos/\(id) on daemon \(index)")
            }
        }
        XCTAssertEqual(fleet.daemons[0].statusFile(first), lists[0][first])
        XCTAssertEqual(fleet.daemons[1].statusFile(first), lists[0][first])
        XCTAssertEqual(fleet.daemons[2].statusFile(solo), lists[0][solo])

        // A change made through one daemon reaches the status files of the spools the video came in through.
        let approved = try fleet.daemons[2].cli(["approve", first])
        XCTAssertEqual(approved.status, 0, approved.stderr)
        let changed = Date()
        for index in [0, 1] {
            try fleet.daemons[index].waitUntil("daemon \(index)'s status file shows the approval", timeout: 2) {
                fleet.daemons[index].statusFile(first)?["isApproved"] == .bool(true)
            }
        }
        XCTAssertLessThan(Date().timeIntervalSince(changed), 2.0, "within the contract's 2 s")
        XCTAssertEqual(fleet.daemons[0].statusFile(first), try fleet.daemons[1].statusCommand(first))
    }
}
