// kpg compatibility scenarios for kafkactl (a Sarama-based CLI). compat/install.sh tries
// `go install github.com/deviceinsight/kafkactl/v5@latest` into the cache; where the Go module
// proxy refuses it, every scenario reports n/a.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fail, NA, run } from './common.mjs';
import { exec, must } from './proc.mjs';

const CACHE = process.env.KPG_CACHE ?? join(homedir(), '.cache', 'kpg');
const BIN = process.env.KAFKACTL ?? join(CACHE, 'go', 'bin', 'kafkactl');
const installed = existsSync(BIN);
let version = 'kafkactl (not installed)';
if (installed) version = `kafkactl ${(await exec(BIN, ['version'])).stdout.trim().split('\n')[0]}`;

function configFile(a) {
  const dir = mkdtempSync(join(tmpdir(), 'kpg-kafkactl-'));
  const f = join(dir, 'config.yml');
  writeFileSync(f, `contexts:\n  compat:\n    brokers:\n      - ${a.bootstrap}\ncurrent-context: compat\n`);
  return f;
}

const ctl = (step, a, argv) => must(step, BIN, ['--config-file', configFile(a), ...argv], { timeoutMs: 60000 });

async function metadata(a) {
  if (!installed) throw new NA('kafkactl is not installable here (the Go module proxy refuses github.com/deviceinsight/kafkactl); Sarama is covered by the sarama client');
  const out = (await ctl('kafkactl get topics', a, ['get', 'topics', '-o', 'json'])).stdout;
  const topics = JSON.parse(out).map((t) => t.name ?? t.Name);
  if (!topics.includes(a.topic)) throw new Fail(`topic ${a.topic} not listed (${topics.length} topics)`);
  const brokers = (await ctl('kafkactl get brokers', a, ['get', 'brokers'])).stdout.trim().split('\n').slice(1).filter(Boolean);
  if (!brokers.length) throw new Fail('no brokers');
  return `kafkactl get brokers: ${brokers.length}; get topics: ${topics.length} incl. ${a.topic}`;
}

const notYet = async () => {
  if (!installed) throw new NA('kafkactl is not installable here (the Go module proxy refuses it)');
  throw new NA('not written yet for kafkactl');
};
await run({ metadata, 'topic-admin': notYet, 'produce-consume': notYet, 'group-resume': notYet, 'list-offsets': notYet, 'describe-configs': notYet, bulk: notYet, 'crash-retry': notYet }, version);
