import Foundation
import IngestObjectStore

/// What `config check` says about `publish.s3`: the settings (never a credential, only where the
/// credentials come from) and, with `--connect`, the outcome of one HEAD on the bucket.
enum ObjectStoreCheck {
    static func describe(_ s3: S3Settings) -> JSONValue {
        .object([("endpoint", .string(s3.endpoint)), ("bucket", .string(s3.bucket)), ("region", .string(s3.region)),
                 ("prefix", .string(s3.prefix)), ("pathStyle", .bool(s3.pathStyle)),
                 ("credentials", .string(s3.credentialsFile.map { "file " + $0 } ?? "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"))])
    }

    /// nil when the bucket answers the HEAD; otherwise why not, with the HTTP status or S3 code.
    static func connect(_ s3: S3Settings) -> String? {
        do throws(S3Error) {
            let credentials = try S3Credentials.resolve(file: s3.credentialsFile, environment: ProcessInfo.processInfo.environment)
            var options = S3Client.Options()
            options.timeouts.connectSeconds = 5
            try S3Client(settings: s3, credentials: credentials, options: options).checkBucket()
            return nil
        } catch {
            var hint = ""
            switch error.code {
            case .accessDenied: hint = " (the credentials are wrong or may not use the bucket)"
            case .notFound: hint = " (no such bucket)"
            case .unreachable: hint = " (the endpoint cannot be reached)"
            default: break
            }
            return "publish.s3: bucket \(s3.bucket) at \(s3.endpoint) does not work: \(error)\(hint)"
        }
    }
}
