import Foundation

/// Validates a request body against CONTRACT section 3 and reports every problem at once.
public enum RequestValidator {
    /// The largest body read from a drop file; larger files are refused unread.
    public static let maxBodyBytes = 1 << 20

    /// Validates raw body bytes. With `uploaded` the video came as a file (an HTTP upload): the
    /// body must then have no `videoUrl`, and the request's `videoUrl` is left empty.
    public static func validate(body: Data, storeFrontCodes: [String], uploaded: Bool = false) -> Result<VideoRequest, RequestRejection> {
        guard !body.isEmpty else {
            return .failure(RequestRejection([RequestError(.bodyRequired, field: nil, message: "The request body is empty.")]))
        }
        guard body.count <= maxBodyBytes else {
            return .failure(RequestRejection([RequestError(.bodyRequired, field: nil, message: "The request body is larger than \(maxBodyBytes) bytes.")]))
        }
        let parsed: JSONValue
        do { parsed = try JSONParser.parse(body) } catch {
            return .failure(RequestRejection([RequestError(.bodyRequired, field: nil, message: "The request body is not valid JSON (\(error)).")]))
        }
        return validate(parsed, storeFrontCodes: storeFrontCodes, uploaded: uploaded)
    }

    /// Validates a parsed body.
    public static func validate(_ body: JSONValue, storeFrontCodes: [String], uploaded: Bool = false) -> Result<VideoRequest, RequestRejection> {
        guard case .object = body else {
            return .failure(RequestRejection([RequestError(.bodyRequired, field: nil, message: "The request body must be a JSON object.")]))
        }
        var errors: [RequestError] = []

        let title = body["title"]?.stringValue
        if title == nil || title!.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            errors.append(RequestError(.titleRequired, field: "title"))
        } else if !(3...50).contains(title!.count) {
            errors.append(RequestError(.titleLength, field: "title"))
        }

        var description: String?
        switch body["description"] {
        case nil, .null?: description = nil
        case .string(let d)?:
            if d.count > 500 { errors.append(RequestError(.descriptionLength, field: "description")) }
            description = d
        default:
            errors.append(RequestError(.descriptionLength, field: "description", message: "Description must be a string of at most 500 characters."))
        }

        let videoUrl = uploaded ? "" : body["videoUrl"]?.stringValue
        if uploaded {
            if body["videoUrl"] != nil {
                errors.append(RequestError(.videoUrlInvalid, field: "videoUrl", message: "Send either videoUrl or a video file part, not both."))
            }
        } else if videoUrl == nil || videoUrl!.isEmpty {
            errors.append(RequestError(.videoUrlRequired, field: "videoUrl"))
        } else if !isValidVideoURL(videoUrl!) {
            errors.append(RequestError(.videoUrlInvalid, field: "videoUrl"))
        }

        var productContentIds: [String] = []
        switch body["productContentIds"] {
        case .array(let items)?:
            let strings = items.compactMap { $0.stringValue?.trimmingCharacters(in: .whitespaces) }
            if items.isEmpty {
                errors.append(RequestError(.productContentIdsRequired, field: "productContentIds"))
            } else if strings.count != items.count || strings.contains(where: \.isEmpty) {
                errors.append(RequestError(.productContentIdsRequired, field: "productContentIds",
                                           message: "Every product content ID must be a non-empty string."))
            } else if items.count > 100 {
                errors.append(RequestError(.productContentIdsMax, field: "productContentIds"))
            } else {
                var seen = Set<String>()
                productContentIds = strings.filter { seen.insert($0).inserted }
            }
        default:
            errors.append(RequestError(.productContentIdsRequired, field: "productContentIds"))
        }

        var contentType = VideoContentType.productPromotion
        switch body["videoContentType"] {
        case nil, .null?: break
        case .string(let s)? where VideoContentType(rawValue: s) != nil: contentType = VideoContentType(rawValue: s)!
        default: errors.append(RequestError(.invalidVideoContentType, field: "videoContentType"))
        }

        let storeFrontCode = body["storeFrontCode"]?.stringValue
        if storeFrontCode == nil || !storeFrontCodes.contains(storeFrontCode!) {
            errors.append(RequestError(.invalidStoreFrontCode, field: "storeFrontCode",
                                       message: "Invalid storeFrontCode value. Valid values: \(storeFrontCodes.joined(separator: ", "))."))
        }

        guard errors.isEmpty else { return .failure(RequestRejection(errors)) }
        return .success(VideoRequest(title: title!, description: description, videoUrl: videoUrl!,
                                     productContentIds: productContentIds, videoContentType: contentType,
                                     storeFrontCode: storeFrontCode!))
    }

    /// `http://` or `https://`, a host, and no white space or control characters anywhere.
    static func isValidVideoURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return false }
        guard text.count <= 2048, !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else { return false }
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else { return false }
        return true
    }
}
