// swift-tools-version:6.0
import PackageDescription

/// video-ingest: a drop-folder worker that downloads, checks, optimizes and publishes product videos.
///
/// Layers (see docs/ARCHITECTURE.md):
///   C system libraries: CFFmpeg, CSQLite, CPostgres, CCurl, CCrypto, CMicroHTTPD (module maps and shims only)
///   MediaModel      the media layer's plain value types (probe reports, settings, results, MediaError); no FFmpeg
///   MediaKit        every FFmpeg call: sniff, probe, optimize
///   IngestStore     every SQL statement: videos, jobs, idempotency keys (SQLite, and PostgreSQL through libpq)
///   IngestCurl      the libcurl easy handle and header list, shared by the two HTTP clients below
///   IngestDownload  the guarded downloader (libcurl through IngestCurl)
///   IngestObjectStore  the S3-compatible object-store client (libcurl's SigV4 through IngestCurl)
///   IngestGlibc     glibc functions Swift's Glibc module does not import (dlsym): pipe2, sync_file_range, prctl…
///   IngestCrypto    every libcrypto call: SHA-256, HMAC-SHA256, random bytes, constant-time compare
///   IngestHTTP      every libmicrohttpd call: the HTTP server, its limits, multipart streaming
///   IngestCore      config, contract types, intake, pipeline stages, daemon, CLI commands
///   IngestMediaChild  the media child's side: the checks and the optimizer run in a child, and the media commands
///   video-ingest    the executable: argument parsing only; links no FFmpeg (its start-up stays ~10 ms)
///   video-ingest-media  the media executable (IngestMediaChild): the only process that links FFmpeg
let package = Package(
    name: "video-ingest",
    products: [
        .executable(name: "video-ingest", targets: ["video-ingest"]),
        .executable(name: "video-ingest-media", targets: ["video-ingest-media"]),
    ],
    targets: [
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libavutil libswscale libswresample",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev", "libswresample-dev", "libavfilter-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .systemLibrary(
            name: "CPostgres",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "MediaModel"),
        .target(name: "MediaKit", dependencies: ["MediaModel", "CFFmpeg"]),
        .target(name: "IngestCrypto", dependencies: ["CCrypto"]),
        .target(name: "IngestStore", dependencies: ["CSQLite", "CPostgres"]),
        .target(name: "IngestGlibc"),
        .target(name: "IngestCurl", dependencies: ["CCurl"]),
        .target(name: "IngestDownload", dependencies: ["CCurl", "IngestCurl", "IngestCrypto", "IngestGlibc"]),
        .target(name: "IngestObjectStore", dependencies: ["CCurl", "IngestCurl"]),
        .target(name: "IngestHTTP", dependencies: ["CMicroHTTPD", "IngestCrypto"]),
        .target(name: "IngestCore", dependencies: ["MediaModel", "IngestStore", "IngestDownload", "IngestObjectStore", "IngestCrypto", "IngestHTTP", "IngestGlibc"]),
        .target(name: "IngestMediaChild", dependencies: ["IngestCore", "MediaKit", "IngestGlibc"]),
        .executableTarget(name: "video-ingest", dependencies: ["IngestCore"]),
        .executableTarget(name: "video-ingest-media", dependencies: ["IngestMediaChild"]),
        // A small HTTP/1.1 server on 127.0.0.1 with hostile routes, used only by tests.
        .target(name: "TestHTTPServer", path: "Tests/TestHTTPServer"),
        // Builders of hostile media files (playlists, drefs, huge pictures, many tracks…), used only by tests.
        .target(name: "HostileMedia", path: "Tests/HostileMedia"),
        // A real S3 server for tests: SeaweedFS (`weed`, from `make deps`' .build/venv) on 127.0.0.1, and boto3 beside it.
        .target(name: "TestS3Server", path: "Tests/TestS3Server"),
        // A real PostgreSQL server for tests: Debian's initdb/pg_ctl in a temporary folder on a free 127.0.0.1 port.
        .target(name: "TestPostgresServer", path: "Tests/TestPostgresServer"),
        .testTarget(name: "MediaKitTests", dependencies: ["MediaKit", "HostileMedia"]),
        .testTarget(name: "IngestCryptoTests", dependencies: ["IngestCrypto"]),
        .testTarget(name: "IngestHTTPTests", dependencies: ["IngestHTTP"]),
        .testTarget(name: "IngestStoreTests", dependencies: ["IngestStore", "TestPostgresServer"]),
        .testTarget(name: "PostgresStoreTests", dependencies: ["IngestStore", "CPostgres", "TestPostgresServer"]),
        .testTarget(name: "IngestDownloadTests", dependencies: ["IngestDownload", "IngestCrypto", "TestHTTPServer"]),
        .testTarget(name: "IngestObjectStoreTests", dependencies: ["IngestObjectStore", "TestS3Server", "TestHTTPServer"]),
        .testTarget(name: "IngestCoreTests", dependencies: ["IngestCore", "IngestCrypto", "IngestHTTP", "TestHTTPServer", "HostileMedia", "TestS3Server", "TestPostgresServer", "MediaKit", "IngestMediaChild", "video-ingest"]),
    ],
    swiftLanguageModes: [.v6]
)
