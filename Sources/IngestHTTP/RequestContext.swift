import Foundation

/// The state of one request between libmicrohttpd's calls (its `con_cls`): the head, the plan,
/// the body so far, and what was answered.
final class RequestContext {
    let head: RequestHead
    let plan: BodyPlan
    let started: Double
    var body = Data()
    var bodyTooLarge = false
    var multipart: MultipartReceiver?
    /// The status queued, 0 until one is.
    var status = 0

    init(head: RequestHead, plan: BodyPlan, started: Double) {
        self.head = head
        self.plan = plan
        self.started = started
    }

    /// Takes one chunk of the body according to the plan.
    func consume(_ data: UnsafePointer<CChar>, count: Int) {
        switch plan {
        case .buffer(let maxBytes):
            guard !bodyTooLarge else { return }
            if body.count + count > maxBytes {
                bodyTooLarge = true
                body = Data()
            } else {
                body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: count)
            }
        case .multipart:
            multipart?.feed(data, count: count)
        case .none, .respond:
            break
        }
    }

    /// The request as the handler sees it, once the body is complete.
    func request() -> HTTPRequest {
        HTTPRequest(head: head, body: body, bodyTooLarge: bodyTooLarge, multipart: multipart?.finish())
    }
}
