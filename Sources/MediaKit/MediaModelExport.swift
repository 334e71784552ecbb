// The value types of the media layer (probe reports, settings, results, `MediaError`) live in
// MediaModel, which has no FFmpeg, so that IngestCore and the main executable can use them without
// linking FFmpeg. MediaKit's API is made of them; every user of MediaKit sees them through this import.
@_exported import MediaModel
