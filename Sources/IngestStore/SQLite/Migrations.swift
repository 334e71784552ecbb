/// The versioned schema of the store, tracked in `PRAGMA user_version`.
///
/// Migration *n* (1-based) brings the file from version n-1 to n. Each runs in its
/// own IMMEDIATE transaction that re-reads the version first, so two processes
/// opening a new file at once migrate it only once.
enum Migrations {
    /// The SQL of each migration, in order.
    static let all: [String] = [version1, version2, version3, version4, versionOutbox, version6, versionRateLimits, objectStoreVersion, deliveryClaimsVersion,
                                fleetVersion]

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
    /// limit (`recordMediaCrash`). It survives restarts, so a file that kills the child
    /// is retried once and then failed, never retried forever.
    private static let version3 = """
        ALTER TABLE jobs ADD COLUMN media_crashes INTEGER NOT NULL DEFAULT 0;
        """

    /// Version 4: `video_list_blocks` (see `ListBlocks`): listed videos counted per block of 1024
    /// seqs, per (seller, status), with `*` for "any", kept by triggers on every insert, status
    /// change, delete flag and row removal, and filled from the rows already there.
    private static let version4 = """
        CREATE TABLE video_list_blocks (
            seller_id TEXT NOT NULL,
            status TEXT NOT NULL,
            block INTEGER NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (seller_id, status, block)
        ) WITHOUT ROWID;
        INSERT INTO video_list_blocks (seller_id, status, block, n)
        SELECT k.seller_id, k.status, k.block, COUNT(*) FROM (
            SELECT seller_id, status, seq >> 10 AS block FROM videos WHERE deleted = 0
            UNION ALL SELECT seller_id, '*', seq >> 10 FROM videos WHERE deleted = 0
            UNION ALL SELECT '*', status, seq >> 10 FROM videos WHERE deleted = 0
            UNION ALL SELECT '*', '*', seq >> 10 FROM videos WHERE deleted = 0
        ) AS k GROUP BY k.seller_id, k.status, k.block;
        CREATE TRIGGER video_list_blocks_insert AFTER INSERT ON videos WHEN NEW.deleted = 0
        BEGIN
            INSERT INTO video_list_blocks (seller_id, status, block, n)
            SELECT k.s, k.t, NEW.seq >> 10, 1 FROM (SELECT NEW.seller_id AS s, NEW.status AS t
                UNION ALL SELECT NEW.seller_id, '*' UNION ALL SELECT '*', NEW.status UNION ALL SELECT '*', '*') AS k WHERE true
            ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER video_list_blocks_update AFTER UPDATE OF status, deleted ON videos
        WHEN OLD.status IS NOT NEW.status OR OLD.deleted IS NOT NEW.deleted
        BEGIN
            UPDATE video_list_blocks SET n = n - 1
            WHERE OLD.deleted = 0 AND block = OLD.seq >> 10
              AND ((seller_id = OLD.seller_id AND status = OLD.status) OR (seller_id = OLD.seller_id AND status = '*')
                   OR (seller_id = '*' AND status = OLD.status) OR (seller_id = '*' AND status = '*'));
            INSERT INTO video_list_blocks (seller_id, status, block, n)
            SELECT k.s, k.t, NEW.seq >> 10, 1 FROM (SELECT NEW.seller_id AS s, NEW.status AS t
                UNION ALL SELECT NEW.seller_id, '*' UNION ALL SELECT '*', NEW.status UNION ALL SELECT '*', '*') AS k
            WHERE NEW.deleted = 0
            ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER video_list_blocks_delete AFTER DELETE ON videos WHEN OLD.deleted = 0
        BEGIN
            UPDATE video_list_blocks SET n = n - 1
            WHERE block = OLD.seq >> 10
              AND ((seller_id = OLD.seller_id AND status = OLD.status) OR (seller_id = OLD.seller_id AND status = '*')
                   OR (seller_id = '*' AND status = OLD.status) OR (seller_id = '*' AND status = '*'));
        END;
        """

    /// Version 5: the webhook outbox (CONTRACT section 9): one `events` row per event that has at least one
    /// matching endpoint, its body fixed at commit time, and one `deliveries` row per (event,
    /// endpoint) that the delivery worker works through. `event_removed_products` is a scratch
    /// table filled by the trigger below and emptied by `Events.recordSuperseded` in the same
    /// transaction: a product id that a still-eligible video stops showing was taken by a newer
    /// video (supersede), which is what `video.superseded` reports.
    private static let versionOutbox = """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL,
            video_id TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE deliveries (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            event_seq INTEGER NOT NULL REFERENCES events (seq),
            endpoint_url TEXT NOT NULL,
            video_id TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            window_start INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL,
            last_attempt_at INTEGER,
            last_status INTEGER,
            last_error TEXT,
            finished_at INTEGER,
            UNIQUE (event_seq, endpoint_url)
        );
        CREATE INDEX deliveries_due ON deliveries (endpoint_url, next_attempt_at) WHERE state = 'pending';
        CREATE INDEX deliveries_order ON deliveries (endpoint_url, video_id, seq) WHERE state = 'pending';
        CREATE INDEX deliveries_state ON deliveries (state, seq);
        CREATE TABLE event_removed_products (
            video_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            product_content_id TEXT NOT NULL
        );
        CREATE TRIGGER video_products_superseded
        AFTER UPDATE OF shown ON video_products
        WHEN OLD.shown = 1 AND NEW.shown = 0
             AND (SELECT approval != 'REJECTED' AND deleted = 0 FROM videos WHERE id = NEW.video_id)
        BEGIN
            INSERT INTO event_removed_products (video_id, position, product_content_id)
            VALUES (NEW.video_id, NEW.position, NEW.product_content_id);
        END;
        """

    /// Version 6: the job state machine (`docs/ARCHITECTURE.md`, "Job state machine").
    ///
    /// - `jobs.state` gains `stuck` (parked after `pipeline.maxAttempts` worker faults, until
    ///   `video-ingest retry`) and `cancelled` (the video was deleted). SQLite cannot change a
    ///   CHECK, so the table is rebuilt (the 12-step procedure; no table references `jobs` yet).
    ///   A migration that adds a column to `jobs` must come after this one.
    /// - `lease_generation`: grows with every claim; a lease token is (owner, generation) and every
    ///   job write names it. `lease_beats`: grows with every renewal, so a rescuer can see a lease
    ///   that stopped moving on its own monotonic clock (wall-clock steps expire nothing).
    /// - `stage_data` (the last stage's blob, overwritten by each stage) gives way to
    ///   `job_stage_results`, one typed result per finished stage. A job upgraded mid-way finds
    ///   no results and starts from the download again.
    private static let version6 = """
        CREATE TABLE jobs_v6 (
            id INTEGER PRIMARY KEY,
            video_id TEXT NOT NULL UNIQUE REFERENCES videos (id),
            state TEXT NOT NULL CHECK (state IN ('available', 'running', 'stuck', 'done', 'failed', 'cancelled')),
            stage TEXT,
            attempt INTEGER NOT NULL DEFAULT 0,
            fault_attempts INTEGER NOT NULL DEFAULT 0,
            run_at INTEGER NOT NULL,
            lease_owner TEXT,
            lease_expires_at INTEGER,
            last_error TEXT,
            media_crashes INTEGER NOT NULL DEFAULT 0,
            lease_generation INTEGER NOT NULL DEFAULT 0,
            lease_beats INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO jobs_v6 (id, video_id, state, stage, attempt, fault_attempts, run_at, lease_owner, lease_expires_at,
                             last_error, media_crashes)
            SELECT id, video_id, state, NULL, attempt, fault_attempts, run_at, lease_owner, lease_expires_at,
                   last_error, media_crashes FROM jobs;
        DROP TABLE jobs;
        ALTER TABLE jobs_v6 RENAME TO jobs;
        CREATE INDEX jobs_state_run_at ON jobs (state, run_at);
        CREATE TABLE job_stage_results (
            job_id INTEGER NOT NULL REFERENCES jobs (id),
            stage TEXT NOT NULL,
            result TEXT NOT NULL,
            PRIMARY KEY (job_id, stage)
        ) WITHOUT ROWID;
        """

    /// Version 7, for the HTTP API (CONTRACT section 8): `rate_counts`, requests per seller, kind
    /// (`create`, `read`) and second, so a sliding minute is the sum of the last 60 rows; in the
    /// store, so the limit holds for every daemon that shares it (`RateLimiter`). List totals come
    /// from migration 4's block counts.
    private static let versionRateLimits = """
        CREATE TABLE rate_counts (
            seller_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            second INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (seller_id, kind, second)
        ) WITHOUT ROWID;
        """

    /// Version 8, object storage (`publish.s3`): `published_objects` lists each video's objects in a bucket
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

    /// Version 9: who claimed a pending delivery (`claimDueDeliveries`), so a restarted daemon
    /// releases the claims its dead predecessor held (`releaseDeliveryClaims`). Null: unclaimed.
    private static let deliveryClaimsVersion = """
        ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
        """

    /// Version 10, the fleet (CONTRACT section 10):
    /// - `video_origins`: the spools a video came in through, each with the document version its
    ///   status file there holds (`status_version`, which leaves `videos`). `doc_version` is copied
    ///   in by trigger, so the partial index finds the stale files of one origin without a join.
    ///   Every existing video came in through this store's own spool: `VideoOrigin.embeddedSpool`.
    /// - `job_history`: append-only, one row per claim and per recorded stage, with the lease.
    private static let fleetVersion = """
        CREATE TABLE video_origins (
            video_id TEXT NOT NULL REFERENCES videos (id),
            origin TEXT NOT NULL,
            doc_version INTEGER NOT NULL,
            status_version INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (video_id, origin)
        ) WITHOUT ROWID;
        CREATE INDEX video_origins_stale ON video_origins (origin, video_id) WHERE doc_version > status_version;
        INSERT INTO video_origins (video_id, origin, doc_version, status_version)
            SELECT id, '\(VideoOrigin.embeddedSpool)', doc_version, status_version FROM videos;
        DROP INDEX videos_status_stale;
        ALTER TABLE videos DROP COLUMN status_version;
        CREATE TRIGGER video_origins_doc_version
        AFTER UPDATE OF doc_version ON videos
        BEGIN
            UPDATE video_origins SET doc_version = NEW.doc_version WHERE video_id = NEW.id;
        END;
        CREATE TABLE job_history (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            job_id INTEGER NOT NULL REFERENCES jobs (id),
            event TEXT NOT NULL CHECK (event IN ('claimed', 'stage')),
            stage TEXT,
            lease_owner TEXT NOT NULL,
            lease_generation INTEGER NOT NULL
        );
        CREATE INDEX job_history_job ON job_history (job_id, seq);
        """
}
