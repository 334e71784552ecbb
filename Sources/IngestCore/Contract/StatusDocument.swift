import IngestStore

/// The status document of one video (CONTRACT section 4): the nine contract fields first, in the
/// contract's order, then the service's own fields. `status/<id>.json`, `video-ingest status`
/// and every item of `list` are this document.
public enum StatusDocument {
    /// The document of `video`.
    public static func json(_ video: VideoRecord) -> JSONValue {
        var m: [(String, JSONValue)] = []
        m.append(("id", .string(video.id)))
        m.append(("title", .string(video.title)))
        m.append(("description", .string(video.description)))
        m.append(("status", .string(video.status.rawValue)))
        m.append(("videoUrl", .string(video.videoUrl)))
        m.append(("productContentIds", .array(video.productContentIds.map(JSONValue.string))))
        m.append(("optimizedVideoUrl", .string(video.status == .success ? video.optimizedVideoUrl : nil)))
        m.append(("errorCode", .string(video.status == .failed ? video.errorCode : nil)))
        m.append(("isApproved", .bool(video.isApproved)))
        m.append(("sellerId", .string(video.sellerId)))
        m.append(("videoContentType", .string(video.videoContentType)))
        m.append(("storeFrontCode", .string(video.storeFrontCode)))
        m.append(("approvalStatus", .string(video.approval.rawValue)))
        m.append(("stage", .string(video.stage)))
        m.append(("progress", .number(video.progress)))
        m.append(("durationSeconds", .number(video.durationSeconds)))
        m.append(("posterUrl", .string(video.status == .success ? video.posterUrl : nil)))
        m.append(("errorMessage", .string(video.errorMessage)))
        m.append(("deleted", .bool(video.deleted)))
        m.append(("createdAt", .string(video.createdAt)))
        m.append(("updatedAt", .string(video.updatedAt)))
        return .object(m)
    }
}
