import Foundation

/// An access key, its secret and an optional session token. The secret and the token are never
/// printed: `description`, `debugDescription` and the mirror show the key id only.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let accessKeyId: String
    let secretAccessKey: String
    let sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String { "S3Credentials(accessKeyId: \(accessKeyId), secret: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["accessKeyId": accessKeyId], displayStyle: .struct) }

    /// `key:secret`, for `CURLOPT_USERPWD` only.
    var userPassword: String { accessKeyId + ":" + secretAccessKey }

    /// The credentials to use: the file named by `publish.s3.credentialsFile` when there is one
    /// (the operator named it), otherwise `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
    /// `AWS_SESSION_TOKEN` from `environment`.
    ///
    /// The file is the AWS shared-credentials format: `aws_access_key_id = …`,
    /// `aws_secret_access_key = …`, optional `aws_session_token = …`, in `[default]` or before
    /// any section. Throws `.invalidConfig` (naming the file or the variables, never a value).
    public static func resolve(file: String?, environment: [String: String]) throws(S3Error) -> S3Credentials {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw S3Error(.invalidConfig, "the credentials file \(file) cannot be read")
            }
            return try parse(String(decoding: data, as: UTF8.self), source: "the credentials file \(file)")
        }
        guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
              let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
            throw S3Error(.invalidConfig, "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or publish.s3.credentialsFile")
        }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return S3Credentials(accessKeyId: key, secretAccessKey: secret, sessionToken: token)
    }

    /// Parses the shared-credentials text (`[default]` profile).
    static func parse(_ text: String, source: String) throws(S3Error) -> S3Credentials {
        var section: String?
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard section == nil || section == "default", let eq = line.firstIndex(of: "=") else { continue }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            values[name] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        }
        guard let key = values["aws_access_key_id"], !key.isEmpty,
              let secret = values["aws_secret_access_key"], !secret.isEmpty else {
            throw S3Error(.invalidConfig, "\(source) has no aws_access_key_id and aws_secret_access_key in [default]")
        }
        let token = values["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
        return S3Credentials(accessKeyId: key, secretAccessKey: secret, sessionToken: token)
    }
}
