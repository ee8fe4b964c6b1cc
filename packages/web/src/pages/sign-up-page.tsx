import { PASSWORD_MAX, PASSWORD_MIN } from "@cogno/protocol";
import { type FormEvent, useState } from "react";
import { describeError, isApiError } from "../api/api-error.ts";
import { usePageTitle } from "../components/page-title.ts";
import { Link } from "../components/router.tsx";
import { useApi } from "../components/session.tsx";
import { FormError, TextField } from "../components/text-field.tsx";
import { usePendingAction } from "../components/use-pending-action.ts";

interface FieldErrors {
  name?: string;
  email?: string;
  password?: string;
}

export function SignUpPage({ next, onSignedIn }: { next: string | null; onSignedIn: () => Promise<void> }) {
  usePageTitle("Create an account");
  const api = useApi();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  // Failures about one field are shown under it; only the rest reach the form-level error.
  const { pending, error, setError, run } = usePendingAction((caught) => {
    if (isApiError(caught, "conflict")) {
      setFieldErrors({ email: "An account with this email already exists. Sign in instead." });
      return null;
    }
    if (isApiError(caught, "validation_failed")) {
      setFieldErrors(fieldErrorFromMessage(caught.message));
      return null;
    }
    return describeError(caught);
  });

  const handleSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const errors = checkFields(name, email, password);
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    await run(async () => {
      await api.signUp({ name: name.trim(), email: email.trim(), password });
      await onSignedIn();
    });
  };

  const query = next ? `?next=${encodeURIComponent(next)}` : "";
  return (
    <div className="auth-card">
      <h1 tabIndex={-1}>Create your Cogno account</h1>
      <form onSubmit={(event) => void handleSubmit(event)} noValidate>
        <TextField
          label="Your name"
          name="name"
          autoComplete="name"
          required
          maxLength={100}
          value={name}
          error={fieldErrors.name}
          onChange={(event) => setName(event.target.value)}
        />
        <TextField
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          error={fieldErrors.email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN}
          maxLength={PASSWORD_MAX}
          hint={`At least ${PASSWORD_MIN} characters.`}
          value={password}
          error={fieldErrors.password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <FormError>{error}</FormError>
        <button type="submit" className="button primary wide" disabled={pending}>
          {pending ? "Creating account…" : "Create account"}
        </button>
      </form>
      <p className="auth-switch">
        Already have an account? <Link to={`/sign-in${query}`}>Sign in</Link>
      </p>
    </div>
  );
}

function checkFields(name: string, email: string, password: string): FieldErrors {
  const errors: FieldErrors = {};
  if (name.trim() === "") errors.name = "Enter your name.";
  if (!/^[^\s@]+@[^\s@]+$/.test(email.trim()))
    errors.email = "Enter an email address, such as alice@example.com.";
  if (password.length < PASSWORD_MIN) errors.password = `Use at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) errors.password = `Use at most ${PASSWORD_MAX} characters.`;
  return errors;
}

/** The server's validation message names the field (API.md); put it under that field. */
function fieldErrorFromMessage(message: string): FieldErrors {
  const lower = message.toLowerCase();
  if (lower.includes("password")) return { password: message };
  if (lower.includes("email")) return { email: message };
  return { name: message };
}
