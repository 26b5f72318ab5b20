// The fan-out benchmark's reference: a bare `ws` server in its own process (as the sync server is).
// A socket that sends "broadcast <text>" has <text> sent to every other socket.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const text = data.toString();
    if (!text.startsWith('broadcast ')) return;
    const payload = text.slice('broadcast '.length);
    for (const client of wss.clients) if (client !== ws) client.send(payload);
  });
});
wss.on('listening', () => process.stdout.write(`raw broadcast on ws://127.0.0.1:${(wss.address() as { port: number }).port}\n`));
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
