/// The versioned schema of the store, tracked in `PRAGMA user_version`.
///
/// Migration *n* (1-based) brings the file from version n-1 to n. Each runs in its
/// own IMMEDIATE transaction that re-reads the version first, so two processes
/// opening a new file at once migrate it only once.
enum Migrations {
    /// The SQL of each migration, in order.
    static let all: [String] = [version1, version2, version3, objectStoreVersion]

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

    /// Object storage (`publish.s3`): `published_objects` lists each video's objects in a bucket
    /// (written before SUCCESS is committed); `object_deletions` is the outbox of objects to remove.
    /// Delete and reject move a video's objects from the first to the second in their own
    /// transaction, so a crash never forgets one; the daemon drains the outbox, retrying until done.
    private static let objectStoreVersion = """
        CREATE TABLE published_objects (
            video_id TEXT NOT NULL REFERENCES videos (id),
            endpoint TEXT NOT NULL,
            bucket TEXT NOT NULL,
            object_key TEXT NOT NULL,
            PRIMARY KEY (video_id, endpoint, bucket, object_key)
        ) WITHOUT ROWID;
        CREATE TABLE object_deletions (
            id INTEGER PRIMARY KEY,
            video_id TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            bucket TEXT NOT NULL,
            object_key TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            last_error TEXT,
            UNIQUE (endpoint, bucket, object_key)
        );
        CREATE INDEX object_deletions_due ON object_deletions (next_attempt_at);
        """
}
