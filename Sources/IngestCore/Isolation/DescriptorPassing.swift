import Foundation

/// One message with open descriptors over a Unix socket (`sendmsg`/`recvmsg` with `SCM_RIGHTS`), as the
/// daemon and its media fork server talk (`MediaForkServer`): the daemon hands the server the pipes
/// of a child to fork, the server hands back the child's pidfd.
///
/// Swift cannot import the `CMSG_*` macros, so the control buffer is laid out here as they lay it
/// out: a `cmsghdr`, padded to the alignment of `size_t`, then the descriptors as `int`s.
package enum DescriptorPassing {
    /// The most descriptors one message carries.
    package static let maxDescriptors = 8

    private static let alignment = MemoryLayout<Int>.size
    private static func aligned(_ n: Int) -> Int { (n + alignment - 1) & ~(alignment - 1) }
    private static let headerSize = aligned(MemoryLayout<cmsghdr>.size)
    /// `CMSG_SPACE(count * sizeof(int))`.
    private static func space(_ count: Int) -> Int { headerSize + aligned(count * MemoryLayout<Int32>.size) }

    /// Sends `bytes` (at least one) with `descriptors` (the sender keeps its own copies open).
    /// False with errno when the message could not be sent (the peer is gone: EPIPE, without SIGPIPE).
    package static func send(_ socket: Int32, bytes: [UInt8], descriptors: [Int32]) -> Bool {
        precondition(!bytes.isEmpty && descriptors.count <= maxDescriptors)
        let controlSize = descriptors.isEmpty ? 0 : space(descriptors.count)
        let control = UnsafeMutableRawPointer.allocate(byteCount: max(controlSize, 1), alignment: alignment)
        defer { control.deallocate() }
        if controlSize > 0 {
            control.initializeMemory(as: UInt8.self, repeating: 0, count: controlSize)
            let header = control.assumingMemoryBound(to: cmsghdr.self)
            header.pointee.cmsg_len = headerSize + descriptors.count * MemoryLayout<Int32>.size
            header.pointee.cmsg_level = SOL_SOCKET
            header.pointee.cmsg_type = Int32(SCM_RIGHTS)
            let slots = (control + headerSize).assumingMemoryBound(to: Int32.self)
            for (index, fd) in descriptors.enumerated() { slots[index] = fd }
        }
        var payload = bytes
        return payload.withUnsafeMutableBytes { buffer -> Bool in
            var vector = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
            return withUnsafeMutablePointer(to: &vector) { vectorPointer -> Bool in
                var message = msghdr()
                message.msg_iov = vectorPointer
                message.msg_iovlen = 1
                message.msg_control = controlSize > 0 ? control : nil
                message.msg_controllen = controlSize
                while true {
                    let sent = sendmsg(socket, &message, Int32(MSG_NOSIGNAL))
                    if sent >= 0 { return true }
                    if errno != EINTR { return false }
                }
            }
        }
    }

    /// One received message: its bytes and the descriptors that came with it (now open in this
    /// process, close-on-exec, owned by the caller).
    package struct Message {
        package var bytes: [UInt8]
        package var descriptors: [Int32]
    }

    /// Waits for one message of at most `maxBytes`. Nil at the end of the stream (the peer closed
    /// its end) or on an error (errno). Room is made for `maxDescriptors`, more than either side sends.
    package static func receive(_ socket: Int32, maxBytes: Int) -> Message? {
        let controlSize = space(maxDescriptors)
        let control = UnsafeMutableRawPointer.allocate(byteCount: controlSize, alignment: alignment)
        defer { control.deallocate() }
        control.initializeMemory(as: UInt8.self, repeating: 0, count: controlSize)
        var payload = [UInt8](repeating: 0, count: max(maxBytes, 1))
        let received: Int = payload.withUnsafeMutableBytes { buffer -> Int in
            var vector = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
            return withUnsafeMutablePointer(to: &vector) { vectorPointer -> Int in
                var message = msghdr()
                message.msg_iov = vectorPointer
                message.msg_iovlen = 1
                message.msg_control = control
                message.msg_controllen = controlSize
                while true {
                    let count = recvmsg(socket, &message, Int32(MSG_CMSG_CLOEXEC))
                    if count < 0 && errno == EINTR { continue }
                    return count
                }
            }
        }
        guard received > 0 else { return nil }
        var descriptors: [Int32] = []
        let header = control.assumingMemoryBound(to: cmsghdr.self)
        if header.pointee.cmsg_level == SOL_SOCKET, header.pointee.cmsg_type == Int32(SCM_RIGHTS), header.pointee.cmsg_len > headerSize {
            let count = min((header.pointee.cmsg_len - headerSize) / MemoryLayout<Int32>.size, maxDescriptors)
            let slots = (control + headerSize).assumingMemoryBound(to: Int32.self)
            descriptors = (0..<count).map { slots[$0] }
        }
        return Message(bytes: Array(payload[0..<received]), descriptors: descriptors)
    }
}
