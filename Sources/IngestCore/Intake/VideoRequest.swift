/// A request that passed validation (CONTRACT section 3), normalised.
public struct VideoRequest: Sendable, Equatable {
    public var title: String
    public var description: String?
    public var videoUrl: String
    public var productContentIds: [String]
    public var videoContentType: VideoContentType
    public var storeFrontCode: String
}
