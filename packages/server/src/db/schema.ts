/**
 * Table types for Kysely. Timestamps are ISO-8601 UTC strings (`toISOString()`) in both engines,
 * so the same queries compare and sort them the same way on SQLite and PostgreSQL.
 */
import type { AuditAction, Role } from "@cogno/protocol";
import type { Generated } from "kysely";

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: string;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

export interface WorkspacesTable {
  id: string;
  name: string;
  created_at: string;
}

export interface MembershipsTable {
  workspace_id: string;
  user_id: string;
  role: Role;
  joined_at: string;
  /** Bumped by every key creation: the row lock that serialises the 25-key limit per user and workspace. */
  key_creations: number;
}

export interface InvitationsTable {
  id: string;
  workspace_id: string;
  token_hash: string;
  role: "admin" | "member";
  created_by: string;
  created_at: string;
  expires_at: string;
  /** The last person who joined through the link (links are reusable until they expire or are revoked). */
  accepted_by: string | null;
  accepted_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  owner_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  scope: "worker";
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  /** Null while active; once set, why (`revoked`, `expired`, `leaked`, `member_removed`, `rolled`). */
  revoked_reason: "revoked" | "expired" | "leaked" | "member_removed" | "rolled" | null;
  /** When the key stops working; a roll sets it on the old key (its grace window). */
  expires_at: string | null;
  last_used_ip: string | null;
  rolled_at: string | null;
  /** The key that a roll made to replace this one. */
  replaced_by: string | null;
  leak_url: string | null;
  leak_source: string | null;
  leak_reported_at: string | null;
}

export interface WorkersTable {
  id: string;
  workspace_id: string;
  /** The user whose key registered the machine: a row never moves to another user's key. */
  owner_id: string;
  machine_id: string;
  name: string;
  hostname: string;
  os: string;
  arch: string;
  version: string;
  api_key_id: string;
  registered_at: string;
  /** The live connection that owns the row: a late close of an older socket must not mark it offline. */
  connection_id: string | null;
  connected_at: string | null;
  disconnected_at: string | null;
  stopped_at: string | null;
  last_heartbeat_at: string | null;
  last_ip: string | null;
}

/** Append-only: no route updates or deletes an entry. */
export interface AuditLogTable {
  id: string;
  workspace_id: string;
  at: string;
  action: AuditAction;
  actor_type: "user" | "system" | "reporter";
  actor_id: string | null;
  actor_name: string;
  target_type: "api_key" | "invitation" | "user" | "worker";
  target_id: string;
  target_name: string;
  ip: string | null;
  user_agent: string | null;
  /** JSON object. */
  details: string;
}

/** A PostgreSQL replica's lease (milliseconds since the epoch, by the database's clock). */
export interface ReplicasTable {
  id: string;
  started_at: string;
  lease_expires_ms: number;
  /** The last key change this replica has applied (dropped from memory, sockets cut off). */
  applied_change: number;
}

/** The ordered log of key changes every replica must apply before its lease is renewed. */
export interface KeyChangesTable {
  seq: Generated<number>;
  /** JSON array of key ids. */
  key_ids: string;
  /** `revoked`: cut off now; `updated`: re-read (renamed, rolled: a new expiry). */
  change: "revoked" | "updated";
  reason: string | null;
  created_at: string;
}

export interface DeviceAuthorizationsTable {
  id: string;
  /** SHA-256 of the device code: the code itself is the CLI's secret. */
  device_code_hash: string;
  user_code_hash: string;
  client_name: string;
  client_ip: string | null;
  created_at: string;
  expires_at: string;
  interval_seconds: number;
  last_polled_at: string | null;
  status: "pending" | "approved" | "denied" | "used";
  decided_by: string | null;
  workspace_id: string | null;
  api_key_id: string | null;
  /** The raw key made on approval, sealed with a key derived from the device code (never in the clear). */
  sealed_key: string | null;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  workspaces: WorkspacesTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  api_keys: ApiKeysTable;
  workers: WorkersTable;
  audit_log: AuditLogTable;
  replicas: ReplicasTable;
  key_changes: KeyChangesTable;
  device_authorizations: DeviceAuthorizationsTable;
}
