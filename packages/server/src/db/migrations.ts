/**
 * Schema migrations, in order. The same migrations serve SQLite and PostgreSQL: only portable
 * column types (text, integer) are used. Never edit a migration that has shipped; add a new one.
 */
import { type Kysely, type Migration, type MigrationProvider, SqliteAdapter, sql } from "kysely";

const migrations: Record<string, Migration> = {
  "0001_initial": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("users")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("email", "text", (c) => c.notNull().unique())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("sessions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("workspaces")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("memberships")
        .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("joined_at", "text", (c) => c.notNull())
        .addColumn("key_creations", "integer", (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint("memberships_pk", ["workspace_id", "user_id"])
        .execute();
      await db.schema.createIndex("memberships_user").on("memberships").column("user_id").execute();

      await db.schema
        .createTable("invitations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull().references("users.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("accepted_by", "text", (c) => c.references("users.id"))
        .addColumn("accepted_at", "text")
        .execute();

      await db.schema
        .createTable("api_keys")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
        .addColumn("owner_id", "text", (c) => c.notNull().references("users.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("prefix", "text", (c) => c.notNull())
        .addColumn("key_hash", "text", (c) => c.notNull().unique())
        .addColumn("scope", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("last_used_at", "text")
        .addColumn("revoked_at", "text")
        .addColumn("revoked_by", "text", (c) => c.references("users.id"))
        .execute();
      await db.schema
        .createIndex("api_keys_owner")
        .on("api_keys")
        .columns(["workspace_id", "owner_id", "revoked_at"])
        .execute();

      await db.schema
        .createTable("workers")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
        .addColumn("machine_id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("hostname", "text", (c) => c.notNull())
        .addColumn("os", "text", (c) => c.notNull())
        .addColumn("arch", "text", (c) => c.notNull())
        .addColumn("version", "text", (c) => c.notNull())
        .addColumn("api_key_id", "text", (c) => c.notNull().references("api_keys.id"))
        .addColumn("registered_at", "text", (c) => c.notNull())
        .addColumn("connection_id", "text")
        .addColumn("connected_at", "text")
        .addColumn("disconnected_at", "text")
        .addColumn("stopped_at", "text")
        .addColumn("last_heartbeat_at", "text")
        .addUniqueConstraint("workers_machine", ["workspace_id", "machine_id"])
        .execute();
      await db.schema.createIndex("workers_api_key").on("workers").column("api_key_id").execute();
    },
  },
  /**
   * Release 1.1: keys gain expiry, roll, leak reports and the IP of their last use; invitations can
   * be revoked; a worker row belongs to its key owner's machine (another user's key can never take
   * it over); the audit log; the replica leases and key-change log of acknowledged revocation; and
   * the device authorizations of browser login.
   */
  "0002_release_1_1": {
    async up(db: Kysely<unknown>) {
      const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;

      for (const column of [
        "expires_at",
        "last_used_ip",
        "revoked_reason",
        "rolled_at",
        "replaced_by",
        "leak_url",
        "leak_source",
        "leak_reported_at",
      ]) {
        await db.schema.alterTable("api_keys").addColumn(column, "text").execute();
      }
      await sql`update api_keys set revoked_reason = 'revoked' where revoked_at is not null`.execute(db);

      await db.schema.alterTable("invitations").addColumn("revoked_at", "text").execute();
      await db.schema
        .alterTable("invitations")
        .addColumn("revoked_by", "text", (c) => c.references("users.id"))
        .execute();
      await db.schema
        .createIndex("invitations_creator")
        .on("invitations")
        .columns(["workspace_id", "created_by"])
        .execute();

      // The unique machine id moves from (workspace, machine) to (workspace, owner, machine): a
      // table rebuild, the one portable way to change a constraint on SQLite.
      await db.schema
        .createTable("workers_v2")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
        .addColumn("owner_id", "text", (c) => c.notNull().references("users.id"))
        .addColumn("machine_id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("hostname", "text", (c) => c.notNull())
        .addColumn("os", "text", (c) => c.notNull())
        .addColumn("arch", "text", (c) => c.notNull())
        .addColumn("version", "text", (c) => c.notNull())
        .addColumn("api_key_id", "text", (c) => c.notNull().references("api_keys.id"))
        .addColumn("registered_at", "text", (c) => c.notNull())
        .addColumn("connection_id", "text")
        .addColumn("connected_at", "text")
        .addColumn("disconnected_at", "text")
        .addColumn("stopped_at", "text")
        .addColumn("last_heartbeat_at", "text")
        .addColumn("last_ip", "text")
        .addUniqueConstraint("workers_owner_machine", ["workspace_id", "owner_id", "machine_id"])
        .execute();
      await sql`insert into workers_v2 (id, workspace_id, owner_id, machine_id, name, hostname, os, arch,
          version, api_key_id, registered_at, connection_id, connected_at, disconnected_at, stopped_at,
          last_heartbeat_at)
        select w.id, w.workspace_id, k.owner_id, w.machine_id, w.name, w.hostname, w.os, w.arch,
          w.version, w.api_key_id, w.registered_at, w.connection_id, w.connected_at, w.disconnected_at,
          w.stopped_at, w.last_heartbeat_at
        from workers w join api_keys k on k.id = w.api_key_id`.execute(db);
      await db.schema.dropTable("workers").execute();
      await db.schema.alterTable("workers_v2").renameTo("workers").execute();
      await db.schema.createIndex("workers_api_key_v2").on("workers").column("api_key_id").execute();
      await db.schema
        .createIndex("workers_by_name")
        .on("workers")
        .columns(["workspace_id", "name", "id"])
        .execute();

      await db.schema
        .createTable("audit_log")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("actor_type", "text", (c) => c.notNull())
        .addColumn("actor_id", "text")
        .addColumn("actor_name", "text", (c) => c.notNull())
        .addColumn("target_type", "text", (c) => c.notNull())
        .addColumn("target_id", "text", (c) => c.notNull())
        .addColumn("target_name", "text", (c) => c.notNull())
        .addColumn("ip", "text")
        .addColumn("user_agent", "text")
        .addColumn("details", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("audit_log_newest")
        .on("audit_log")
        .columns(["workspace_id", "at", "id"])
        .execute();

      // Acknowledged revocation across PostgreSQL replicas (events/): each replica's lease, and the
      // ordered log of key changes every replica applies (by notification, or on its next renewal).
      await db.schema
        .createTable("replicas")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("started_at", "text", (c) => c.notNull())
        .addColumn("lease_expires_ms", "bigint", (c) => c.notNull())
        .addColumn("applied_change", "bigint", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable("key_changes")
        .addColumn("seq", sqlite ? "integer" : "bigint", (c) =>
          sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedAlwaysAsIdentity(),
        )
        .addColumn("key_ids", "text", (c) => c.notNull())
        .addColumn("change", "text", (c) => c.notNull())
        .addColumn("reason", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("device_authorizations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("device_code_hash", "text", (c) => c.notNull().unique())
        .addColumn("user_code_hash", "text", (c) => c.notNull().unique())
        .addColumn("client_name", "text", (c) => c.notNull())
        .addColumn("client_ip", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("interval_seconds", "integer", (c) => c.notNull())
        .addColumn("last_polled_at", "text")
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("decided_by", "text", (c) => c.references("users.id"))
        .addColumn("workspace_id", "text", (c) => c.references("workspaces.id").onDelete("cascade"))
        .addColumn("api_key_id", "text", (c) => c.references("api_keys.id"))
        .addColumn("sealed_key", "text")
        .execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
