// The voice recorder: idle -> requesting (asking for the microphone) -> recording -> recorded.
// MediaRecorder with opus in webm; a level from an AnalyserNode; stops by itself at 5:00. The
// microphone's tracks are stopped whenever recording ends, however it ends.
import { MAX_VOICE_NOTE_MS } from '../../src-shared/domain';

export type RecorderState =
  | { kind: 'idle'; error: 'denied' | 'missing' | 'failed' | null }
  | { kind: 'requesting' }
  | { kind: 'recording'; elapsedMs: number; level: number }
  | { kind: 'recorded'; blob: Blob; url: string; durationMs: number; mime: string };

const TICK_MS = 100;

export class VoiceRecorder {
  private state: RecorderState = { kind: 'idle', error: null };
  private readonly listeners = new Set<(s: RecorderState) => void>();
  private stream: MediaStream | null = null;
  private recorder: MediaRecorder | null = null;
  private audio: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private startedAt = 0;
  private chunks: Blob[] = [];
  private generation = 0;

  constructor(private readonly maxMs = MAX_VOICE_NOTE_MS) {}

  get current(): RecorderState {
    return this.state;
  }

  subscribe(listener: (s: RecorderState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(next: RecorderState): void {
    if (this.state.kind === 'recorded' && next.kind !== 'recorded') URL.revokeObjectURL(this.state.url);
    this.state = next;
    for (const l of this.listeners) l(next);
  }

  async start(): Promise<void> {
    if (this.state.kind === 'requesting' || this.state.kind === 'recording') return;
    const generation = ++this.generation;
    this.set({ kind: 'requesting' });
    let stream: MediaStream;
    try {
      if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error('no mediaDevices'), { name: 'NotFoundError' });
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (generation !== this.generation) return;
      this.set({
        kind: 'idle',
        error:
          name === 'NotAllowedError' || name === 'SecurityError'
            ? 'denied'
            : name === 'NotFoundError' || name === 'OverconstrainedError'
              ? 'missing'
              : 'failed',
      });
      return;
    }
    if (generation !== this.generation) {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    this.stream = stream;
    const mime = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm'].find((m) => MediaRecorder.isTypeSupported(m)) ?? '';
    const recorder = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
    this.recorder = recorder;
    this.chunks = [];
    recorder.ondataavailable = (e) => {
      if (e.data.size > 0) this.chunks.push(e.data);
    };
    recorder.onstop = () => {
      if (generation !== this.generation) return;
      const durationMs = Math.min(this.maxMs, Date.now() - this.startedAt);
      const type = (recorder.mimeType || mime || 'audio/webm').split(';')[0]!;
      const blob = new Blob(this.chunks, { type });
      this.release();
      this.set({ kind: 'recorded', blob, url: URL.createObjectURL(blob), durationMs, mime: type });
    };
    let analyser: AnalyserNode | null = null;
    try {
      this.audio = new AudioContext();
      analyser = this.audio.createAnalyser();
      analyser.fftSize = 512;
      this.audio.createMediaStreamSource(stream).connect(analyser);
    } catch {
      analyser = null;
    }
    const samples = new Uint8Array(512);
    this.startedAt = Date.now();
    recorder.start(250);
    this.set({ kind: 'recording', elapsedMs: 0, level: 0 });
    this.timer = setInterval(() => {
      const elapsedMs = Date.now() - this.startedAt;
      if (elapsedMs >= this.maxMs) return this.stop();
      let level = 0;
      if (analyser) {
        analyser.getByteTimeDomainData(samples);
        let sum = 0;
        for (const v of samples) sum += ((v - 128) / 128) ** 2;
        level = Math.min(1, Math.sqrt(sum / samples.length) * 3);
      }
      this.set({ kind: 'recording', elapsedMs, level });
    }, TICK_MS);
  }

  /** Ends the recording (the agent pressed stop, or 5:00 was reached); the take is kept to play back. */
  stop(): void {
    if (this.recorder && this.recorder.state !== 'inactive') this.recorder.stop();
    else this.release();
  }

  /** Throws the take away (or cancels a recording): back to idle. */
  discard(): void {
    this.generation++;
    if (this.recorder && this.recorder.state !== 'inactive') this.recorder.stop();
    this.release();
    this.set({ kind: 'idle', error: null });
  }

  private release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.recorder = null;
    void this.audio?.close().catch(() => undefined);
    this.audio = null;
  }
}
