import { type MouseEvent, useMemo } from "react";
import { CopyButton } from "../components/copy-button.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { navigate } from "../components/router.tsx";
import { headings, html } from "../docs/api-keys.md?compiled";
import source from "../docs/api-keys.md?raw";
import { escapeHtml } from "../lib/escape-html.ts";
import { isAppPath } from "../lib/route-match.ts";

/** The guide names this server's own address where the CLI needs it. */
function fillInOrigin(text: string, origin: string): string {
  return text.replaceAll("{{origin}}", origin);
}

/** A click on a link to a page of this app stays in the app, as the router's own links do. */
function followAppLink(event: MouseEvent<HTMLElement>): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = event.target instanceof Element ? event.target.closest("a") : null;
  const href = anchor?.getAttribute("href");
  if (!href || !isAppPath(href)) return;
  event.preventDefault();
  navigate(href);
}

export function DocsPage() {
  usePageTitle("API keys · Docs");
  const origin = window.location.origin;
  const markdown = useMemo(() => fillInOrigin(source, origin), [origin]);
  const body = useMemo(() => fillInOrigin(html, escapeHtml(origin)), [origin]);
  const sections = headings.filter((heading) => heading.level === 2);

  return (
    <div className="docs">
      <div className="docs-toolbar">
        <p className="breadcrumb">Docs · Developers</p>
        <CopyButton
          text={markdown}
          label="Copy for LLM"
          accessibleLabel="Copy for LLM (copies this page as Markdown)"
        />
      </div>
      <div className="docs-layout">
        <nav aria-label="On this page" className="docs-toc">
          <h2>On this page</h2>
          <ul>
            {sections.map((section) => (
              <li key={section.id}>
                <a href={`#${section.id}`}>{section.text}</a>
              </li>
            ))}
          </ul>
        </nav>
        {/* A click handler on the article only routes its links; the keyboard follows them natively. */}
        {/* biome-ignore lint/a11y/useKeyWithClickEvents: links inside keep their own keyboard behaviour */}
        <article
          className="markdown"
          onClick={followAppLink}
          // biome-ignore lint/security/noDangerouslySetInnerHtml: compiled at build time from our own Markdown; raw HTML is escaped and link targets are checked (compile-markdown.ts)
          dangerouslySetInnerHTML={{ __html: body }}
        />
      </div>
    </div>
  );
}
