/// The versioned schema of the store, tracked in `PRAGMA user_version`.
///
/// Migration *n* (1-based) brings the file from version n-1 to n. Each runs in its
/// own IMMEDIATE transaction that re-reads the version first, so two processes
/// opening a new file at once migrate it only once.
enum Migrations {
    /// The SQL of each migration, in order.
    static let all: [String] = [version1, version2, version3, versionRateLimits]

    /// The schema version this build writes.
    static var latestVersion: Int { all.count }

    /// Brings the database up to `latestVersion`; throws `.misuse` for a file written by a newer build.
    static func apply(to db: Database) throws {
        for (index, sql) in all.enumerated() {
            let target = index + 1
            if try userVersion(db) >= target { continue }
            try db.transaction(.immediate) {
                guard try userVersion(db) < target else { return }
                try db.exec(sql)
                try db.exec("PRAGMA user_version = \(target)")
            }
        }
        let version = try userVersion(db)
        if version > latestVersion {
            throw StoreError(.misuse, "database schema version \(version) is newer than this build's \(latestVersion)")
        }
    }

    /// The file's `PRAGMA user_version`.
    static func userVersion(_ db: Database) throws -> Int {
        Int(try db.queryFirst("PRAGMA user_version") { $0.int64(0) } ?? 0)
    }

    /// Version 1: videos, their product ids, jobs and idempotency keys.
    private static let version1 = """
        CREATE TABLE videos (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            seller_id TEXT NOT NULL,
            title TEXT NOT NULL,
            description TEXT,
            video_url TEXT NOT NULL,
            video_content_type TEXT NOT NULL,
            store_front_code TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('IN_PROGRESS', 'SUCCESS', 'FAILED')),
            error_code TEXT,
            error_message TEXT,
            optimized_video_url TEXT,
            poster_url TEXT,
            duration_seconds REAL,
            approval TEXT NOT NULL DEFAULT 'PENDING' CHECK (approval IN ('PENDING', 'APPROVED', 'REJECTED')),
            reject_reason TEXT,
            deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
            stage TEXT,
            progress REAL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX videos_list ON videos (deleted, seq DESC);
        CREATE INDEX videos_list_seller ON videos (seller_id, deleted, seq DESC);
        CREATE INDEX videos_list_status ON videos (status, deleted, seq DESC);
        CREATE INDEX videos_list_seller_status ON videos (seller_id, status, deleted, seq DESC);
        CREATE INDEX videos_seller_created ON videos (seller_id, created_at);

        CREATE TABLE video_products (
            video_id TEXT NOT NULL REFERENCES videos (id),
            position INTEGER NOT NULL,
            seller_id TEXT NOT NULL,
            product_content_id TEXT NOT NULL,
            shown INTEGER NOT NULL DEFAULT 1 CHECK (shown IN (0, 1)),
            PRIMARY KEY (video_id, position)
        ) WITHOUT ROWID;
        CREATE INDEX video_products_seller_product ON video_products (seller_id, product_content_id);

        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            video_id TEXT NOT NULL UNIQUE REFERENCES videos (id),
            state TEXT NOT NULL CHECK (state IN ('available', 'running', 'done', 'failed')),
            stage TEXT,
            attempt INTEGER NOT NULL DEFAULT 0,
            fault_attempts INTEGER NOT NULL DEFAULT 0,
            run_at INTEGER NOT NULL,
            lease_owner TEXT,
            lease_expires_at INTEGER,
            last_error TEXT,
            stage_data TEXT
        );
        CREATE INDEX jobs_state_run_at ON jobs (state, run_at);

        CREATE TABLE idempotency_keys (
            seller_id TEXT NOT NULL,
            key TEXT NOT NULL,
            body_digest TEXT NOT NULL,
            video_id TEXT NOT NULL REFERENCES videos (id),
            created_at INTEGER NOT NULL,
            PRIMARY KEY (seller_id, key)
        ) WITHOUT ROWID;
        CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
        """

    /// Version 2: status-file versions. Every change to a video's document bumps `doc_version`
    /// (by trigger, so no statement can forget it); the daemon records the version it last wrote
    /// to `status/<id>.json` in `status_version`. A crash between a commit and the status file
    /// leaves `doc_version > status_version`, which start-up repairs.
    private static let version2 = """
        ALTER TABLE videos ADD COLUMN doc_version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE videos ADD COLUMN status_version INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX videos_status_stale ON videos (seq) WHERE doc_version > status_version;
        CREATE TRIGGER videos_doc_changed
        AFTER UPDATE OF title, description, status, error_code, error_message, optimized_video_url, poster_url,
                        duration_seconds, approval, reject_reason, deleted, stage, progress, updated_at ON videos
        BEGIN
            UPDATE videos SET doc_version = doc_version + 1 WHERE seq = NEW.seq;
        END;
        CREATE TRIGGER video_products_shown_changed
        AFTER UPDATE OF shown ON video_products WHEN NEW.shown != OLD.shown
        BEGIN
            UPDATE videos SET doc_version = doc_version + 1 WHERE id = NEW.video_id;
        END;
        """

    /// Version 3: how many times a job's media child process died on a signal or was killed for a
    /// limit (`VideoStore.recordMediaCrash`). It survives restarts, so a file that kills the child
    /// is retried once and then failed, never retried forever.
    private static let version3 = """
        ALTER TABLE jobs ADD COLUMN media_crashes INTEGER NOT NULL DEFAULT 0;
        """

    /// For the HTTP API (CONTRACT section 8):
    ///
    /// - `rate_counts`: requests per seller, kind (`create`, `read`) and second, so a sliding
    ///   minute is the sum of the last 60 rows; in the store, so the limit holds for every daemon
    ///   that shares it (`RateLimiter`).
    /// - `video_counts`: listed (not deleted) videos per seller and status, kept by triggers, so a
    ///   list's `total` is a few rows instead of a scan of the seller's index (1.3 ms for 10,000
    ///   videos, the cost that capped `GET /v1/videos` at a few hundred requests a second).
    private static let versionRateLimits = """
        CREATE TABLE rate_counts (
            seller_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            second INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (seller_id, kind, second)
        ) WITHOUT ROWID;

        CREATE TABLE video_counts (
            seller_id TEXT NOT NULL,
            status TEXT NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (seller_id, status)
        ) WITHOUT ROWID;
        INSERT INTO video_counts (seller_id, status, n)
            SELECT seller_id, status, COUNT(*) FROM videos WHERE deleted = 0 GROUP BY seller_id, status;
        CREATE TRIGGER video_counts_insert AFTER INSERT ON videos WHEN NEW.deleted = 0
        BEGIN
            INSERT INTO video_counts (seller_id, status, n) VALUES (NEW.seller_id, NEW.status, 1)
                ON CONFLICT (seller_id, status) DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER video_counts_update AFTER UPDATE OF seller_id, status, deleted ON videos
        BEGIN
            UPDATE video_counts SET n = n - 1 WHERE OLD.deleted = 0 AND seller_id = OLD.seller_id AND status = OLD.status;
            INSERT INTO video_counts (seller_id, status, n) SELECT NEW.seller_id, NEW.status, 1 WHERE NEW.deleted = 0
                ON CONFLICT (seller_id, status) DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER video_counts_delete AFTER DELETE ON videos WHEN OLD.deleted = 0
        BEGIN
            UPDATE video_counts SET n = n - 1 WHERE seller_id = OLD.seller_id AND status = OLD.status;
        END;
        """
}
