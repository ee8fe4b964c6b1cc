import { type FormEvent, useState } from "react";
import { describeError, isApiError } from "../api/api-error.ts";
import { usePageTitle } from "../components/page-title.ts";
import { Link } from "../components/router.tsx";
import { useApi } from "../components/session.tsx";
import { FormError, TextField } from "../components/text-field.tsx";
import { usePendingAction } from "../components/use-pending-action.ts";

interface FieldErrors {
  email?: string;
  password?: string;
}

/** Checked before anything is sent, in words a person can act on (the server's are for programs). */
export function checkSignInFields(email: string, password: string): FieldErrors {
  const errors: FieldErrors = {};
  const trimmed = email.trim();
  if (trimmed === "") errors.email = "Enter your email address.";
  else if (!/^[^\s@]+@[^\s@]+$/.test(trimmed))
    errors.email = "Enter an email address, such as alice@example.com.";
  if (password === "") errors.password = "Enter your password.";
  return errors;
}

/** `next` carries the page to return to, such as an invitation link opened while signed out. */
export function SignInPage({ next, onSignedIn }: { next: string | null; onSignedIn: () => Promise<void> }) {
  usePageTitle("Sign in");
  const api = useApi();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const { pending, error, setError, run } = usePendingAction((caught) => {
    if (isApiError(caught, "unauthenticated")) return caught.message;
    // The form checked what it could; what the server still refuses is said in the form's words.
    if (isApiError(caught, "validation_failed"))
      return "Check your email address and password, then try again.";
    return describeError(caught);
  });

  const handleSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const errors = checkSignInFields(email, password);
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    await run(async () => {
      await api.logIn({ email: email.trim(), password });
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
          error={fieldErrors.email}
          onChange={(event) => {
            setEmail(event.target.value);
            setFieldErrors(({ email: _cleared, ...rest }) => rest);
          }}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          error={fieldErrors.password}
          onChange={(event) => {
            setPassword(event.target.value);
            setFieldErrors(({ password: _cleared, ...rest }) => rest);
          }}
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
