// WhatsApp plays a voice note (voice: true) only from Ogg/Opus; Chromium records Opus in WebM. The Opus
// packets are the same in both, so the file is remuxed (mediabunny copies the packets, nothing is
// re-encoded). An Ogg file goes as it is; anything else, or a WebM that cannot be remuxed, goes as an
// ordinary audio file.
import { ALL_FORMATS, BufferSource, BufferTarget, Conversion, Input, OggOutputFormat, Output } from 'mediabunny';

export async function webmToOgg(webm: Buffer): Promise<Buffer> {
  const input = new Input({ source: new BufferSource(webm), formats: ALL_FORMATS });
  const output = new Output({ format: new OggOutputFormat(), target: new BufferTarget() });
  const conversion = await Conversion.init({ input, output });
  if (!conversion.isValid)
    throw new Error(`Cannot remux to Ogg: ${conversion.discardedTracks.map((t) => t.reason).join(', ') || 'no track'}`);
  await conversion.execute();
  const buffer = output.target.buffer;
  if (!buffer) throw new Error('The Ogg file came out empty.');
  return Buffer.from(buffer);
}

export async function voiceNoteForWhatsApp(bytes: Buffer, mime: string): Promise<{ bytes: Buffer; mime: string; voice: boolean }> {
  if (mime === 'audio/ogg') return { bytes, mime, voice: true };
  if (mime === 'audio/webm') {
    try {
      return { bytes: await webmToOgg(bytes), mime: 'audio/ogg', voice: true };
    } catch {
      // Sent as a file: WhatsApp refuses WebM, and the message then fails with WhatsApp's own reason.
    }
  }
  return { bytes, mime, voice: false };
}
