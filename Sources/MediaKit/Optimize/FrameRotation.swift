import CFFmpeg

/// Turns yuv420p pictures by quarter turns, plane by plane.
enum FrameRotation {
    /// Writes `source` turned counterclockwise by `degrees` (90, 180 or 270) into `destination`, which must be yuv420p
    /// with the rotated size (width and height swapped for 90/270).
    static func rotate(_ source: UnsafePointer<AVFrame>, into destination: UnsafeMutablePointer<AVFrame>, degrees: Int) {
        let width = Int(source.pointee.width), height = Int(source.pointee.height)
        for plane in 0..<3 {
            let shift = plane == 0 ? 0 : 1
            rotatePlane(source: UnsafePointer(dataPointer(source, plane)), sourceStride: linesize(source, plane),
                        width: (width + shift) >> shift, height: (height + shift) >> shift,
                        destination: dataPointer(destination, plane), destinationStride: linesize(destination, plane),
                        degrees: degrees)
        }
    }

    /// Turns one 8-bit plane of `width`x`height` counterclockwise by `degrees`.
    static func rotatePlane(source: UnsafePointer<UInt8>, sourceStride: Int, width: Int, height: Int,
                            destination: UnsafeMutablePointer<UInt8>, destinationStride: Int, degrees: Int) {
        switch degrees {
        case 90: // counterclockwise: source (x, y) → destination (y, width-1-x)
            for y in 0..<height {
                let row = source + y * sourceStride
                var target = destination + (width - 1) * destinationStride + y
                for x in 0..<width {
                    target.pointee = row[x]
                    if x + 1 < width { target -= destinationStride }
                }
            }
        case 270: // clockwise: source (x, y) → destination (height-1-y, x)
            for y in 0..<height {
                let row = source + y * sourceStride
                var target = destination + (height - 1 - y)
                for x in 0..<width {
                    target.pointee = row[x]
                    if x + 1 < width { target += destinationStride }
                }
            }
        case 180: // source (x, y) → destination (width-1-x, height-1-y)
            for y in 0..<height {
                let row = source + y * sourceStride
                let target = destination + (height - 1 - y) * destinationStride + (width - 1)
                for x in 0..<width { target[-x] = row[x] }
            }
        default:
            for y in 0..<height {
                (destination + y * destinationStride).update(from: source + y * sourceStride, count: width)
            }
        }
    }

    private static func dataPointer(_ frame: UnsafePointer<AVFrame>, _ plane: Int) -> UnsafeMutablePointer<UInt8> {
        switch plane {
        case 0: return frame.pointee.data.0!
        case 1: return frame.pointee.data.1!
        default: return frame.pointee.data.2!
        }
    }

    private static func linesize(_ frame: UnsafePointer<AVFrame>, _ plane: Int) -> Int {
        switch plane {
        case 0: return Int(frame.pointee.linesize.0)
        case 1: return Int(frame.pointee.linesize.1)
        default: return Int(frame.pointee.linesize.2)
        }
    }
}
