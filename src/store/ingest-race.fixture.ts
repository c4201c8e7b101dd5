// Test fixture: one racer of a cross-process ingest race; ingests one delivery at an agreed instant.
// Usage: node --import tsx ingest-race.fixture.ts STORE DELIVERY_ID — prints "ready", waits for a line on stdin,
// ingests, prints the result as JSON.

import { SqliteStore } from './sqlite-store.js';

const [path, deliveryId] = process.argv.slice(2);
if (!path || !deliveryId) {
  console.error('usage: ingest-race.fixture.ts STORE DELIVERY_ID');
  process.exit(2);
}
const store = new SqliteStore(path);
console.log('ready');
// The test releases every racer at once, when all of them have started.
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.destroy();
const result = await store.ingestDelivery(
  { id: deliveryId, event: 'push', payload: { ref: 'refs/heads/main' }, receivedAt: new Date() },
  { kind: 'release', key: 'acme/connector-x', data: { ref: 'refs/heads/main' } },
);
await store.close();
console.log(JSON.stringify(result));
