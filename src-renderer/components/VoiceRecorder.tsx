// Recording a voice note in the composer: microphone button -> timer and level meter -> stop ->
// play back, delete (and record again) or send. Denied or missing microphone: a clear message.
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_VOICE_NOTE_MS } from '../../src-shared/domain';
import { call } from '../bridge/client';
import { describeError } from '../i18n/errors';
import { formatDuration, stageFile } from '../services/attachmentFiles';
import { VoiceRecorder as Recorder } from '../services/voiceRecorder';
import { IconMic, IconSend, IconStop, IconTrash } from './icons';

export function useVoiceRecorder(conversationId: string) {
  const recorder = useMemo(() => new Recorder(), []);
  const state = useSyncExternalStore(
    (l) => recorder.subscribe(l),
    () => recorder.current,
  );
  // Leaving the conversation (or the screen) ends any recording and frees the microphone.
  useEffect(() => () => recorder.discard(), [recorder, conversationId]);
  return { recorder, state };
}

export function VoiceRecorderButton({ recorder, disabled }: { recorder: Recorder; disabled?: boolean }) {
  const { t } = useTranslation();
  const state = useSyncExternalStore(
    (l) => recorder.subscribe(l),
    () => recorder.current,
  );
  if (state.kind !== 'idle') return null;
  return (
    <button
      type="button"
      className="icon-button composer-tool"
      aria-label={t('voice.record')}
      title={t('voice.record')}
      disabled={disabled}
      onClick={() => void recorder.start()}
    >
      <IconMic size={16} />
    </button>
  );
}

/** The recorder's panel above the box while requesting, recording or holding a take. */
export function VoiceRecorderPanel({ recorder, conversationId }: { recorder: Recorder; conversationId: string }) {
  const { t } = useTranslation();
  const state = useSyncExternalStore(
    (l) => recorder.subscribe(l),
    () => recorder.current,
  );
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (state.kind === 'idle')
    return state.error ? (
      <p className="composer-error voice-error" role="alert">
        {t(`voice.${state.error}`)}
      </p>
    ) : null;
  if (state.kind === 'requesting')
    return (
      <div className="voice-panel" role="status">
        <IconMic size={16} />
        <span>{t('voice.requesting')}</span>
      </div>
    );
  if (state.kind === 'recording')
    return (
      <div className="voice-panel voice-recording" aria-label={t('voice.recording')} role="group">
        <span className="voice-dot" aria-hidden="true" />
        <span className="voice-timer" role="timer" aria-label={t('voice.timer')}>
          {formatDuration(state.elapsedMs)}
        </span>
        <meter className="voice-level" min={0} max={1} value={state.level} aria-label={t('voice.level')} />
        <span className="voice-limit">{t('voice.limit', { max: formatDuration(MAX_VOICE_NOTE_MS) })}</span>
        <button type="button" className="button" onClick={() => recorder.stop()}>
          <IconStop size={14} />
          <span>{t('voice.stop')}</span>
        </button>
      </div>
    );

  const send = async () => {
    setSending(true);
    setError(null);
    try {
      const ext = state.mime === 'audio/ogg' ? 'ogg' : 'webm';
      const attachment = await stageFile(state.blob, {
        kind: 'voice',
        durationMs: Math.max(1, state.durationMs),
        name: `voice-note.${ext}`,
      });
      await call('message.send', { conversationId, body: '', attachments: [attachment] });
      recorder.discard();
    } catch (e) {
      setError(describeError(t, e));
    } finally {
      setSending(false);
    }
  };
  return (
    <div
      className="voice-panel voice-recorded"
      role="group"
      aria-label={t('voice.preview', { duration: formatDuration(state.durationMs) })}
    >
      <audio controls src={state.url} aria-label={t('voice.play')} />
      <span className="voice-timer">{formatDuration(state.durationMs)}</span>
      <button
        type="button"
        className="icon-button"
        aria-label={t('voice.delete')}
        title={t('voice.delete')}
        onClick={() => recorder.discard()}
      >
        <IconTrash size={14} />
      </button>
      <button type="button" className="button primary" disabled={sending} onClick={() => void send()}>
        <IconSend />
        <span>{t('voice.send')}</span>
      </button>
      {error && (
        <p className="composer-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
