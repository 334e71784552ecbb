// IngestStore: every SQL statement of video-ingest lives in this module.
