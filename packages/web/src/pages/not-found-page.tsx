import { usePageTitle } from "../components/page-title.ts";
import { Link } from "../components/router.tsx";

export function NotFoundPage({ message }: { message?: string }) {
  usePageTitle("Not found");
  return (
    <div className="auth-card">
      <h1 tabIndex={-1}>Page not found</h1>
      <p>{message ?? "There is nothing at this address."}</p>
      <p>
        <Link to="/">Go to your workspace</Link>
      </p>
    </div>
  );
}
