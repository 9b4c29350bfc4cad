// An idempotent kafkajs producer that sends one record at a time until its stdin closes, and prints
// "ok <value>" or "fail <value> <error>" for every send. Arguments: bootstrap, topic, value prefix.
const { Kafka, logLevel } = require('kafkajs');
const [bootstrap, topic, prefix] = process.argv.slice(2);
const kafka = new Kafka({ clientId: prefix, brokers: [bootstrap], logLevel: logLevel.NOTHING });
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
let stopping = false;
process.stdin.on('end', () => { stopping = true; });
process.stdin.resume();
(async () => {
  await producer.connect();
  for (let n = 0; !stopping; n++) {
    const value = prefix + ':' + n;
    try {
      await producer.send({ topic, acks: -1, messages: [{ key: value, value }] });
      console.log('ok ' + value);
    } catch (e) {
      console.log('fail ' + value + ' ' + e.name + ': ' + e.message);
    }
    await new Promise(resolve => setTimeout(resolve, 20));
  }
  await producer.disconnect();
  process.exit(0);
})().catch(e => { console.log('fatal ' + e.name + ': ' + e.message); process.exit(2); });
