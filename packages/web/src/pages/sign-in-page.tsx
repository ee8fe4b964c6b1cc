import { type FormEvent, useState } from "react";
import { describeError, isApiError } from "../api/api-error.ts";
import { usePageTitle } from "../components/page-title.ts";
import { Link } from "../components/router.tsx";
import { useApi } from "../components/session.tsx";
import { FormError, TextField } from "../components/text-field.tsx";
import { usePendingAction } from "../components/use-pending-action.ts";

/** `next` carries the page to return to, such as an invitation link opened while signed out. */
export function SignInPage({ next, onSignedIn }: { next: string | null; onSignedIn: () => Promise<void> }) {
  usePageTitle("Sign in");
  const api = useApi();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { pending, error, run } = usePendingAction((caught) =>
    isApiError(caught, "unauthenticated") || isApiError(caught, "validation_failed")
      ? caught.message
      : describeError(caught),
  );

  const handleSubmit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => {
      await api.logIn({ email, password });
      await onSignedIn();
    });
  };

  const query = next ? `?next=${encodeURIComponent(next)}` : "";
  return (
    <div className="auth-card">
      <h1 tabIndex={-1}>Sign in to Cogno</h1>
      <form onSubmit={(event) => void handleSubmit(event)} noValidate>
        <TextField
          label="Email"
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <FormError>{error}</FormError>
        <button type="submit" className="button primary wide" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p className="auth-switch">
        New to Cogno? <Link to={`/sign-up${query}`}>Create an account</Link>
      </p>
    </div>
  );
}
