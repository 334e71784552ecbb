import CFFmpeg

/// Owns a libavfilter video graph (`AVFilterGraph`, freed with `avfilter_graph_free`, which also frees its
/// `buffer` source and `buffersink` filters): frames go in with `push`, filtered frames come out of `drain`.
/// libavfilter's functions come from `AVFilterLibrary` (loaded on the first graph).
final class FilterGraph {
    private let library: AVFilterLibrary
    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private let source: UnsafeMutablePointer<AVFilterContext>
    private let sink: UnsafeMutablePointer<AVFilterContext>
    private let filtered: Frame
    private let timeBase: AVRational

    /// A graph `description` (filter syntax, e.g. "bwdif=mode=send_frame") fed with `width`x`height` frames of `format`,
    /// timestamps in `timeBase`, pixel aspect `sampleAspect`.
    init(description: String, width: Int, height: Int, format: AVPixelFormat, timeBase: AVRational, sampleAspect: AVRational) throws {
        let library = try AVFilterLibrary.functions()
        self.library = library
        guard let graph = library.graphAlloc() else { throw MediaError(.unsupported, "out of memory", call: "avfilter_graph_alloc") }
        self.graph = graph
        self.timeBase = timeBase
        filtered = try Frame()
        var sourceContext: UnsafeMutablePointer<AVFilterContext>? = nil
        var sinkContext: UnsafeMutablePointer<AVFilterContext>? = nil
        let aspect = sampleAspect.num > 0 && sampleAspect.den > 0 ? sampleAspect : AVRational(num: 1, den: 1)
        let arguments = "video_size=\(width)x\(height):pix_fmt=\(format.rawValue):time_base=\(timeBase.num)/\(timeBase.den)"
            + ":pixel_aspect=\(aspect.num)/\(aspect.den)"
        do {
            try check(library.graphCreateFilter(&sourceContext, library.getByName("buffer"), "in", arguments, nil, graph),
                      "avfilter_graph_create_filter", .unsupported, "buffer")
            try check(library.graphCreateFilter(&sinkContext, library.getByName("buffersink"), "out", nil, nil, graph),
                      "avfilter_graph_create_filter", .unsupported, "buffersink")
            guard let sourceContext, let sinkContext else { throw MediaError(.unsupported, "no buffer filters", call: "avfilter_graph_create_filter") }
            // The graph's open ends: its input is our `in` (buffer) output, its output our `out` (buffersink) input.
            // avfilter_graph_parse_ptr takes both lists and hands back what it left unlinked, which is freed here.
            var open: UnsafeMutablePointer<AVFilterInOut>? = library.inOutAlloc()
            var exits: UnsafeMutablePointer<AVFilterInOut>? = library.inOutAlloc()
            defer {
                library.inOutFree(&open)
                library.inOutFree(&exits)
            }
            guard let inputs = open, let outputs = exits else { throw MediaError(.unsupported, "out of memory", call: "avfilter_inout_alloc") }
            outputs.pointee.name = av_strdup("in")
            outputs.pointee.filter_ctx = sourceContext
            inputs.pointee.name = av_strdup("out")
            inputs.pointee.filter_ctx = sinkContext
            let parsed = library.graphParse(graph, description, &open, &exits, nil)
            try check(parsed, "avfilter_graph_parse_ptr", .unsupported, description)
            try check(library.graphConfig(graph, nil), "avfilter_graph_config", .unsupported, description)
            source = sourceContext
            sink = sinkContext
        } catch {
            library.graphFree(&self.graph)
            throw error
        }
    }

    deinit { library.graphFree(&graph) }

    /// Feeds `frame` (the caller keeps its reference); nil signals the end of the input so delayed frames come out.
    func push(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
        try check(library.sourceAddFrame(source, frame, Int32(AV_BUFFERSRC_FLAG_KEEP_REF)), "av_buffersrc_add_frame_flags", .decodeFailed)
    }

    /// Hands every frame the graph has ready to `body`, its pts back in the input time base (bwdif halves the time base
    /// of its output); the frame is unreferenced after `body` returns.
    func drain(_ body: (UnsafeMutablePointer<AVFrame>) throws -> Void) throws {
        while true {
            let received = library.sinkGetFrame(sink, filtered.pointer)
            if isAgainOrEOF(received) { return }
            try check(received, "av_buffersink_get_frame", .decodeFailed)
            defer { av_frame_unref(filtered.pointer) }
            if filtered.pointer.pointee.pts != CFFmpeg_AV_NOPTS_VALUE() {
                filtered.pointer.pointee.pts = av_rescale_q(filtered.pointer.pointee.pts, library.sinkTimeBase(sink), timeBase)
            }
            try body(filtered.pointer)
        }
    }
}
