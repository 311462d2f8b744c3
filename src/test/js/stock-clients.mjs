// Manual check (not run by CI): gpuward's topics and schema registry as stock Node.js clients see
// them. kafkajs decodes gzip natively and needs a plugin for snappy, lz4 and zstd; a batch it
// cannot decode crashes the consumer for good, and with it every topic of its subscription.
//
//   npm install --no-save kafkajs@2.2.4 @kafkajs/confluent-schema-registry@4.1.0
//   BOOTSTRAP=127.0.0.1:9092 REGISTRY=http://127.0.0.1:8081 node src/test/js/stock-clients.mjs [prefix]
//
// Exits 0 when every gpuward topic with records was read and decoded through the registry, and a
// new subject registered with FULL compatibility (which needs GET /config/{subject} to answer
// 40408 for a subject without its own level, as Confluent's registry does).
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistry, COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';

const bootstrap = process.env.BOOTSTRAP ?? '127.0.0.1:9092';
const registryUrl = process.env.REGISTRY ?? 'http://127.0.0.1:8081';
const prefix = process.argv[2] ?? '';
const registry = new SchemaRegistry({ host: registryUrl });
const kafka = new Kafka({ clientId: 'gpuward-stock-check', brokers: [bootstrap], logLevel: logLevel.NOTHING });

async function checkRegistry() {
  const subject = `stock-check-${Date.now()}-value`;
  const schema = JSON.stringify({
    type: 'record', name: 'StockCheck', namespace: 'io.gpuward.check',
    fields: [{ name: 'node', type: 'string' }],
  });
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema }, { subject, compatibility: COMPATIBILITY.FULL });
  // A second registration reads the subject's level back and must find FULL.
  await registry.register({ type: SchemaType.AVRO, schema }, { subject, compatibility: COMPATIBILITY.FULL });
  const encoded = await registry.encode(id, { node: 'p5-train-0' });
  const decoded = await registry.decode(encoded);
  if (decoded.node !== 'p5-train-0') throw new Error(`round trip gave ${JSON.stringify(decoded)}`);
  console.log(`registry: registered ${subject} id ${id} with FULL, encode/decode ok`);
}

async function checkTopics() {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = {};
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}gpuward.`));
  for (const t of topics) {
    const ends = await admin.fetchTopicOffsets(t);
    offsets[t] = ends.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  }
  await admin.disconnect();
  const withRecords = topics.filter((t) => offsets[t] > 0);
  const seen = Object.fromEntries(withRecords.map((t) => [t, 0]));
  const consumer = kafka.consumer({ groupId: `gpuward-stock-check-${Date.now()}` });
  let failure = null;
  let lastError = null;
  // kafkajs restarts the consumer after a retriable error (a coordinator still loading); only a
  // crash it gives up on is a failure, the last error says why records were short otherwise.
  consumer.on(consumer.events.CRASH, (e) => {
    lastError = e.payload.error;
    if (!e.payload.restart) failure = e.payload.error;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: withRecords, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      await registry.decode(message.value);
      seen[topic] += 1;
    },
  });
  const deadline = Date.now() + 30_000;
  while (!failure && Date.now() < deadline && withRecords.some((t) => seen[t] < offsets[t])) {
    await new Promise((r) => setTimeout(r, 200));
  }
  await consumer.disconnect();
  for (const t of withRecords) console.log(`topic ${t}: ${seen[t]} of ${offsets[t]} records decoded`);
  if (failure) throw new Error(`consumer failed: ${failure.message}`);
  const short = withRecords.filter((t) => seen[t] < offsets[t]);
  if (short.length) {
    const why = lastError ? ` (last error: ${lastError.message})` : '';
    throw new Error(`not all records read from ${short.join(', ')}${why}`);
  }
  if (!withRecords.length) throw new Error(`no ${prefix}gpuward.* topic has records`);
}

try {
  await checkRegistry();
  await checkTopics();
  console.log('ok: every topic read and decoded by stock kafkajs');
} catch (e) {
  console.error(`FAILED: ${e.message}`);
  process.exit(1);
}
