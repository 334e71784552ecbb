import CFFmpeg

/// Owns a `SwrContext` (freed with `swr_free`) converting one input layout/format/rate to one output.
final class ResampleContext {
    let pointer: OpaquePointer

    /// Makes and initializes a resampler from the parameters of `input` to `outChannels` (default layout)/`outFormat`/`outRate`.
    init(input: UnsafePointer<AVFrame>, outChannels: Int32, outFormat: AVSampleFormat, outRate: Int32) throws {
        var inLayout = AVChannelLayout()
        var outLayout = AVChannelLayout()
        defer {
            av_channel_layout_uninit(&inLayout)
            av_channel_layout_uninit(&outLayout)
        }
        av_channel_layout_default(&outLayout, outChannels)
        var sourceLayout = input.pointee.ch_layout // a shallow view; never uninit it
        let usable = av_channel_layout_check(&sourceLayout) != 0
        if sourceLayout.order == AV_CHANNEL_ORDER_UNSPEC || !usable {
            av_channel_layout_default(&inLayout, max(1, sourceLayout.nb_channels))
        } else {
            try check(av_channel_layout_copy(&inLayout, &sourceLayout), "av_channel_layout_copy", .decodeFailed)
        }
        var context: OpaquePointer? = nil
        try check(swr_alloc_set_opts2(&context, &outLayout, outFormat, outRate,
                                      &inLayout, AVSampleFormat(rawValue: input.pointee.format), input.pointee.sample_rate, 0, nil),
                  "swr_alloc_set_opts2", .unsupported)
        guard let allocated = context else { throw MediaError(.unsupported, "no resampler", call: "swr_alloc_set_opts2") }
        // Mono (front centre) goes to both sides at full level, a duplicate; swresample's default is -3 dB per side.
        // Other layouts (5.1, 7.1…) are downmixed with its default matrix (centre and surrounds at -3 dB, LFE dropped).
        if inLayout.nb_channels == 1 { _ = av_opt_set_double(UnsafeMutableRawPointer(allocated), "center_mix_level", 1.0, 0) }
        let initialized = swr_init(allocated)
        if initialized < 0 {
            swr_free(&context)
            try check(initialized, "swr_init", .unsupported)
        }
        pointer = allocated
    }

    deinit {
        var context: OpaquePointer? = pointer
        swr_free(&context)
    }

    /// An upper bound of the output samples for `inputSamples` more input samples.
    func outputSamplesBound(forInput inputSamples: Int32) -> Int32 {
        swr_get_out_samples(pointer, inputSamples)
    }

    /// Converts `input` (nil flushes) into `output`, whose `nb_samples` is the capacity; returns the samples written.
    func convert(_ input: UnsafePointer<AVFrame>?, into output: Frame, capacity: Int32) throws -> Int32 {
        let out = UnsafeMutableRawPointer(output.pointer.pointee.extended_data!).assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self)
        let converted: Int32
        if let input {
            let inPlanes = UnsafeMutableRawPointer(input.pointee.extended_data!).assumingMemoryBound(to: UnsafePointer<UInt8>?.self)
            converted = swr_convert(pointer, out, capacity, inPlanes, input.pointee.nb_samples)
        } else {
            converted = swr_convert(pointer, out, capacity, nil, 0)
        }
        return try check(converted, "swr_convert", .decodeFailed)
    }
}
