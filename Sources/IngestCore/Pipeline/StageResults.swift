import Foundation
import MediaModel

/// What the download stage leaves for the next: the source file (relative to the video's scratch
/// folder), its size and SHA-256.
struct SourceFile: Codable, Sendable, Equatable {
    /// The file, relative to `scratch/<videoId>/` (for example `g3/source`).
    var file: String
    var sizeBytes: Int64
    /// Lowercase hex SHA-256 of the bytes.
    var sha256: String
    /// The URL the body finally came from (after redirects).
    var effectiveUrl: String?
}

/// What the check stage found: the container format by magic bytes, the measured duration and the probe.
struct CheckedSource: Codable, Sendable, Equatable {
    var format: ContainerFormat
    var durationSeconds: Double
    var probe: ProbeReport?
}

/// What the optimize stage made: the rendition and poster (relative to `scratch/<videoId>/`) and
/// the re-probe of the written rendition.
struct Rendition: Codable, Sendable, Equatable {
    /// The folder holding `video_hd.mp4` and, when made, `poster.jpg` (for example `g4/out`).
    var folder: String
    var hasPoster: Bool
    var usedFastPath: Bool
    var output: ProbeReport?
}

/// One finished stage's typed result.
enum StageResult: Sendable, Equatable {
    case downloaded(SourceFile)
    case checked(CheckedSource)
    case optimized(Rendition)

    var stage: JobStage {
        switch self {
        case .downloaded: return .download
        case .checked: return .check
        case .optimized: return .optimize
        }
    }

    /// The JSON kept in the store (`job_stage_results.result`).
    func encoded() throws -> String {
        switch self {
        case .downloaded(let value): return try JSONCoding.text(value)
        case .checked(let value): return try JSONCoding.text(value)
        case .optimized(let value): return try JSONCoding.text(value)
        }
    }
}

/// How a stage ended, other than with an error: its result, a request to go back to an earlier
/// stage because its input is gone, or (publish) the committed SUCCESS.
enum StageOutcome: Sendable, Equatable {
    case finished(StageResult)
    case rewind(to: JobStage, reason: String)
    case published
}

/// The results recorded so far for one job, one per finished stage. `JobRunner` alone decides
/// from these which stage runs next.
struct StageResults: Sendable, Equatable {
    var download: SourceFile?
    var check: CheckedSource?
    var optimize: Rendition?

    init() {}

    /// Decodes what the store holds; a result that does not decode (an older build's) counts as
    /// missing, so its stage runs again.
    init(stored: [String: String]) {
        func decode<T: Decodable>(_ type: T.Type, _ stage: JobStage) -> T? {
            stored[stage.rawValue].flatMap { try? JSONCoding.decode(T.self, from: Data($0.utf8)) }
        }
        download = decode(SourceFile.self, .download)
        check = decode(CheckedSource.self, .check)
        optimize = decode(Rendition.self, .optimize)
    }

    /// The first stage without a result: download → check → optimize → publish.
    var nextStage: JobStage {
        if download == nil { return .download }
        if check == nil { return .check }
        if optimize == nil { return .optimize }
        return .publish
    }

    mutating func record(_ result: StageResult) {
        switch result {
        case .downloaded(let value): download = value
        case .checked(let value): check = value
        case .optimized(let value): optimize = value
        }
    }

    /// Forgets the results of `stage` and every later one (they run again).
    mutating func forget(from stage: JobStage) {
        for s in JobStage.allCases where s.order >= stage.order {
            switch s {
            case .download: download = nil
            case .check: check = nil
            case .optimize: optimize = nil
            case .publish: break
            }
        }
    }
}
