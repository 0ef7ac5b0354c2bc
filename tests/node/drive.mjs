// Drives the official HubSpot Node SDK (@hubspot/api-client, pinned in package.json) against the mock.
// Usage: node drive.mjs <baseUrl> <scenario> ['{"json":"params"}']
// Prints ONE JSON line: {"scenario", "sdkVersion", "calls": [{call, ok, status, error, body, wire}, ...]}.
import { readFileSync } from 'node:fs';
import { Client } from '@hubspot/api-client';

const [baseUrl, scenario, rawParams] = process.argv.slice(2);
const p = {
  token: 'pat-na1-node',
  accountId: 'acct-1',
  eventId: 'node-1',
  email: 'Node.Person@Example.com',
  vid: 2 ** 31 + 12345, // a contact the test seeds
  when: 1767225600000, // interactionDateTime, epoch ms
  retries: 0,
  ...JSON.parse(rawParams || '{}'),
};
const sdkVersion = JSON.parse(
  readFileSync(new URL('./node_modules/@hubspot/api-client/package.json', import.meta.url)),
).version;

// What actually came over the wire for the current call (one entry per attempt), seen by a response middleware:
// the SDK's own error may carry no status at all (e.g. a 204 without Content-Type throws a plain Error).
// It is passed per call with 'replace': in 13.5.0 middleware given to `new Client({middleware})` is never run
// (nor are defaultHeaders / the SDK's User-Agent) unless call-time options are passed, so 'replace' keeps the
// request exactly as a plain call sends it.
let wire = [];
const callOptions = {
  middlewareMergeStrategy: 'replace',
  middleware: [{
    pre: async (ctx) => ctx,
    post: async (ctx) => (wire.push({ status: ctx.httpStatusCode, contentType: ctx.headers['content-type'] ?? null }), ctx),
  }],
};
const events = (token = p.token) =>
  new Client({ accessToken: token, basePath: baseUrl, numberOfApiCallRetries: p.retries }).marketing.events;

const calls = [];
// `api.method(...)` is `api.methodWithHttpInfo(...)` minus the status: same request, same response processor.
// Calling the WithHttpInfo twin lets a success record its HTTP status too.
async function record(call, api, method, ...args) {
  wire = [];
  try {
    const info = await api[`${method}WithHttpInfo`](...args, callOptions);
    calls.push({ call, ok: true, status: info.httpStatusCode, error: null, body: info.data ?? null, wire });
    return info.data;
  } catch (e) {
    // ApiException carries `code` (HTTP status) and `body`; other errors (e.g. "No Content-Type") carry neither.
    const status = e?.code ?? e?.status ?? e?.response?.status ?? null;
    calls.push({
      call,
      ok: false,
      status: typeof status === 'number' ? status : null,
      error: { name: e?.constructor?.name ?? 'Error', message: String(e?.message ?? e) },
      body: e?.body ?? null,
      wire,
    });
    return undefined;
  }
}

const scenarios = {
  async 'round-trip'() {
    const ev = events();
    const upserted = await record('batchApi.upsert', ev.batchApi, 'upsert', {
      inputs: [{
        externalAccountId: p.accountId,
        externalEventId: p.eventId,
        eventName: 'Node launch webinar',
        eventOrganizer: 'Acme',
        eventType: 'WEBINAR',
        startDateTime: new Date('2026-12-01T15:00:00Z'), // the SDK serializes Date objects to ISO strings
        endDateTime: new Date('2026-12-01T16:00:00Z'),
        customProperties: [],
      }],
    });
    const objectId = upserted?.results?.[0]?.objectId ?? p.objectId;
    const byEmail = await record('addEventAttendeesApi.recordByEmail', ev.addEventAttendeesApi, 'recordByEmail',
      objectId, 'register',
      { inputs: [{ email: p.email, interactionDateTime: p.when, properties: {}, contactProperties: { firstname: 'Node' } }] });
    const createdVid = byEmail?.results?.[0]?.vid ?? p.vid;
    await record('addEventAttendeesApi.recordByContactIds', ev.addEventAttendeesApi, 'recordByContactIds',
      p.eventId, 'attend',
      { inputs: [{ vid: p.vid, interactionDateTime: p.when + 1000,
                   properties: { joinedAt: '2026-12-01T15:00:00Z', leftAt: '2026-12-01T15:40:00Z' } }] },
      p.accountId);
    await record('subscriberStateChangesApi.upsertByContactId', ev.subscriberStateChangesApi, 'upsertByContactId',
      p.eventId, 'cancel', p.accountId, { inputs: [{ vid: createdVid, interactionDateTime: p.when + 2000, properties: {} }] });
    await record('retrieveParticipantStateApi.getParticipationsCountersByMarketingEventId', ev.retrieveParticipantStateApi,
      'getParticipationsCountersByMarketingEventId', Number(objectId));
  },
  // One upsert, for the retry tests: the Python side arms faults and counts the attempts in the journal.
  async upsert() {
    await record('batchApi.upsert', events().batchApi, 'upsert', { inputs: [{
      externalAccountId: p.accountId, externalEventId: p.eventId, eventName: 'Retried', eventOrganizer: 'Acme', customProperties: [],
    }] });
  },
  async errors() {
    const ev = events();
    await record('basicApi.getByObjectId', ev.basicApi, 'getByObjectId', p.unknownObjectId ?? '999999');
    await record('addEventAttendeesApi.recordByEmail', ev.addEventAttendeesApi, 'recordByEmail',
      p.objectId ?? '1', 'REGISTERED', { inputs: [] });
    await record('basicApi.getByObjectId(bad token)', events('Bearer x').basicApi, 'getByObjectId', p.objectId ?? '1');
  },
};

if (!scenarios[scenario]) {
  console.error(`unknown scenario ${scenario}; known: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
await scenarios[scenario]();
process.stdout.write(JSON.stringify({ scenario, sdkVersion, calls }) + '\n');
