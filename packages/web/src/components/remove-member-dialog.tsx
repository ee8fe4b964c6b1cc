import type { ApiKey, Member } from "@cogno/protocol";
import { useEffect, useState } from "react";
import { ConfirmDialog } from "./confirm-dialog.tsx";
import { useApi } from "./session.tsx";

/** Removing a member revokes their keys in this workspace; the dialog says which before anyone confirms. */
export function RemoveMemberDialog({
  workspaceId,
  workspaceName,
  member,
  onRemoved,
  onDismiss,
}: {
  workspaceId: string;
  workspaceName: string;
  member: Member;
  onRemoved: () => void;
  onDismiss: () => void;
}) {
  const api = useApi();
  const [keys, setKeys] = useState<ApiKey[] | null>(null);

  useEffect(() => {
    let current = true;
    api.listApiKeys(workspaceId).then(
      ({ apiKeys }) => {
        if (current) setKeys(apiKeys.filter((key) => key.owner.id === member.user.id));
      },
      () => {
        // The warning below stands without the count.
      },
    );
    return () => {
      current = false;
    };
  }, [api, workspaceId, member.user.id]);

  return (
    <ConfirmDialog
      title={`Remove ${member.user.name}?`}
      describedBy="remove-member-warning"
      confirmLabel="Remove member"
      pendingLabel="Removing…"
      onConfirm={async () => {
        await api.removeMember(workspaceId, member.user.id);
        onRemoved();
      }}
      onDismiss={onDismiss}
    >
      <div id="remove-member-warning">
        <p>
          {member.user.name} ({member.user.email}) will lose access to <strong>{workspaceName}</strong>.
        </p>
        <div className="callout danger">
          <p>
            <strong>Their API keys in this workspace are revoked at once</strong>, and any worker using them
            disconnects. This cannot be undone; to come back they need a new invitation and new keys.
          </p>
          {keys !== null ? (
            <p>
              {keys.length === 0
                ? "They have no active keys here."
                : `${keys.length} active ${keys.length === 1 ? "key" : "keys"} will be revoked: ${keys
                    .map((key) => key.name)
                    .join(", ")}.`}
            </p>
          ) : null}
        </div>
      </div>
    </ConfirmDialog>
  );
}
