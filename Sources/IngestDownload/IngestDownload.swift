// IngestDownload: every libcurl call of video-ingest lives in this module.
