import Foundation
import IngestCrypto
import IngestObjectStore
import IngestStore

/// The publish stage's object-storage half (`publish.s3`, CONTRACT section 11): uploads the
/// rendition and poster from scratch to `<prefix><videoId>/…`, confirms each object's size with
/// a HEAD, and records the objects in the store; the caller then commits SUCCESS.
///
/// Each object carries `x-amz-meta-sha256`, the digest of the local file. A run after a crash
/// between upload and commit finds an object of the same size and digest and does not upload
/// it again; any other object under the key is overwritten. Every failure is a worker fault.
struct S3Publisher {
    let context: StageContext
    let settings: S3Settings
    /// The scratch folder that holds the rendition and poster.
    let folder: String

    /// The files published, with their Content-Type (the poster may be missing).
    static let files = [("video_hd.mp4", "video/mp4"), ("poster.jpg", "image/jpeg")]

    /// Uploads and confirms; returns the rendition's and poster's URLs, or nil when the rendition
    /// is not in scratch (the caller makes it again).
    func upload() throws -> (video: String, poster: String?)? {
        guard FileManager.default.fileExists(atPath: folder + "/video_hd.mp4") else { return nil }
        let client: S3Client
        do throws(S3Error) {
            let credentials = try S3Credentials.resolve(file: settings.credentialsFile, environment: ProcessInfo.processInfo.environment)
            client = try S3Client(settings: settings, credentials: credentials, shouldCancel: context.isStopping)
        } catch { throw FailureMapping.map(error, bucket: settings.bucket) }
        var objects: [StoredObject] = []
        var urls: [String: String] = [:]
        for (name, contentType) in Self.files where FileManager.default.fileExists(atPath: folder + "/" + name) {
            let key = settings.key(videoId: context.video.id, name: name)
            do {
                try put(folder + "/" + name, key: key, contentType: contentType, client: client)
            } catch let error as S3Error {
                ObjectStoreHealth.shared.record(error, bucket: settings.bucket)
                throw FailureMapping.map(error, bucket: settings.bucket)
            }
            objects.append(StoredObject(endpoint: settings.endpoint, bucket: settings.bucket, key: key))
            urls[name] = context.config.publish.publicBaseUrl.map { "\($0)/\(context.video.id)/\(name)" } ?? settings.objectURL(key: key)
        }
        ObjectStoreHealth.shared.recordSuccess()
        try context.runner.store.recordPublishedObjects(videoId: context.video.id, objects)
        CrashPoint.reached(.afterUploadBeforeCommit)
        return (urls["video_hd.mp4"]!, urls["poster.jpg"])
    }

    /// Uploads `path` as `key` unless an object of the same size and digest is there, then
    /// confirms the object's size.
    private func put(_ path: String, key: String, contentType: String, client: S3Client) throws {
        guard let size = StageContext.fileSize(path) else {
            throw PipelineError.workerFault("publish: \(path) is gone")
        }
        let digest: String
        do { digest = try StageContext.sha256(ofFile: path) } catch { throw FailureMapping.map(error) }
        let log = context.runner.log
        let found = try existing(key, client: client)
        if let found, found.size == size, found.metadata["sha256"] == digest {
            log.info("object already in the bucket; not uploaded again", videoId: context.video.id, stage: "publish",
                     extra: [("bucket", .string(settings.bucket)), ("key", .string(key))])
            return
        }
        let start = Date()
        try client.upload(file: path, key: key, contentType: contentType, metadata: ["sha256": digest])
        guard let confirmed = try client.head(key: key), confirmed.size == size else {
            throw PipelineError.workerFault("publish to bucket \(settings.bucket): \(key) is not \(size) bytes after the upload")
        }
        let seconds = Date().timeIntervalSince(start)
        log.info("object uploaded and confirmed", videoId: context.video.id, stage: "publish",
                 extra: [("bucket", .string(settings.bucket)), ("key", .string(key)), ("bytes", .integer(size)),
                         ("seconds", .number((seconds * 1000).rounded() / 1000))])
    }

    /// The object under `key`, or nil. AWS answers a HEAD of a missing key with 403 when
    /// s3:ListBucket is not granted, and a HEAD's 403 has no body: a 403 here counts as missing,
    /// and the upload that follows says what is wrong, with the S3 error code.
    private func existing(_ key: String, client: S3Client) throws(S3Error) -> S3ObjectInfo? {
        do throws(S3Error) {
            return try client.head(key: key)
        } catch {
            if error.code == .accessDenied { return nil }
            throw error
        }
    }
}
