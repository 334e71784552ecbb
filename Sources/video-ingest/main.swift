print("video-ingest")
