// A message body with WhatsApp's markup shown as formatting and its links clickable, built as
// elements from rules/formatting.ts tokens (never as HTML). Web and mail links open outside the app
// (target=_blank: the Electron host hands them to the system browser and never navigates the window);
// a bandeja:// link opens that conversation, at that message, inside the app.
import { Fragment, type ReactNode } from 'react';
import { parseFormatting, type FormatToken } from '../../src-shared/rules/formatting';
import { useUi } from '../state/ui-store';

function render(tokens: FormatToken[], decorate: (text: string, key: string) => ReactNode, prefix: string): ReactNode[] {
  return tokens.map((t, i) => {
    const key = `${prefix}${i}`;
    switch (t.kind) {
      case 'text':
        return decorate(t.text, key);
      case 'bold':
        return <strong key={key}>{render(t.children, decorate, `${key}.`)}</strong>;
      case 'italic':
        return <em key={key}>{render(t.children, decorate, `${key}.`)}</em>;
      case 'strike':
        return <s key={key}>{render(t.children, decorate, `${key}.`)}</s>;
      case 'code':
        return <code key={key}>{t.text}</code>;
      case 'link':
        if (t.deepLink) {
          const { conversationId, messageId } = t.deepLink;
          return (
            <a
              key={key}
              href={t.href}
              className="app-link"
              onClick={(e) => {
                e.preventDefault();
                useUi.getState().openAtMessage(conversationId, messageId);
              }}
            >
              {t.text}
            </a>
          );
        }
        return (
          <a key={key} href={t.href} target="_blank" rel="noopener noreferrer">
            {t.text}
          </a>
        );
    }
  });
}

export function FormattedText({ body, decorate }: { body: string; decorate?: (text: string, key: string) => ReactNode }) {
  return <>{render(parseFormatting(body), decorate ?? ((text, key) => <Fragment key={key}>{text}</Fragment>), '')}</>;
}
