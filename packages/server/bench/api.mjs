/** The few API calls that set a benchmark up: an owner with a session, a workspace, worker keys. */

/**
 * @param {string} url
 * @param {string} method
 * @param {string} path
 * @param {{ cookie?: string, body?: unknown }} [options]
 */
async function call(url, method, path, { cookie, body } = {}) {
  const response = await fetch(url + path, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(cookie ? { cookie } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return { response, body: text ? JSON.parse(text) : undefined };
}

/** Signs a new owner up and creates their workspace; returns what later calls need. */
export async function createOwnerWithWorkspace(url) {
  const email = `bench.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.com`;
  const signup = await call(url, "POST", "/api/v1/auth/signup", {
    body: { email, password: "bench password 1", name: "Bench Owner" },
  });
  const cookie = signup.response.headers.get("set-cookie")?.split(";")[0];
  if (!cookie?.startsWith("cogno_session=")) throw new Error("signup set no session cookie");
  const workspace = await call(url, "POST", "/api/v1/workspaces", { cookie, body: { name: "Bench" } });
  return { cookie, workspaceId: workspace.body.workspace.id };
}

export async function createApiKey(url, owner, name) {
  const created = await call(url, "POST", `/api/v1/workspaces/${owner.workspaceId}/api-keys`, {
    cookie: owner.cookie,
    body: { name },
  });
  return { id: created.body.apiKey.id, key: created.body.key };
}

export function revokePath(owner, keyId) {
  return `/api/v1/workspaces/${owner.workspaceId}/api-keys/${keyId}`;
}
