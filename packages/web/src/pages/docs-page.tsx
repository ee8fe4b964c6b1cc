import { useMemo } from "react";
import { CopyButton } from "../components/copy-button.tsx";
import { MarkdownView } from "../components/markdown-view.tsx";
import { usePageTitle } from "../components/page-title.ts";
import apiKeysGuide from "../docs/api-keys.md?raw";
import { inlineText, parseMarkdown } from "../lib/markdown.ts";

/** The guide names this server's own address where the CLI needs it. */
export function renderGuide(markdown: string, origin: string): string {
  return markdown.replaceAll("{{origin}}", origin);
}

export function DocsPage() {
  usePageTitle("API keys · Docs");
  const markdown = useMemo(() => renderGuide(apiKeysGuide, window.location.origin), []);
  const sections = useMemo(
    () =>
      parseMarkdown(markdown).flatMap((block) =>
        block.type === "heading" && block.level === 2 ? [{ id: block.id, block }] : [],
      ),
    [markdown],
  );

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
            {sections.map(({ id, block }) => (
              <li key={id}>
                <a href={`#${id}`}>{inlineText(block.children)}</a>
              </li>
            ))}
          </ul>
        </nav>
        <article>
          <MarkdownView source={markdown} />
        </article>
      </div>
    </div>
  );
}
