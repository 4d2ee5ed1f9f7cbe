// Drives one official Node.js client against a live Factum server and prints what it saw as one
// JSON line; NodeClientsTest asserts it. Usage: node check.js <package> <connection string> <stream>
'use strict';
const [pkg, connection, stream] = process.argv.slice(2);
const lib = require(pkg);
const Client = lib.KurrentDBClient || lib.EventStoreDBClient;
const { jsonEvent, FORWARDS, BACKWARDS, START, END, NO_STREAM } = lib;

// The expectation under both names: @kurrent/kurrentdb-client calls it streamState and ignores
// expectedRevision (appending as "any"); @eventstore/db-client calls it expectedRevision.
function expecting(state) {
  return { streamState: state, expectedRevision: state };
}

async function collect(iterable, pick) {
  const out = [];
  for await (const resolved of iterable) {
    if (resolved.event) {
      out.push(pick(resolved.event));
    }
  }
  return out;
}

async function main() {
  const client = Client.connectionString(connection);
  try {
    const ids = [];
    const batch = [1, 2, 3].map((i) => {
      const e = jsonEvent({ type: 'NodeEvent', data: { i }, metadata: { $correlationId: 'node' } });
      ids.push(e.id);
      return e;
    });
    const appended = await client.appendToStream(stream, batch, expecting(NO_STREAM));
    // The same events again at the same place: an idempotent retry, nothing is written twice.
    const retried = await client.appendToStream(stream, batch, expecting(NO_STREAM));

    // Catch-up then live: three stored events, then one appended while subscribed.
    const subscription = client.subscribeToStream(stream, { fromRevision: START });
    const live = client.appendToStream(stream, jsonEvent({ type: 'NodeEvent', data: { i: 4 } }), expecting(BigInt(2)));
    const subscribed = [];
    for await (const resolved of subscription) {
      subscribed.push(Number(resolved.event.revision));
      if (subscribed.length === 4) {
        break;
      }
    }
    await subscription.unsubscribe();
    await live;

    let conflict = null;
    try {
      const late = await client.appendToStream(stream, jsonEvent({ type: 'Late', data: {} }), expecting(NO_STREAM));
      conflict = { name: 'none', success: late.success, next: String(late.nextExpectedRevision) };
    } catch (e) {
      conflict = { name: e.constructor.name, actual: String(e.actualVersion ?? e.actualRevision ?? e.actualState) };
    }

    const forwards = await collect(
      client.readStream(stream, { direction: FORWARDS, fromRevision: START }),
      (e) => ({ id: e.id, type: e.type, revision: Number(e.revision), i: e.data.i, correlation: (e.metadata || {}).$correlationId ?? null }));
    const backwards = await collect(
      client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 2 }),
      (e) => Number(e.revision));
    const all = await collect(
      client.readAll({ direction: FORWARDS, fromPosition: START, maxCount: 100000 }),
      (e) => ({ stream: e.streamId, revision: Number(e.revision), commit: String(e.position.commit) }));

    console.log(JSON.stringify({
      appended: { success: appended.success, next: String(appended.nextExpectedRevision) },
      retried: { success: retried.success, next: String(retried.nextExpectedRevision) },
      ids,
      forwards,
      backwards,
      all: all.filter((e) => e.stream === stream),
      subscribed,
      conflict,
    }));
  } finally {
    await client.dispose();
  }
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
