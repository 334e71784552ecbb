import CCurl
import Glibc

/// The address guard at the socket: libcurl's CURLOPT_OPENSOCKETFUNCTION hands over every
/// address it is about to connect to (each redirect hop, each happy-eyeballs candidate), and a
/// refused one never gets a socket, so no packet reaches it. Shared by the downloader and the
/// webhook poster.
enum GuardedSocket {
    /// What `open` did.
    struct Opened {
        /// The new socket, or `CURL_SOCKET_BAD`.
        var socket: curl_socket_t
        /// Why the address was refused, when it was.
        var refusal: String?
        /// The address a socket was opened for.
        var connected: NetworkAddress?
    }

    /// Checks `pointer`'s address against `policy` and opens a close-on-exec socket for it.
    static func open(_ pointer: UnsafeMutablePointer<curl_sockaddr>, policy: AddressPolicy) -> Opened {
        let family = pointer.pointee.family
        let raw = UnsafeRawPointer(pointer) + MemoryLayout<curl_sockaddr>.offset(of: \curl_sockaddr.addr)!
        let address: NetworkAddress
        switch family {
        case AF_INET:
            let socketAddress = raw.loadUnaligned(as: sockaddr_in.self)
            address = .ipv4(UInt32(bigEndian: socketAddress.sin_addr.s_addr))
        case AF_INET6:
            let socketAddress = raw.loadUnaligned(as: sockaddr_in6.self)
            address = NetworkAddress(in6: socketAddress.sin6_addr)
        default:
            return Opened(socket: CCurl_SOCKET_BAD(), refusal: "address family \(family) is not IPv4 or IPv6")
        }
        if let refusal = policy.refusal(for: address) {
            return Opened(socket: CCurl_SOCKET_BAD(), refusal: refusal)
        }
        let fd = socket(family, pointer.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue), pointer.pointee.protocol)
        return fd >= 0 ? Opened(socket: fd, connected: address) : Opened(socket: CCurl_SOCKET_BAD())
    }
}
