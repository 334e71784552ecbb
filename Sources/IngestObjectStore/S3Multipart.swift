import Foundation

/// One multipart upload: create, upload the parts in order, complete; aborted when any step
/// fails, so no invisible parts are left behind in the bucket.
struct MultipartUpload {
    let client: S3Client
    let key: String
    let path: String
    let size: Int64
    let headers: [String]

    private var bucket: String { client.settings.bucket }

    /// The part size: the configured one, grown so that no more than 10,000 parts are needed.
    var partSize: Int64 {
        let minimum = (size + 9_999) / 10_000
        return max(client.options.partSize, (minimum + (1 << 20) - 1) / (1 << 20) * (1 << 20))
    }

    func run() throws(S3Error) {
        let uploadId = try create()
        do throws(S3Error) {
            try complete(uploadId: uploadId, etags: try uploadParts(uploadId: uploadId))
        } catch {
            abort(uploadId: uploadId)
            throw error
        }
    }

    /// Uploads every part, `parallelParts` at a time (lane i takes parts i, i + lanes, …, each
    /// lane on its own client and connection); returns the ETags in part order.
    private func uploadParts(uploadId: String) throws(S3Error) -> [String] {
        let ranges = stride(from: Int64(0), to: size, by: Int(partSize)).map { ($0, min(partSize, size - $0)) }
        let lanes = max(1, min(client.options.parallelParts, ranges.count))
        var clients = [client]
        for _ in 1..<lanes { clients.append(try client.sibling()) }
        let results = PartResults(count: ranges.count)
        let owned = LaneClients(upload: self, clients: clients)
        let work = { @Sendable (lane: Int) in
            let (upload, client) = (owned.upload, owned.clients[lane])
            for index in stride(from: lane, to: ranges.count, by: lanes) where !results.failed {
                do throws(S3Error) {
                    let (offset, length) = ranges[index]
                    results.set(index, try upload.uploadPart(with: client, uploadId: uploadId, number: index + 1,
                                                           offset: offset, length: length))
                } catch {
                    results.fail(error)
                }
            }
        }
        DispatchQueue.concurrentPerform(iterations: lanes, execute: work)
        return try results.etags()
    }

    private func create() throws(S3Error) -> String {
        let request = S3Request(method: "POST", url: client.settings.objectURL(key: key, query: [("uploads", "")]),
                                headers: headers, operation: "CreateMultipartUpload \(bucket)/\(key)")
        let response = try client.send(request)
        guard let id = S3XML.value("UploadId", in: response.bodyText), !id.isEmpty else {
            throw S3Error(.rejected, "the answer holds no UploadId", operation: request.operation, httpStatus: response.status)
        }
        return id
    }

    private func uploadPart(with client: S3Client, uploadId: String, number: Int, offset: Int64, length: Int64) throws(S3Error) -> String {
        let url = client.settings.objectURL(key: key, query: [("partNumber", "\(number)"), ("uploadId", uploadId)])
        let request = S3Request(method: "PUT", url: url, body: .file(path: path, offset: offset, length: length),
                                operation: "UploadPart \(number) \(bucket)/\(key)")
        let response = try client.send(request)
        guard let etag = response.headers["etag"], !etag.isEmpty else {
            throw S3Error(.rejected, "the answer holds no ETag", operation: request.operation, httpStatus: response.status)
        }
        return etag
    }

    private func complete(uploadId: String, etags: [String]) throws(S3Error) {
        let url = client.settings.objectURL(key: key, query: [("uploadId", uploadId)])
        let body = Array(S3XML.completeMultipart(etags: etags).utf8)
        let request = S3Request(method: "POST", url: url, headers: ["Content-Type: application/xml"], body: .bytes(body),
                                operation: "CompleteMultipartUpload \(bucket)/\(key)")
        _ = try client.send(request)
    }

    /// Best effort: a failed abort leaves parts the bucket's lifecycle rules can expire.
    private func abort(uploadId: String) {
        let url = client.settings.objectURL(key: key, query: [("uploadId", uploadId)])
        let request = S3Request(method: "DELETE", url: url, operation: "AbortMultipartUpload \(bucket)/\(key)")
        _ = try? client.send(request, attempts: 2)
    }
}

/// The ETags of a multipart upload's parts as the lanes finish them, and the first failure.
private final class PartResults: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String?]
    private var error: S3Error?

    init(count: Int) { values = Array(repeating: nil, count: count) }

    var failed: Bool { lock.withLock { error != nil } }
    func set(_ index: Int, _ etag: String) { lock.withLock { values[index] = etag } }
    func fail(_ error: S3Error) { lock.withLock { if self.error == nil { self.error = error } } }

    func etags() throws(S3Error) -> [String] {
        let (values, error) = lock.withLock { (self.values, self.error) }
        if let error { throw error }
        return values.map { $0 ?? "" }
    }
}

/// Hands each lane its own client: lane i only ever touches `clients[i]`, so no client is used by
/// two threads at once, which is what makes this unchecked sendability sound.
private struct LaneClients: @unchecked Sendable {
    let upload: MultipartUpload
    let clients: [S3Client]
}
