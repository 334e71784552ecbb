import Foundation
import IngestDownload

/// Test-only injected write faults: `VIDEO_INGEST_FAULT_WRITES=ENOSPC:status:3` makes the next 3
/// writes whose path contains `status` fail with ENOSPC. Several rules are separated by commas
/// (`EIO:source.part:2,ENOSPC:receipts:1`); the errno is ENOSPC, EIO, EDQUOT or EROFS; a rule
/// without a count fires once. A fourth field lets that many matching writes pass first
/// (`ENOSPC:<videoId>:1:5` fails the sixth write of that video's status file).
///
/// The writes are every `AtomicFile.write` (status files, receipts; matched on the final path)
/// and the download's scratch file (`FileSink`, through `ScratchWriteFault`; its path ends in
/// `scratch/<videoId>/source.part`). The variable is read once; without it nothing is counted.
public enum WriteFaults {
    public static let environmentVariable = "VIDEO_INGEST_FAULT_WRITES"

    struct Rule {
        let errno: Int32
        let errnoName: String
        let pathContains: String
        var remaining: Int
        var skip: Int
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var rules: [Rule] = parse(ProcessInfo.processInfo.environment[environmentVariable])
    private static let armed: Bool = lock.withLock { !rules.isEmpty }

    static func parse(_ text: String?) -> [Rule] {
        guard let text, !text.isEmpty else { return [] }
        let names: [String: Int32] = ["ENOSPC": ENOSPC, "EIO": EIO, "EDQUOT": EDQUOT, "EROFS": EROFS]
        var parsed: [Rule] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard (2...4).contains(parts.count), let code = names[parts[0].uppercased()], !parts[1].isEmpty,
                  let count = parts.count >= 3 ? Int(parts[2]) : 1, count > 0,
                  let skip = parts.count == 4 ? Int(parts[3]) : 0, skip >= 0 else {
                Log.shared.warn("\(environmentVariable): cannot read \"\(item)\" (want ERRNO:path-part[:count[:skip]]); ignored")
                continue
            }
            parsed.append(Rule(errno: code, errnoName: parts[0].uppercased(), pathContains: parts[1], remaining: count, skip: skip))
        }
        return parsed
    }

    /// The errno the write to `path` must fail with, or nil. Counts the fault down.
    public static func fault(for path: String) -> Int32? {
        guard armed else { return nil }
        let hit: Rule? = lock.withLock {
            guard let i = rules.firstIndex(where: { $0.remaining > 0 && path.contains($0.pathContains) }) else { return nil }
            if rules[i].skip > 0 {
                rules[i].skip -= 1
                return nil
            }
            rules[i].remaining -= 1
            return rules[i]
        }
        guard let hit else { return nil }
        Log.shared.warn("injected write fault \(hit.errnoName)", extra: [("path", .string(path)), ("left", .integer(Int64(hit.remaining)))])
        return hit.errno
    }

    /// Routes the download's scratch writes through `fault(for:)` (no-op when nothing is armed).
    /// Call once before any worker thread starts.
    public static func install() {
        guard armed else { return }
        Log.shared.warn("write faults armed: \(ProcessInfo.processInfo.environment[environmentVariable] ?? "")")
        ScratchWriteFault.hook = { path in fault(for: path) }
    }
}
