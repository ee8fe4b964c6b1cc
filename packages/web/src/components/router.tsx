/**
 * The app's router: the History API and one event. Pages are chosen in app.tsx with matchRoute;
 * this module only tracks the location and changes it.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useMemo, useSyncExternalStore } from "react";

const NAVIGATE_EVENT = "cogno:navigate";

function subscribeToLocation(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const readLocation = () => `${window.location.pathname}${window.location.search}`;

export interface AppLocation {
  pathname: string;
  search: URLSearchParams;
  /** pathname and search together, as a sign-in page's "next" parameter. */
  path: string;
}

export function useLocation(): AppLocation {
  const path = useSyncExternalStore(subscribeToLocation, readLocation, () => "/");
  return useMemo(() => {
    const url = new URL(path, "http://app.invalid");
    return { pathname: url.pathname, search: url.searchParams, path };
  }, [path]);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === readLocation()) return;
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    // Let the browser handle new tabs, downloads and modified clicks.
    if (event.defaultPrevented || event.button !== 0 || rest.target) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handleClick} {...rest}>
      {children}
    </a>
  );
}
