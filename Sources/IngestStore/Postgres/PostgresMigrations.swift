/// The versioned schema of the PostgreSQL store, tracked in `schema_migrations` (one row per
/// applied version).
///
/// Versions count like the SQLite file's `user_version`: version 8 is the whole SQLite schema at
/// its version 8 in PostgreSQL's types, created in one step (there was never an older PostgreSQL
/// store to upgrade); each later version is added here and in `Migrations` under the same number,
/// so `latestVersion` equals `Migrations.latestVersion`. `apply` runs under a session advisory lock: the first daemon to start migrates,
/// the others wait for the lock and then find the version applied.
enum PostgresMigrations {
    /// The advisory lock key that serializes migrations ("video-ingest migrate").
    static let lockKey: Int64 = 0x7669_6d69_6772_6174

    /// Each version's SQL, in order.
    static let all: [(version: Int, sql: String)] = [(8, baseline), (9, deliveryClaimsVersion), (10, fleetVersion)]

    /// The schema version this build writes.
    static var latestVersion: Int { all.last?.version ?? 0 }

    /// Brings the database up to `latestVersion`; throws `.misuse` for a database written by a newer build.
    static func apply(to connection: PGConnection) throws {
        try connection.advisoryLock(lockKey)
        defer { _ = try? connection.advisoryUnlock(lockKey) }
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        for (version, sql) in all where try currentVersion(connection) < version {
            try connection.transaction(.readCommitted, attempts: 1) {
                try connection.executeScript(sql)
                try connection.execute("INSERT INTO schema_migrations (version) VALUES ($1)", [.integer(Int64(version))])
            }
        }
        let version = try currentVersion(connection)
        if version > latestVersion {
            throw StoreError(.misuse, "database schema version \(version) is newer than this build's \(latestVersion)")
        }
    }

    /// The highest applied version (0 for an empty database).
    static func currentVersion(_ connection: PGConnection) throws -> Int {
        Int(try connection.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").int64(0, 0))
    }

    /// Version 8: the tables, indexes and triggers of the SQLite schema at version 8 (see
    /// `Migrations` for what each is for), plus `product_holders`: the one holder of each
    /// (seller, productContentId), a primary key, so the database itself refuses two.
    /// Times of videos are `timestamptz`; the queue's times are unix milliseconds (`bigint`),
    /// as `JobRecord` and the outbox read them. An idempotency key's video is checked at commit
    /// (the key is inserted first, so a racing create of the same key stops before writing).
    private static let baseline = """
        CREATE TABLE videos (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            seller_id text NOT NULL,
            title text NOT NULL,
            description text,
            video_url text NOT NULL,
            video_content_type text NOT NULL,
            store_front_code text NOT NULL,
            status text NOT NULL CHECK (status IN ('IN_PROGRESS', 'SUCCESS', 'FAILED')),
            error_code text,
            error_message text,
            optimized_video_url text,
            poster_url text,
            duration_seconds double precision,
            approval text NOT NULL DEFAULT 'PENDING' CHECK (approval IN ('PENDING', 'APPROVED', 'REJECTED')),
            reject_reason text,
            deleted boolean NOT NULL DEFAULT false,
            stage text,
            progress double precision,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            doc_version bigint NOT NULL DEFAULT 1,
            status_version bigint NOT NULL DEFAULT 0
        );
        CREATE INDEX videos_list ON videos (deleted, seq DESC);
        CREATE INDEX videos_list_seller ON videos (seller_id, deleted, seq DESC);
        CREATE INDEX videos_list_status ON videos (status, deleted, seq DESC);
        CREATE INDEX videos_list_seller_status ON videos (seller_id, status, deleted, seq DESC);
        CREATE INDEX videos_seller_created ON videos (seller_id, created_at);
        CREATE INDEX videos_status_stale ON videos (seq) WHERE doc_version > status_version;

        CREATE TABLE video_products (
            video_id text NOT NULL REFERENCES videos (id),
            position integer NOT NULL,
            seller_id text NOT NULL,
            product_content_id text NOT NULL,
            shown boolean NOT NULL DEFAULT true,
            PRIMARY KEY (video_id, position)
        );
        CREATE INDEX video_products_seller_product ON video_products (seller_id, product_content_id);

        CREATE TABLE product_holders (
            seller_id text NOT NULL,
            product_content_id text NOT NULL,
            video_id text NOT NULL REFERENCES videos (id),
            PRIMARY KEY (seller_id, product_content_id)
        );

        CREATE TABLE jobs (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            video_id text NOT NULL UNIQUE REFERENCES videos (id),
            state text NOT NULL CHECK (state IN ('available', 'running', 'stuck', 'done', 'failed', 'cancelled')),
            stage text,
            attempt integer NOT NULL DEFAULT 0,
            fault_attempts integer NOT NULL DEFAULT 0,
            run_at bigint NOT NULL,
            lease_owner text,
            lease_expires_at bigint,
            last_error text,
            media_crashes integer NOT NULL DEFAULT 0,
            lease_generation bigint NOT NULL DEFAULT 0,
            lease_beats bigint NOT NULL DEFAULT 0
        );
        CREATE INDEX jobs_state_run_at ON jobs (state, run_at);
        CREATE INDEX jobs_claimable ON jobs (run_at, id) WHERE state = 'available';

        CREATE TABLE job_stage_results (
            job_id bigint NOT NULL REFERENCES jobs (id),
            stage text NOT NULL,
            result text NOT NULL,
            PRIMARY KEY (job_id, stage)
        );

        CREATE TABLE idempotency_keys (
            seller_id text NOT NULL,
            key text NOT NULL,
            body_digest text NOT NULL,
            video_id text NOT NULL REFERENCES videos (id) DEFERRABLE INITIALLY DEFERRED,
            created_at bigint NOT NULL,
            PRIMARY KEY (seller_id, key)
        );
        CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

        CREATE FUNCTION videos_doc_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.doc_version := NEW.doc_version + 1;
            RETURN NEW;
        END $$;
        CREATE TRIGGER videos_doc_changed
        BEFORE UPDATE OF title, description, status, error_code, error_message, optimized_video_url, poster_url,
                         duration_seconds, approval, reject_reason, deleted, stage, progress, updated_at ON videos
        FOR EACH ROW EXECUTE FUNCTION videos_doc_changed();

        CREATE TABLE video_list_blocks (
            seller_id text NOT NULL,
            status text NOT NULL,
            block bigint NOT NULL,
            n bigint NOT NULL,
            PRIMARY KEY (seller_id, status, block)
        );
        CREATE FUNCTION video_list_blocks_count() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.deleted THEN
                UPDATE video_list_blocks SET n = n - 1
                WHERE block = OLD.seq >> 10 AND seller_id IN (OLD.seller_id, '*') AND status IN (OLD.status, '*');
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.deleted THEN
                INSERT INTO video_list_blocks (seller_id, status, block, n)
                SELECT s, t, NEW.seq >> 10, 1
                FROM (VALUES (NEW.seller_id, NEW.status), (NEW.seller_id, '*'), ('*', NEW.status), ('*', '*')) AS k (s, t)
                ON CONFLICT (seller_id, status, block) DO UPDATE SET n = video_list_blocks.n + 1;
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER video_list_blocks_insert AFTER INSERT ON videos
        FOR EACH ROW EXECUTE FUNCTION video_list_blocks_count();
        CREATE TRIGGER video_list_blocks_update AFTER UPDATE OF status, deleted ON videos
        FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.deleted IS DISTINCT FROM NEW.deleted)
        EXECUTE FUNCTION video_list_blocks_count();
        CREATE TRIGGER video_list_blocks_delete AFTER DELETE ON videos
        FOR EACH ROW EXECUTE FUNCTION video_list_blocks_count();

        CREATE TABLE events (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            type text NOT NULL,
            video_id text NOT NULL,
            body text NOT NULL,
            created_at bigint NOT NULL
        );
        CREATE TABLE deliveries (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_seq bigint NOT NULL REFERENCES events (seq),
            endpoint_url text NOT NULL,
            video_id text NOT NULL,
            state text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
            attempts integer NOT NULL DEFAULT 0,
            window_start bigint NOT NULL,
            next_attempt_at bigint NOT NULL,
            last_attempt_at bigint,
            last_status integer,
            last_error text,
            finished_at bigint,
            UNIQUE (event_seq, endpoint_url)
        );
        CREATE INDEX deliveries_due ON deliveries (endpoint_url, next_attempt_at) WHERE state = 'pending';
        CREATE INDEX deliveries_order ON deliveries (endpoint_url, video_id, seq) WHERE state = 'pending';
        CREATE INDEX deliveries_state ON deliveries (state, seq);
        CREATE TABLE event_removed_products (
            video_id text NOT NULL,
            position integer NOT NULL,
            product_content_id text NOT NULL
        );
        CREATE FUNCTION video_products_shown_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE videos SET doc_version = doc_version + 1 WHERE id = NEW.video_id;
            IF OLD.shown AND NOT NEW.shown
               AND EXISTS (SELECT 1 FROM videos WHERE id = NEW.video_id AND approval != 'REJECTED' AND NOT deleted) THEN
                INSERT INTO event_removed_products (video_id, position, product_content_id)
                VALUES (NEW.video_id, NEW.position, NEW.product_content_id);
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER video_products_shown_changed AFTER UPDATE OF shown ON video_products
        FOR EACH ROW WHEN (NEW.shown IS DISTINCT FROM OLD.shown) EXECUTE FUNCTION video_products_shown_changed();

        CREATE TABLE rate_counts (
            seller_id text NOT NULL,
            kind text NOT NULL,
            second bigint NOT NULL,
            count bigint NOT NULL,
            PRIMARY KEY (seller_id, kind, second)
        );

        CREATE TABLE published_objects (
            video_id text NOT NULL REFERENCES videos (id),
            endpoint text NOT NULL,
            bucket text NOT NULL,
            object_key text NOT NULL,
            PRIMARY KEY (video_id, endpoint, bucket, object_key)
        );
        CREATE TABLE object_deletions (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            video_id text NOT NULL,
            endpoint text NOT NULL,
            bucket text NOT NULL,
            object_key text NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            next_attempt_at bigint NOT NULL,
            last_error text,
            UNIQUE (endpoint, bucket, object_key)
        );
        CREATE INDEX object_deletions_due ON object_deletions (next_attempt_at);
        """

    /// Version 9 (as SQLite's): who claimed a pending delivery (`claimDueDeliveries`), so a
    /// restarted daemon releases the claims its dead predecessor held. Null: unclaimed.
    private static let deliveryClaimsVersion = """
        ALTER TABLE deliveries ADD COLUMN claimed_by text;
        """

    /// Version 10 (as SQLite's): `video_origins`, the spools a video came in through, each with the
    /// document version its status file there holds (`status_version` leaves `videos`; the
    /// document version is copied in by trigger so the partial index finds one origin's stale
    /// files without a join; every existing video came in through `VideoOrigin.embeddedSpool`);
    /// `job_history`, one row per claim and per recorded stage with its lease. The trigger has no
    /// `OF doc_version`: PostgreSQL fires such a trigger only for columns named in the UPDATE, and
    /// `doc_version` is raised by the BEFORE trigger `videos_doc_changed`.
    private static let fleetVersion = """
        CREATE TABLE video_origins (
            video_id text NOT NULL REFERENCES videos (id),
            origin text NOT NULL,
            doc_version bigint NOT NULL,
            status_version bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (video_id, origin)
        );
        CREATE INDEX video_origins_stale ON video_origins (origin, video_id) WHERE doc_version > status_version;
        INSERT INTO video_origins (video_id, origin, doc_version, status_version)
            SELECT id, '\(VideoOrigin.embeddedSpool)', doc_version, status_version FROM videos;
        DROP INDEX videos_status_stale;
        ALTER TABLE videos DROP COLUMN status_version;
        CREATE FUNCTION video_origins_doc_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE video_origins SET doc_version = NEW.doc_version WHERE video_id = NEW.id;
            RETURN NULL;
        END $$;
        CREATE TRIGGER video_origins_doc_version AFTER UPDATE ON videos
            FOR EACH ROW WHEN (NEW.doc_version IS DISTINCT FROM OLD.doc_version)
            EXECUTE FUNCTION video_origins_doc_version();
        CREATE TABLE job_history (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            job_id bigint NOT NULL REFERENCES jobs (id),
            event text NOT NULL CHECK (event IN ('claimed', 'stage')),
            stage text,
            lease_owner text NOT NULL,
            lease_generation bigint NOT NULL
        );
        CREATE INDEX job_history_job ON job_history (job_id, seq);
        """
}
