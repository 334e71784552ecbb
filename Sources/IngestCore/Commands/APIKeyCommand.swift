import IngestCrypto

/// `video-ingest apikey new --seller ID` (or `--role admin`): a new random key, printed once, and the
/// `http.apiKeys` entry to paste into the config (only the key's SHA-256 is ever stored).
public enum APIKeyCommand {
    public static func new(sellerId: String?, admin: Bool) -> CommandResult {
        guard (sellerId != nil) != admin else { return .failure("give either --seller ID or --role admin") }
        if let sellerId, !IntakeService.isValidName(sellerId) {
            return .failure("the seller id must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
        }
        let bytes: [UInt8]
        do { bytes = try SecureRandom.bytes(32) } catch { return .failure("\(error)") }
        let key = "vik_" + Hex.encode(bytes)
        let who: (String, JSONValue) = sellerId.map { ("sellerId", .string($0)) } ?? ("role", .string("admin"))
        let entry = JSONValue.object([who, ("sha256", .string(SHA256.hex(Array(key.utf8))))])
        return CommandResult(exitCode: 0, stdout: JSONValue.object([("key", .string(key)), ("configEntry", entry)]).pretty + "\n",
                             stderr: "Keep the key now: it is not stored anywhere. Add configEntry to http.apiKeys.\n")
    }
}
