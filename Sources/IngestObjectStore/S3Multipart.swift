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
            var etags: [String] = []
            var offset: Int64 = 0
            while offset < size {
                let length = min(partSize, size - offset)
                etags.append(try uploadPart(uploadId: uploadId, number: etags.count + 1, offset: offset, length: length))
                offset += length
            }
            try complete(uploadId: uploadId, etags: etags)
        } catch {
            abort(uploadId: uploadId)
            throw error
        }
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

    private func uploadPart(uploadId: String, number: Int, offset: Int64, length: Int64) throws(S3Error) -> String {
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
