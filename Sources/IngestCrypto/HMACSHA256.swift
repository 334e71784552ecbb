import CCrypto

/// HMAC-SHA256 through libcrypto (webhook signatures, S3 request signing checks).
public enum HMACSHA256 {
    /// The 32-byte authentication code of `message` under `key`.
    public static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let keyCount = Int32(key.count)
        key.withUnsafeBytes { keyBuffer in
            message.withUnsafeBytes { messageBuffer in
                // HMAC wants non-null pointers even for empty inputs.
                var empty: UInt8 = 0
                let keyPointer = keyBuffer.baseAddress ?? UnsafeRawPointer(&empty)
                let messagePointer = messageBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
                _ = HMAC(EVP_sha256(), keyPointer, keyCount, messagePointer ?? UnsafePointer(&empty), messageBuffer.count, &out, &length)
            }
        }
        return Array(out.prefix(Int(length)))
    }
}
