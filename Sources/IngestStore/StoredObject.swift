import Foundation

/// An object in a bucket (`publish.s3`): where it is and its key.
public struct StoredObject: Sendable, Equatable {
    public var endpoint: String
    public var bucket: String
    public var key: String

    public init(endpoint: String, bucket: String, key: String) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.key = key
    }
}

/// One entry of the outbox of objects to delete.
public struct ObjectDeletion: Sendable, Equatable {
    public var id: Int64
    public var videoId: String
    public var object: StoredObject
    public var attempts: Int

    public init(id: Int64, videoId: String, object: StoredObject, attempts: Int) {
        self.id = id
        self.videoId = videoId
        self.object = object
        self.attempts = attempts
    }
}
