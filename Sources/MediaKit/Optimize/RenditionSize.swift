/// Output geometry.
enum RenditionSize {
    /// `width`x`height` with the shorter side capped at `maxShortSide`, never upscaled, both dimensions even
    /// (1920x1080 → 1280x720, 640x360 stays, 321x241 → 320x240).
    static func fit(width: Int, height: Int, maxShortSide: Int) -> (width: Int, height: Int) {
        let short = min(width, height), long = max(width, height)
        var newShort = short, newLong = long
        if short > maxShortSide, short > 0 {
            newShort = maxShortSide
            newLong = Int((Double(long) * Double(maxShortSide) / Double(short)).rounded())
        }
        newShort = max(2, newShort & ~1)
        newLong = max(2, newLong & ~1)
        return width <= height ? (newShort, newLong) : (newLong, newShort)
    }

    /// The width that shows `codedWidth` pixels of aspect `sampleAspect` with square pixels at the same height
    /// (1440 at 4:3 → 1920; 720 at 8:9 → 640).
    static func squarePixelWidth(_ codedWidth: Int, sampleAspect: Double) -> Int {
        guard sampleAspect.isFinite, sampleAspect > 0, abs(sampleAspect - 1) > 1e-9 else { return codedWidth }
        return max(2, Int((Double(codedWidth) * sampleAspect).rounded()))
    }
}
