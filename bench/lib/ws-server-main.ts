// The test chat server (test/fixtures/ws-chat-server.ts) as its own process, for benchmarks that pin it to a
// core apart from the generator. Usage: node dist/bench/lib/ws-server-main.js -> prints "listening PORT"
import { startChatServer } from '../../test/fixtures/ws-chat-server.js';

const server = await startChatServer();
console.log(`listening ${server.port}`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
