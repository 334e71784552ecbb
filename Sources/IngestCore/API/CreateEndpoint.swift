import Foundation
import Glibc
import IngestCrypto
import IngestHTTP
import IngestStore

/// `POST /v1/videos`: a JSON body (at most 64 KiB) or a `multipart/form-data` upload whose
/// `video` part is streamed to `uploads/` (at most `http.maxUploadBytes`). Both become the
/// section 3 request, with `storeFrontCode` from the header (the body's field when the header
/// is absent), and go through `IntakeService`: the same validation, videoId and idempotency
/// key space as a drop.
struct CreateEndpoint {
    let endpoints: VideoEndpoints

    /// The body rule of a create, from its head: 415 for another content type, 411 without a
    /// length, 413 over the cap (an upload announced over `maxUploadBytes` is refused unread).
    static func plan(_ head: RequestHead, config: IngestConfig, layout: SpoolLayout) -> BodyPlan {
        let type = (head.header("content-type") ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "application/json":
            return BodyRules.lengthProblem(head, max: APIHandler.maxJSONBytes, required: true).map(BodyPlan.respond)
                ?? .buffer(maxBytes: APIHandler.maxJSONBytes)
        case "multipart/form-data":
            let cap = config.http.maxUploadBytes
            let announcedCap = Int(clamping: cap) &+ APIHandler.maxUploadFieldBytes
            if let problem = BodyRules.lengthProblem(head, max: announcedCap, required: true, tooLarge: sizeExceeded(cap)) {
                return .respond(problem)
            }
            return .multipart(MultipartPlan(fileField: "video", directory: layout.uploads, maxFileBytes: cap,
                                            maxFieldBytes: APIHandler.maxUploadFieldBytes))
        default:
            return .respond(APIResponse.error(.unsupportedMediaType))
        }
    }

    static func sizeExceeded(_ cap: Int64) -> HTTPResponse {
        APIResponse.json(413, RequestError.document([RequestError(.bodyRequired, field: "video",
            message: "The video is larger than \(cap) bytes.").withCode(FailureCode.sizeExceeded.rawValue)]))
    }

    func create(_ request: HTTPRequest) throws -> HTTPResponse {
        let head = request.head
        guard let seller = endpoints.principal.sellerId else { return APIResponse.error(.forbidden) }
        var fields: [(String, JSONValue)]
        var upload: UploadedFile?
        if let multipart = request.multipart {
            if let problem = multipart.problem { return Self.answer(problem, config: endpoints.config) }
            fields = Self.fields(of: multipart)
            upload = multipart.file
        } else {
            if request.bodyTooLarge { return APIResponse.error(.payloadTooLarge, message: "The JSON body is larger than \(APIHandler.maxJSONBytes) bytes.") }
            guard case .object(let members)? = try? JSONParser.parse(request.body) else {
                // Not an object (malformed, an array, a scalar, empty): the validator says why.
                return APIResponse.rejected(Self.rejection(request.body, config: endpoints.config))
            }
            fields = members
        }
        if let code = head.header("storefrontcode") {
            fields.removeAll { $0.0 == "storeFrontCode" }
            fields.append(("storeFrontCode", .string(code)))
        }
        var uploadToken: String?
        if let upload {
            fields.append(("videoUpload", .object([("sha256", .string(upload.sha256)), ("size", .integer(upload.size))])))
            let token = Hex.encode((try? SecureRandom.bytes(16)) ?? Array(UUID().uuidString.utf8.prefix(16)))
            guard rename(upload.path, Uploads.path(endpoints.layout, token: token)) == 0 else {
                throw DaemonError("cannot move the upload into place: \(String(cString: strerror(errno)))")
            }
            uploadToken = token
        }
        let key = head.header("idempotency-key") ?? "http-" + Hex.encode((try? SecureRandom.bytes(16)) ?? [])
        let body = Data(JSONValue.object(fields).compact.utf8)
        // An HTTP create's origin is this API daemon's spool: its status file is kept there, as a drop's would be.
        let origin = try SpoolOrigin.of(endpoints.layout, config: endpoints.config)
        let intake = IntakeService(store: endpoints.store, config: endpoints.config, origin: origin)
        let outcome: IntakeService.Outcome
        do {
            outcome = try intake.submit(sellerId: seller, key: key, body: body,
                                        uploadedVideoUrl: uploadToken.map { Uploads.videoUrl(token: $0, fileName: upload?.fileName) })
        } catch {
            if let uploadToken { unlink(Uploads.path(endpoints.layout, token: uploadToken)) }
            throw error
        }
        if let uploadToken, outcome != .accepted(videoId: outcome.videoId ?? "", created: true) {
            unlink(Uploads.path(endpoints.layout, token: uploadToken))  // a replay or a refusal keeps no file
        }
        switch outcome {
        case .accepted(let id, let created):
            try? StatusWriter(layout: endpoints.layout, store: endpoints.store, origin: origin).write(videoIds: [id])
            if created {
                endpoints.log.info("video created over HTTP", videoId: id, sellerId: seller,
                                   extra: [("requestId", .string(head.requestId)), ("uploaded", .bool(upload != nil))])
            }
            return APIResponse.json(200, outcome.receipt, headers: created ? [] : [("Idempotent-Replayed", "true")])
        case .rejected(let rejection):
            return APIResponse.rejected(rejection.errors)
        }
    }

    /// The request fields of a multipart body: `productContentIds` as repeated parts or one JSON
    /// array; every other field a string.
    static func fields(of body: MultipartBody) -> [(String, JSONValue)] {
        var fields: [(String, JSONValue)] = []
        var ids: [JSONValue] = []
        for (name, value) in body.fields {
            if name == "productContentIds" {
                if value.hasPrefix("["), case .array(let items)? = try? JSONParser.parse(Data(value.utf8)) { ids += items } else { ids.append(.string(value)) }
            } else if !fields.contains(where: { $0.0 == name }) {
                fields.append((name, .string(value)))
            }
        }
        if !ids.isEmpty { fields.append(("productContentIds", .array(ids))) }
        return fields
    }

    static func answer(_ problem: MultipartProblem, config: IngestConfig) -> HTTPResponse {
        switch problem {
        case .fileTooLarge: return sizeExceeded(config.http.maxUploadBytes)
        case .fieldsTooLarge: return APIResponse.error(.payloadTooLarge, message: "The text fields are larger than \(APIHandler.maxUploadFieldBytes) bytes.")
        case .unexpectedFile(let why): return APIResponse.invalid(.bodyRequired, field: "video", message: "The upload is not usable: \(why).")
        case .malformed: return APIResponse.invalid(.bodyRequired, field: nil, message: "The body is not valid multipart/form-data.")
        case .writeFailed(let why):
            Log.shared.error("upload not stored: \(why)")
            return APIResponse.error(.unavailable, headers: [("Retry-After", "5")])
        }
    }

    /// The validator's refusal of a body that is no JSON object.
    static func rejection(_ body: Data, config: IngestConfig) -> [RequestError] {
        if case .failure(let rejection) = RequestValidator.validate(body: body, storeFrontCodes: config.intake.storeFrontCodes) {
            return rejection.errors
        }
        return [RequestError(.bodyRequired, field: nil)]
    }
}

extension IntakeService.Outcome {
    /// The video id of an accepted outcome.
    var videoId: String? { if case .accepted(let id, _) = self { return id } else { return nil } }
}

extension RequestError {
    /// The same error under another code.
    func withCode(_ code: String) -> RequestError {
        var copy = self
        copy.code = code
        return copy
    }
}
