/**
 * Table types for Kysely. Timestamps are ISO-8601 UTC strings (`toISOString()`) in both engines,
 * so the same queries compare and sort them the same way on SQLite and PostgreSQL.
 */
import type { Role } from "@cogno/protocol";

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
  accepted_by: string | null;
  accepted_at: string | null;
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
}

export interface WorkersTable {
  id: string;
  workspace_id: string;
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
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  workspaces: WorkspacesTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  api_keys: ApiKeysTable;
  workers: WorkersTable;
}
