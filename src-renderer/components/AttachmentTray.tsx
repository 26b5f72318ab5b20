// Attaching files in the composer: a picker button, drag-and-drop and paste, all checked for size and
// type before staging (a clear, translated error otherwise), and the tray of staged files with image
// previews and a remove button each.
import { useCallback, useEffect, useRef, useState, type ClipboardEvent, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ALLOWED_ATTACHMENT_TYPES, MAX_ATTACHMENTS_PER_MESSAGE, type Attachment } from '../../src-shared/domain';
import { IpcError } from '../bridge/client';
import { describeError } from '../i18n/errors';
import { attachmentUrl, formatDuration, formatSize, stageFile } from '../services/attachmentFiles';
import { useStaged, useStagedFor } from '../state/attachments';
import { IconFile, IconMic, IconPaperclip, IconX } from './icons';

/** Staging from the picker, a drop or a paste; errors stay until the next attempt. */
export function useAttachFiles(conversationId: string) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  useEffect(() => setError(null), [conversationId]);

  const attach = useCallback(
    async (files: readonly File[]) => {
      if (files.length === 0) return;
      setError(null);
      setBusy(true);
      try {
        for (const file of files) {
          const count = useStaged.getState().staged[conversationId]?.length ?? 0;
          if (count >= MAX_ATTACHMENTS_PER_MESSAGE) {
            setError(t('attachments.tooMany', { count: MAX_ATTACHMENTS_PER_MESSAGE }));
            break;
          }
          try {
            const kind: Attachment['kind'] = file.type.startsWith('image/') ? 'image' : file.type.startsWith('audio/') ? 'audio' : 'file';
            useStaged.getState().add(conversationId, await stageFile(file, { kind }));
          } catch (e) {
            const named = e instanceof IpcError ? (e.params.name ?? file.name) : file.name;
            setError(`${named}: ${describeError(t, e)}`);
          }
        }
      } finally {
        setBusy(false);
      }
    },
    [conversationId, t],
  );

  const handlers = {
    onDragOver: (e: DragEvent) => {
      if (!e.dataTransfer.types.includes('Files')) return;
      e.preventDefault();
      setDragging(true);
    },
    onDragLeave: (e: DragEvent) => {
      if (!(e.currentTarget as Node).contains(e.relatedTarget as Node | null)) setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      if (e.dataTransfer.files.length === 0) return;
      e.preventDefault();
      setDragging(false);
      void attach([...e.dataTransfer.files]);
    },
    onPaste: (e: ClipboardEvent) => {
      const files = [...e.clipboardData.files];
      if (files.length === 0) return;
      // Pasted text still goes into the box; only files are taken here.
      e.preventDefault();
      void attach(files);
    },
  };
  return { attach, error, busy, dragging, handlers, clearError: () => setError(null) };
}

export function AttachButton({ onFiles, disabled }: { onFiles: (files: File[]) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className="icon-button composer-tool"
        aria-label={t('attachments.attach')}
        title={t('attachments.attach')}
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        <IconPaperclip size={16} />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept={ALLOWED_ATTACHMENT_TYPES.join(',')}
        data-testid="attach-input"
        onChange={(e) => {
          onFiles([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
    </>
  );
}

/** A thumbnail or a chip for one attachment (staged, or in the timeline). */
export function AttachmentPreview({ attachment, onRemove }: { attachment: Attachment; onRemove?: () => void }) {
  const { t } = useTranslation();
  const url = useAttachmentUrl(attachment);
  const remove = onRemove && (
    <button
      type="button"
      className="attachment-remove"
      aria-label={t('attachments.remove', { name: attachment.name })}
      title={t('attachments.remove', { name: attachment.name })}
      onClick={onRemove}
    >
      <IconX />
    </button>
  );
  if (attachment.kind === 'image')
    return (
      <figure className="attachment attachment-image" data-sha256={attachment.sha256}>
        {url.url ? (
          <img src={url.url} alt={t('attachments.image', { name: attachment.name })} />
        ) : (
          <span className="attachment-loading">{url.failed ? t('attachments.unavailable') : t('attachments.loading')}</span>
        )}
        {remove}
      </figure>
    );
  if (attachment.kind === 'voice' || attachment.kind === 'audio')
    return (
      <div className="attachment attachment-audio" data-sha256={attachment.sha256}>
        {attachment.kind === 'voice' ? <IconMic size={14} /> : <IconFile size={14} />}
        {url.url ? (
          <audio
            controls
            preload="metadata"
            src={url.url}
            aria-label={
              attachment.kind === 'voice'
                ? t('attachments.voiceNote', { duration: formatDuration(attachment.durationMs ?? 0) })
                : t('attachments.audio', { name: attachment.name })
            }
          />
        ) : (
          <span className="attachment-loading">{url.failed ? t('attachments.unavailable') : t('attachments.loading')}</span>
        )}
        {attachment.durationMs !== null && <span className="attachment-duration">{formatDuration(attachment.durationMs)}</span>}
        {remove}
      </div>
    );
  return (
    <div className="attachment attachment-file" data-sha256={attachment.sha256}>
      <IconFile size={16} />
      {url.url ? (
        <a href={url.url} download={attachment.name} aria-label={t('attachments.download', { name: attachment.name })}>
          {attachment.name}
        </a>
      ) : (
        <span>{attachment.name}</span>
      )}
      <span className="attachment-size">{formatSize(attachment.size)}</span>
      {remove}
    </div>
  );
}

function useAttachmentUrl(a: Attachment): { url: string | null; failed: boolean } {
  const [state, setState] = useState<{ url: string | null; failed: boolean }>({ url: null, failed: false });
  useEffect(() => {
    let live = true;
    attachmentUrl(a).then(
      (url) => live && setState({ url, failed: false }),
      () => live && setState({ url: null, failed: true }),
    );
    return () => {
      live = false;
    };
  }, [a]);
  return state;
}

export function AttachmentTray({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const staged = useStagedFor(conversationId);
  const remove = useStaged((s) => s.remove);
  if (staged.length === 0) return null;
  return (
    <ul className="attachment-tray" aria-label={t('attachments.tray')}>
      {staged.map((a) => (
        <li key={a.sha256}>
          <AttachmentPreview attachment={a} onRemove={() => remove(conversationId, a.sha256)} />
        </li>
      ))}
    </ul>
  );
}
