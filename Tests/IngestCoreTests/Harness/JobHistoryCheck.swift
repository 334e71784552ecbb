import Foundation
import IngestStore

/// Checks one job's history (`VideoStore.jobHistory`, in commit order) for the fleet's rule
/// "each job runs in exactly one daemon at a time" (CONTRACT section 10): the history starts with
/// a claim, every claim has a higher lease generation than the one before, and every stage result
/// was committed under the latest claim's lease (owner and generation). A daemon that went on
/// working after its lease was taken over would show as a stage entry of an older lease after a
/// newer claim.
enum JobHistoryCheck {
    /// The rule's violations in `history`, one line each; empty when it holds.
    static func violations(_ history: [JobHistoryEntry]) -> [String] {
        var problems: [String] = []
        var current: LeaseToken?
        var lastSeq = Int64.min
        for entry in history {
            if entry.seq <= lastSeq { problems.append("\(entry): not after #\(lastSeq)") }
            lastSeq = entry.seq
            switch entry.event {
            case .claimed:
                if let previous = current, entry.lease.generation <= previous.generation {
                    problems.append("\(entry): generation not above the previous claim's g\(previous.generation)")
                }
                current = entry.lease
            case .stage:
                guard let holder = current else {
                    problems.append("\(entry): a stage result before any claim")
                    continue
                }
                if entry.lease != holder {
                    problems.append("\(entry): written under another lease than the latest claim (\(holder.owner) g\(holder.generation))")
                }
            }
        }
        return problems
    }

    /// The distinct lease owners that claimed the job, in claim order.
    static func claimants(_ history: [JobHistoryEntry]) -> [String] {
        var owners: [String] = []
        for entry in history where entry.event == .claimed && owners.last != entry.lease.owner {
            owners.append(entry.lease.owner)
        }
        return owners
    }
}
