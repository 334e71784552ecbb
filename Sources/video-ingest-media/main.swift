import Foundation
import IngestCore
import IngestMediaChild

/// video-ingest-media: the media executable (docs/ARCHITECTURE.md, "Two executables"), the only
/// program of the service that links FFmpeg; `video-ingest` runs it. Everything is in IngestMediaChild.
umask(0o027)  // as video-ingest: renditions 0640, folders 0750 (docs/SECURITY.md)
MediaCommandLine.run(Array(CommandLine.arguments.dropFirst())).emit()
