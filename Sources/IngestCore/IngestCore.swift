// IngestCore: config, contract types, intake, pipeline, daemon.
