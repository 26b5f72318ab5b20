import { BandejaError } from '../../src-shared/errors';
import { SNIFF_BYTES, sniffMime } from '../../src-shared/rules/fileType';
import type { Core } from '../core';
import type { AreaHandlers } from './handlers';

export function attachmentHandlers(core: Core): AreaHandlers<'attachment.'> {
  return {
    'attachment.stage': ({ name, mime, dataBase64, kind, durationMs }) => {
      const bytes = Buffer.from(dataBase64, 'base64');
      // Buffer.from ignores what is not base64; a length that does not round-trip was not base64.
      if (bytes.toString('base64').replace(/=+$/, '') !== dataBase64.replace(/=+$/, ''))
        throw new BandejaError('INVALID_ARGS', 'The file could not be read.');
      return core.stageAttachment({ name, mime, bytes, kind, durationMs });
    },
    'attachment.read': async ({ sha256 }) => {
      const bytes = await core.readAttachment(sha256);
      return { mime: sniffMime(bytes.subarray(0, SNIFF_BYTES), '') ?? 'application/octet-stream', dataBase64: bytes.toString('base64') };
    },
  };
}
