/**
 * The app's router: the History API and one event. Pages are chosen in app.tsx with matchRoute;
 * this module tracks the location, changes it, and holds navigation up while a page says leaving
 * would lose something (useNavigationBlocker).
 */
import {
  type AnchorHTMLAttributes,
  type MouseEvent,
  useEffect,
  useMemo,
  useRef,
  useSyncExternalStore,
} from "react";

/** Fired when the location the app shows has changed: a navigate() or a Back/Forward let through. */
const LOCATION_EVENT = "cogno:location";

const readLocation = () => `${window.location.pathname}${window.location.search}`;

/**
 * Something on screen that leaving would destroy (a raw key that was never copied). It is asked
 * before the app navigates away; `proceed` performs the navigation after all.
 */
type Blocker = (proceed: () => void) => void;
const blockers: Blocker[] = [];
/** The path on screen, to put back when Back or Forward is held up. */
let shownPath: string | null = null;
/** Set by a blocker's `proceed`: the one history move it lets through. */
let letNextPopThrough = false;

function onPopState(): void {
  const blocker = blockers[blockers.length - 1];
  if (blocker && !letNextPopThrough && shownPath !== null) {
    // Back and Forward cannot be cancelled, only undone: put the shown page back on top of the
    // history, so that proceeding is one step back to where the person was going.
    window.history.pushState(null, "", shownPath);
    blocker(() => {
      letNextPopThrough = true;
      window.history.back();
    });
    return;
  }
  letNextPopThrough = false;
  shownPath = readLocation();
  window.dispatchEvent(new Event(LOCATION_EVENT));
}

let listening = false;
function subscribeToLocation(onChange: () => void): () => void {
  if (!listening) {
    window.addEventListener("popstate", onPopState);
    shownPath = readLocation();
    listening = true;
  }
  window.addEventListener(LOCATION_EVENT, onChange);
  return () => window.removeEventListener(LOCATION_EVENT, onChange);
}

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
  const blocker = blockers[blockers.length - 1];
  if (blocker) {
    blocker(() => go(to, options));
    return;
  }
  go(to, options);
}

function go(to: string, options: { replace?: boolean }): void {
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  shownPath = readLocation();
  window.dispatchEvent(new Event(LOCATION_EVENT));
}

/**
 * While `active`, leaving the page asks first: a link or Back inside the app calls `onBlocked`
 * with a function that leaves after all; a reload, a closed tab or a typed address gets the
 * browser's own "Leave site?" question (beforeunload), the only one a page may ask there.
 */
export function useNavigationBlocker(active: boolean, onBlocked: Blocker): void {
  const onBlockedRef = useRef(onBlocked);
  onBlockedRef.current = onBlocked;
  useEffect(() => {
    if (!active) return;
    const blocker: Blocker = (proceed) => onBlockedRef.current(proceed);
    blockers.push(blocker);
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers ask only when returnValue is set.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      blockers.splice(blockers.indexOf(blocker), 1);
      window.removeEventListener("beforeunload", onBeforeUnload);
    };
  }, [active]);
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
