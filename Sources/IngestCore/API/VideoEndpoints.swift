import Foundation
import IngestHTTP
import IngestStore

/// List, show, delete and moderation: the same store reads and the same moderation code as the
/// CLI (`SpoolCommands.listDocument`, `SpoolCommands.moderate`). A seller sees only its own
/// videos: another seller's id answers 404, as an unknown id does.
struct VideoEndpoints {
    let store: any VideoStore
    let layout: SpoolLayout
    let config: IngestConfig
    let principal: Principal
    let requestId: String
    let log: Log

    /// `GET /v1/videos?id=&sellerIntegrationStatus=&page=&size=` (the seed's names).
    func list(_ head: RequestHead) throws -> HTTPResponse {
        var page = 0, size = 10
        var status: VideoStatus?
        var id: String?
        for (rawName, rawValue) in head.rawQuery {
            guard let name = PercentDecoding.decode(rawName, plusIsSpace: true) else { continue }
            guard let value = PercentDecoding.decode(rawValue, plusIsSpace: true) else {
                return APIResponse.error(.invalidParameter, message: "The value of \(name) is not valid percent-encoded UTF-8.")
            }
            switch name {
            case "page":
                guard let n = Int(value), n >= 0, n <= Int(Int32.max) else {
                    return parameterError("page", "page must be a whole number from 0 to \(Int32.max).")
                }
                page = n
            case "size":
                guard let n = Int(value), (1...100).contains(n) else { return parameterError("size", "size must be a whole number from 1 to 100.") }
                size = n
            case "sellerIntegrationStatus":
                guard let s = VideoStatus(rawValue: value) else {
                    return APIResponse.invalid(.invalidStatus, field: "sellerIntegrationStatus")
                }
                status = s
            case "id":
                // Not a UUID: no video has it, so the page is empty.
                id = Route.videoId(value) ?? value
            default: continue
            }
        }
        let result = try store.list(ListQuery(sellerId: principal.sellerId, id: id, status: status, page: page, size: size))
        return APIResponse.json(200, SpoolCommands.listDocument(result, page: page, size: size))
    }

    /// `GET /v1/videos/{id}`: the status document.
    func show(_ id: String) throws -> HTTPResponse {
        guard let video = try visibleVideo(id) else { return APIResponse.error(.notFound) }
        return APIResponse.json(200, StatusDocument.json(video))
    }

    /// `DELETE /v1/videos/{id}` (204), `POST …/approve` (200 and the document).
    func moderate(_ id: String, _ action: SpoolCommands.Moderation) throws -> HTTPResponse {
        guard try visibleVideo(id) != nil,
              let video = try SpoolCommands.moderate(videoId: id, action, store: store, layout: layout,
                                                       origin: try SpoolOrigin.of(layout, config: config)) else {
            return APIResponse.error(.notFound)
        }
        log.info("moderated over HTTP", videoId: id, sellerId: video.sellerId,
                 extra: [("requestId", .string(requestId)), ("action", .string("\(action)"))])
        if case .delete = action { return HTTPResponse(status: 204) }
        return APIResponse.json(200, StatusDocument.json(video))
    }

    /// `POST …/reject` with an optional `{"reason": "..."}`.
    func reject(_ id: String, _ request: HTTPRequest) throws -> HTTPResponse {
        if request.bodyTooLarge { return APIResponse.error(.payloadTooLarge) }
        var reason: String?
        if !request.body.isEmpty {
            guard case .object? = try? JSONParser.parse(request.body), let parsed = try? JSONParser.parse(request.body) else {
                return APIResponse.invalid(.bodyRequired, field: nil, message: "The body must be a JSON object such as {\"reason\": \"...\"}.")
            }
            switch parsed["reason"] {
            case nil, .null?: break
            case .string(let text)? where text.count <= 500: reason = text
            default: return APIResponse.invalid(.bodyRequired, field: "reason", message: "reason must be a string of at most 500 characters.")
            }
        }
        return try moderate(id, .reject(reason: reason))
    }

    /// `GET /v1/videos/{id}/video_hd.mp4` and `…/poster.jpg`: the file from the media folder, or,
    /// for a video whose objects went to the bucket (`publish.s3`; the upload is confirmed before
    /// SUCCESS), 302 to the object's public URL (CONTRACT section 11).
    func media(_ id: String, _ file: Route.MediaFile, _ head: RequestHead) throws -> HTTPResponse {
        guard let video = try visibleVideo(id), video.status == .success else { return APIResponse.error(.notFound) }
        if try store.publishedObjects(videoId: id).contains(where: { $0.key.hasSuffix("/" + file.rawValue) }) {
            let published = file == .rendition ? video.optimizedVideoUrl : video.posterUrl
            guard let url = config.publish.publicBaseUrl.map({ "\($0)/\(id)/\(file.rawValue)" }) ?? published else {
                return APIResponse.error(.notFound)
            }
            return HTTPResponse(status: 302, headers: [("Location", url), ("Cache-Control", "private, max-age=0")])
        }
        return MediaFileResponse.serve(path: layout.mediaFolder(videoId: id) + "/" + file.rawValue, contentType: file.contentType, head: head)
    }

    /// The video if it exists, is not deleted and the principal may see it.
    private func visibleVideo(_ id: String) throws -> VideoRecord? {
        guard let video = try store.video(id: id), !video.deleted else { return nil }
        if let seller = principal.sellerId, video.sellerId != seller { return nil }
        return video
    }

    private func parameterError(_ name: String, _ message: String) -> HTTPResponse {
        APIResponse.json(400, RequestError.document([RequestError(api: .invalidParameter, message: message).with(field: name)]))
    }
}

extension RequestError {
    /// The same error about `field`.
    func with(field: String?) -> RequestError {
        var copy = self
        copy.field = field
        return copy
    }
}
