// Writes assets/notification.wav: Bandeja's own notification chime (two soft sine notes, E5 then A5,
// 0.4 s, mono 16-bit 22.05 kHz). Made here from numbers, so it is ours to ship (CC0).
//   node assets/make-notification-sound.mjs
import { writeFileSync } from 'node:fs';

const RATE = 22050;
const notes = [
  { hz: 659.25, start: 0, length: 0.22 },
  { hz: 880, start: 0.12, length: 0.28 },
];
const total = Math.ceil(RATE * 0.4);
const samples = new Float64Array(total);
for (const n of notes) {
  const from = Math.floor(n.start * RATE);
  const count = Math.floor(n.length * RATE);
  for (let i = 0; i < count && from + i < total; i++) {
    const t = i / RATE;
    // A quick attack and an exponential fade, with a little of the octave for a bell-like colour.
    const envelope = Math.min(1, t / 0.006) * Math.exp(-t * 14);
    samples[from + i] += envelope * (0.8 * Math.sin(2 * Math.PI * n.hz * t) + 0.2 * Math.sin(4 * Math.PI * n.hz * t));
  }
}
const data = Buffer.alloc(total * 2);
for (let i = 0; i < total; i++) data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, samples[i] * 0.45)) * 32767), i * 2);
const header = Buffer.alloc(44);
header.write('RIFF', 0);
header.writeUInt32LE(36 + data.length, 4);
header.write('WAVE', 8);
header.write('fmt ', 12);
header.writeUInt32LE(16, 16);
header.writeUInt16LE(1, 20); // PCM
header.writeUInt16LE(1, 22); // mono
header.writeUInt32LE(RATE, 24);
header.writeUInt32LE(RATE * 2, 28);
header.writeUInt16LE(2, 32);
header.writeUInt16LE(16, 34);
header.write('data', 36);
header.writeUInt32LE(data.length, 40);
writeFileSync(new URL('./notification.wav', import.meta.url), Buffer.concat([header, data]));
console.log(`wrote assets/notification.wav (${header.length + data.length} bytes)`);
