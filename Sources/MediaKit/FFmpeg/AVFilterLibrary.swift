import CFFmpeg
import Foundation
import MediaModel

/// libavfilter, loaded on first use (`dlopen`) instead of linked: only the tone-map and deinterlace
/// graphs (`FilterGraph`) need it, and linking it costs every media process (each check's child, the
/// fork server, every `probe` and `optimize` command) ~30 more shared libraries (its filters'
/// dependencies: flite voices, librsvg, libzimg, …), ~20 ms of start-up, ~11 MB of RSS and ~160
/// more mappings for each fork to copy. The headers still come from the CFFmpeg system library
/// target; the functions are looked up by name, with the signatures of FFmpeg 5.1's headers.
struct AVFilterLibrary: @unchecked Sendable {
    typealias GraphPointer = UnsafeMutablePointer<AVFilterGraph>
    typealias ContextPointer = UnsafeMutablePointer<AVFilterContext>
    typealias InOutPointer = UnsafeMutablePointer<AVFilterInOut>

    let graphAlloc: @convention(c) () -> GraphPointer?
    let graphFree: @convention(c) (UnsafeMutablePointer<GraphPointer?>?) -> Void
    let getByName: @convention(c) (UnsafePointer<CChar>?) -> UnsafePointer<AVFilter>?
    let graphCreateFilter: @convention(c) (UnsafeMutablePointer<ContextPointer?>?, UnsafePointer<AVFilter>?, UnsafePointer<CChar>?,
                                           UnsafePointer<CChar>?, UnsafeMutableRawPointer?, GraphPointer?) -> Int32
    let inOutAlloc: @convention(c) () -> InOutPointer?
    let inOutFree: @convention(c) (UnsafeMutablePointer<InOutPointer?>?) -> Void
    let graphParse: @convention(c) (GraphPointer?, UnsafePointer<CChar>?, UnsafeMutablePointer<InOutPointer?>?,
                                    UnsafeMutablePointer<InOutPointer?>?, UnsafeMutableRawPointer?) -> Int32
    let graphConfig: @convention(c) (GraphPointer?, UnsafeMutableRawPointer?) -> Int32
    let sourceAddFrame: @convention(c) (ContextPointer?, UnsafeMutablePointer<AVFrame>?, Int32) -> Int32
    let sinkGetFrame: @convention(c) (ContextPointer?, UnsafeMutablePointer<AVFrame>?) -> Int32
    let sinkTimeBase: @convention(c) (UnsafePointer<AVFilterContext>?) -> AVRational

    /// The library's file name: the soname of the libavfilter the headers are from.
    static let fileName = "libavfilter.so.\(LIBAVFILTER_VERSION_MAJOR)"

    /// The loaded library, or why it cannot be loaded (looked up once per process).
    static let shared: Result<AVFilterLibrary, MediaError> = load()

    /// The functions, or a `.unsupported` error naming what is missing.
    static func functions() throws(MediaError) -> AVFilterLibrary { try shared.get() }

    private static func load() -> Result<AVFilterLibrary, MediaError> {
        guard let handle = dlopen(fileName, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown"
            return .failure(MediaError(.unsupported, "cannot load \(fileName): \(reason)", call: "dlopen"))
        }
        func symbol<F>(_ name: String) throws(MediaError) -> F {
            guard let address = dlsym(handle, name) else { throw MediaError(.unsupported, "\(fileName) lacks \(name)", call: "dlsym") }
            return unsafeBitCast(address, to: F.self)
        }
        let library: AVFilterLibrary
        do throws(MediaError) {
            library = AVFilterLibrary(
                graphAlloc: try symbol("avfilter_graph_alloc"), graphFree: try symbol("avfilter_graph_free"),
                getByName: try symbol("avfilter_get_by_name"), graphCreateFilter: try symbol("avfilter_graph_create_filter"),
                inOutAlloc: try symbol("avfilter_inout_alloc"), inOutFree: try symbol("avfilter_inout_free"),
                graphParse: try symbol("avfilter_graph_parse_ptr"), graphConfig: try symbol("avfilter_graph_config"),
                sourceAddFrame: try symbol("av_buffersrc_add_frame_flags"), sinkGetFrame: try symbol("av_buffersink_get_frame"),
                sinkTimeBase: try symbol("av_buffersink_get_time_base"))
        } catch {
            return .failure(error)
        }
        return .success(library)
    }
}
