import CMicroHTTPD
import Foundation
import Glibc
import IngestCrypto

/// Parses one `multipart/form-data` body as it arrives, through libmicrohttpd's post processor
/// (owned here, destroyed in `deinit`): text fields are kept in memory up to a cap, the file
/// part is written to a temporary file (size checked on every chunk, SHA-256 computed on the way).
final class MultipartReceiver {
    private let plan: MultipartPlan
    private var processor: OpaquePointer?
    private var fields: [(name: String, bytes: [UInt8])] = []
    private var fieldBytes = 0
    private var fileDescriptor: Int32 = -1
    private var filePath: String?
    private var fileSize: Int64 = 0
    private var fileName: String?
    private var fileContentType: String?
    private var fileParts = 0
    private var hasher = SHA256Hasher()
    private(set) var problem: MultipartProblem?
    /// True once the file has been handed over (the caller owns the path then).
    private var handedOver = false

    /// nil processor (not multipart, no boundary) makes every body `.malformed`.
    init(connection: OpaquePointer, plan: MultipartPlan) {
        self.plan = plan
        processor = MHD_create_post_processor(connection, 16 * 1024, multipartIterator, Unmanaged.passUnretained(self).toOpaque())
        if processor == nil { problem = .malformed }
    }

    deinit {
        if let processor { MHD_destroy_post_processor(processor) }
        discardFile()
    }

    /// Feeds body bytes. After a problem the rest is read and dropped.
    func feed(_ data: UnsafePointer<CChar>, count: Int) {
        guard problem == nil, let processor else { return }
        if MHD_post_process(processor, data, count) != .YES, problem == nil { fail(.malformed) }
    }

    /// The body once every byte has come.
    func finish() -> MultipartBody {
        if problem == nil, let processor {
            // Destroying the processor flushes the last part; .NO means the body ended mid-part.
            self.processor = nil
            if MHD_destroy_post_processor(processor) != .YES { fail(.malformed) }
        }
        var file: UploadedFile?
        if problem == nil, let path = filePath {
            if fsync(fileDescriptor) != 0 { fail(.writeFailed("fsync: \(String(cString: strerror(errno)))")) } else {
                close(fileDescriptor)
                fileDescriptor = -1
                handedOver = true
                file = UploadedFile(fileName: fileName, contentType: fileContentType, path: path, size: fileSize,
                                    sha256: Hex.encode(hasher.finish()))
            }
        }
        let texts = fields.map { (name: $0.name, value: String(decoding: $0.bytes, as: UTF8.self)) }
        return MultipartBody(fields: texts, file: file, problem: problem)
    }

    /// Removes the temporary file unless it was handed over (a cut connection, a problem).
    func discardFile() {
        if fileDescriptor >= 0 { close(fileDescriptor); fileDescriptor = -1 }
        if let path = filePath, !handedOver { unlink(path) }
        if !handedOver { filePath = nil }
    }

    private func fail(_ problem: MultipartProblem) {
        if self.problem == nil { self.problem = problem }
        discardFile()
    }

    /// One chunk of one part (`offset` 0 starts a part).
    fileprivate func part(name: String, fileName: String?, contentType: String?, data: UnsafePointer<CChar>?, offset: UInt64, size: Int) -> Bool {
        guard problem == nil else { return false }
        let isFile = name == plan.fileField || fileName != nil
        if isFile {
            guard name == plan.fileField else { fail(.unexpectedFile("a file part must be named \"\(plan.fileField)\", not \"\(name)\"")); return false }
            if offset == 0 {
                fileParts += 1
                guard fileParts == 1 else { fail(.unexpectedFile("exactly one \"\(plan.fileField)\" part is allowed")); return false }
                guard openFile() else { return false }
                self.fileName = fileName
                self.fileContentType = contentType
            }
            guard size > 0, let data else { return true }
            fileSize += Int64(size)
            guard fileSize <= plan.maxFileBytes else { fail(.fileTooLarge); return false }
            let buffer = UnsafeRawBufferPointer(start: data, count: size)
            hasher.update(buffer)
            var written = 0
            while written < size {
                let n = write(fileDescriptor, data + written, size - written)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { fail(.writeFailed("write: \(String(cString: strerror(errno)))")); return false }
                written += n
            }
            return true
        }
        if offset == 0 { fields.append((name: name, bytes: [])) }
        fieldBytes += size
        guard fieldBytes <= plan.maxFieldBytes else { fail(.fieldsTooLarge); return false }
        if size > 0, let data, !fields.isEmpty {
            fields[fields.count - 1].bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: size))
        }
        return true
    }

    private func openFile() -> Bool {
        let random = (try? SecureRandom.bytes(12)).map(Hex.encode) ?? UUID().uuidString
        let path = plan.directory + "/.upload-\(random).part"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else { fail(.writeFailed("open: \(String(cString: strerror(errno)))")); return false }
        fileDescriptor = fd
        filePath = path
        return true
    }
}

/// libmicrohttpd's post-data iterator: forwards each chunk to the receiver in `cls`.
private let multipartIterator: MHD_PostDataIterator = { cls, _, key, filename, contentType, _, data, offset, size in
    guard let cls, let key else { return .NO }
    let receiver = Unmanaged<MultipartReceiver>.fromOpaque(cls).takeUnretainedValue()
    let ok = receiver.part(name: String(cString: key), fileName: filename.map { String(cString: $0) },
                           contentType: contentType.map { String(cString: $0) }, data: data, offset: offset, size: size)
    return ok ? .YES : .NO
}
