import { type ReactNode, useMemo } from "react";
import { type Block, type Inline, parseMarkdown } from "../lib/markdown.ts";
import { Link } from "./router.tsx";

/** Renders Markdown as React elements: text is always text, so a document cannot inject markup. */
export function MarkdownView({ source }: { source: string }) {
  const blocks = useMemo(() => parseMarkdown(source), [source]);
  return <div className="markdown">{blocks.map((block, index) => renderBlock(block, index))}</div>;
}

function renderBlock(block: Block, key: number): ReactNode {
  switch (block.type) {
    case "heading": {
      const Tag = `h${block.level}` as const;
      return (
        <Tag key={key} id={block.id} tabIndex={block.level === 1 ? -1 : undefined}>
          {renderInlines(block.children)}
        </Tag>
      );
    }
    case "paragraph":
      return <p key={key}>{renderInlines(block.children)}</p>;
    case "list": {
      // biome-ignore lint/suspicious/noArrayIndexKey: a rendered document never reorders; position is identity
      const items = block.items.map((item, index) => <li key={index}>{renderInlines(item)}</li>);
      return block.ordered ? (
        <ol key={key} start={block.start === 1 ? undefined : block.start}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
    case "code":
      return (
        <pre key={key} className={block.language ? `language-${block.language}` : undefined}>
          <code>{block.text}</code>
        </pre>
      );
    case "table":
      return (
        <div key={key} className="table-scroll">
          <table>
            <thead>
              <tr>
                {block.header.map((cell, column) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a rendered document never reorders; position is identity
                  <th key={column} scope="col" style={{ textAlign: block.align[column] ?? undefined }}>
                    {renderInlines(cell)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {block.rows.map((row, rowIndex) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a rendered document never reorders; position is identity
                <tr key={rowIndex}>
                  {row.map((cell, column) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: a rendered document never reorders; position is identity
                    <td key={column} style={{ textAlign: block.align[column] ?? undefined }}>
                      {renderInlines(cell)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    case "quote":
      return (
        <blockquote key={key}>{block.children.map((child, index) => renderBlock(child, index))}</blockquote>
      );
    case "rule":
      return <hr key={key} />;
  }
}

function renderInlines(children: Inline[]): ReactNode[] {
  return children.map((child, index) => renderInline(child, index));
}

function renderInline(inline: Inline, key: number): ReactNode {
  switch (inline.type) {
    case "text":
      return inline.text;
    case "code":
      return <code key={key}>{inline.text}</code>;
    case "strong":
      return <strong key={key}>{renderInlines(inline.children)}</strong>;
    case "emphasis":
      return <em key={key}>{renderInlines(inline.children)}</em>;
    case "link":
      // App paths stay in the single-page app; anchors and other sites are ordinary links.
      return inline.href.startsWith("/") ? (
        <Link key={key} to={inline.href}>
          {renderInlines(inline.children)}
        </Link>
      ) : (
        <a key={key} href={inline.href} rel={inline.href.startsWith("http") ? "noreferrer" : undefined}>
          {renderInlines(inline.children)}
        </a>
      );
  }
}
