/// Decides whether the downloader may connect to an address.
///
/// Public addresses are allowed; a non-public one only when an
/// `allowedNetworks` range contains it. Applied to the address actually
/// connected to, at every connection (so at every redirect hop).
public struct AddressPolicy: Sendable, Equatable {
    /// Ranges allowed although non-public.
    public var allowedNetworks: [CIDR]
    /// The config key that lists the exceptions, named in refusals.
    public var settingName: String

    /// Creates a policy with the given exceptions.
    public init(allowedNetworks: [CIDR] = [], settingName: String = "download.allowedNetworks") {
        self.allowedNetworks = allowedNetworks
        self.settingName = settingName
    }

    /// Nil when `address` may be connected to, otherwise why not.
    public func refusal(for address: NetworkAddress) -> String? {
        if allowedNetworks.contains(where: { $0.contains(address) }) { return nil }
        guard let range = address.nonPublicRange else { return nil }
        return "address \(address) is in \(range) and not in \(settingName)"
    }

    /// True when `address` may be connected to.
    public func allows(_ address: NetworkAddress) -> Bool { refusal(for: address) == nil }
}
