/**
 * The web console in Debian's chromium against a real gateway, with kafkajs on the Kafka side: what a
 * user sees and does on the pages, checked through the pages and through a Kafka client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Gateway } from '../../src/gateway.js';
import type { TestDatabase } from '../support/database.js';
import { Kafka, kafkaClient, logLevel, type Producer } from '../support/kafkajs.js';
import { createTopic } from '../support/gateway.js';
import { SECURED_CONSOLE_USERS, startSecuredConsoleGateway } from '../console/secured-console.js';
import { realClientAvailable } from '../support/real-clients.js';
import { chromiumMissing, launchChromium, screenshotPath, startConsoleGateway, type ConsoleGateway } from './support.js';

const usable = realClientAvailable('Debian chromium', chromiumMissing(), import.meta.url);
const TOPIC = 'console.orders';
const GROUP = 'console-billing';

/** Reads the first record a new member of `groupId` gets from `topic`, then leaves the group. */
async function firstRecordRead(bootstrap: string, groupId: string, topic: string, fromBeginning = true) {
  const consumer = kafkaClient(bootstrap, 'console-test-reader').consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning });
  try {
    return await new Promise<{ offset: string; key: string | null; value: string | null; headers: Record<string, string> }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no record read from ${topic} by ${groupId} within 20 s`)), 20_000);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
          resolve({ offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers });
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

describe.skipIf(!usable)('web console in chromium', () => {
  let cluster: ConsoleGateway;
  let browser: Browser;
  let page: Page;
  let producer: Producer;

  beforeAll(async () => {
    cluster = await startConsoleGateway();
    await createTopic(cluster.gateway, TOPIC, 2);
    producer = kafkaClient(cluster.bootstrap, 'console-test-writer').producer();
    await producer.connect();
    // Twenty keyed records to browse and search: order-0 .. order-19.
    await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: Array.from({ length: 20 }, (_, i) => ({ key: `order-${i}`, value: JSON.stringify({ order: i, status: i % 2 ? 'paid' : 'open' }), partition: i % 2 })),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await browser?.close();
    await producer?.disconnect();
    await cluster?.stop();
  });

  it('shows the cluster overview with this gateway', async () => {
    await page.goto(`${cluster.consoleUrl}/#/`);
    await page.getByRole('heading', { level: 1, name: 'Cluster' }).waitFor();
    const gateways = page.getByRole('table', { name: 'Gateways' });
    await expect(gateways.getByRole('cell', { name: String(cluster.gateway.nodeId), exact: false }).first().textContent()).resolves.toContain(String(cluster.gateway.nodeId));
    await expect(gateways.textContent()).resolves.toContain(`127.0.0.1:${cluster.gateway.port}`);
    await expect(gateways.textContent()).resolves.toContain('alive');
    await page.screenshot({ path: screenshotPath('cluster'), fullPage: true });
  });

  it('lists the topic on the topics page, and the filter hides what does not match', async () => {
    await page.goto(`${cluster.consoleUrl}/#/topics`);
    const link = page.getByRole('link', { name: TOPIC });
    await link.waitFor();
    const row = page.getByRole('row').filter({ has: link });
    // 2 partitions, 20 records.
    await expect(row.getByRole('cell').nth(1).textContent()).resolves.toBe('2');
    await expect(row.getByRole('cell').nth(2).textContent()).resolves.toBe('20');
    await page.screenshot({ path: screenshotPath('topics'), fullPage: true });
    await page.getByLabel('Filter topics').fill('no-such-topic');
    await expect(link.count()).resolves.toBe(0);
    await page.getByLabel('Filter topics').fill('orders');
    await expect(link.count()).resolves.toBe(1);
  });

  it('reaches the topic page with the keyboard alone', async () => {
    await page.goto(`${cluster.consoleUrl}/#/`);
    await page.getByRole('heading', { level: 1, name: 'Cluster' }).waitFor();
    // Tab until the "Topics" link of the navigation has focus, then Enter.
    await tabUntil(page, (el) => el.tag === 'A' && el.text === 'Topics');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Topics' }).waitFor();
    // Type into the filter, then tab on to the topic's link and follow it.
    await tabUntil(page, (el) => el.tag === 'INPUT' && el.name === 'filter');
    await page.keyboard.type('orders');
    await tabUntil(page, (el) => el.tag === 'A' && el.text === TOPIC);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: `Topic ${TOPIC}` }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/topics/${TOPIC}`);
    // Focus moved to the new page's heading, so the next Tab goes on from there.
    await expect(page.evaluate('document.activeElement.tagName')).resolves.toBe('H1');
  });

  it('labels every control on every page', async () => {
    // Controls whose accessible name would be empty: no <label>, no aria-label.
    const unlabelled = `[...document.querySelectorAll('input, select, textarea, button')]
      .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.tagName === 'BUTTON' && e.textContent.trim()))
      .map((e) => e.outerHTML)`;
    for (const [hash, heading] of [['#/', 'Cluster'], ['#/topics', 'Topics'], ['#/groups', 'Consumer groups'], [`#/topics/${TOPIC}`, `Topic ${TOPIC}`]]) {
      await page.goto(`${cluster.consoleUrl}/${hash}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await expect(page.evaluate(unlabelled), hash).resolves.toEqual([]);
    }
    // The topic page (the last one) has its controls to check: not an empty page passing.
    await expect(page.locator('input, select, textarea').count()).resolves.toBeGreaterThan(10);
  });

  it('shows a record produced by kafkajs in the live tail within a second', async () => {
    await page.goto(`${cluster.consoleUrl}/#/topics/${TOPIC}`);
    await page.getByRole('heading', { level: 1, name: `Topic ${TOPIC}` }).waitFor();
    await page.getByLabel('Live tail').check();
    await page.getByText('Live tail on').waitFor();
    const value = `tail-${Date.now()}`;
    const started = performance.now();
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: 'tailed', value, partition: 1 }] });
    await page.locator('table.messages tbody tr').first().filter({ hasText: value }).waitFor({ timeout: 5_000 });
    const elapsed = performance.now() - started;
    expect(elapsed, `the tail showed the record ${elapsed.toFixed(0)} ms after the send began`).toBeLessThan(1_000);
    await expect(page.getByRole('status').filter({ hasText: 'Live tail: 1 new message' }).count()).resolves.toBe(1);
    await page.screenshot({ path: screenshotPath('topic'), fullPage: true });
    await page.getByLabel('Live tail').uncheck();
  });

  it('finds a record by its key', async () => {
    await page.goto(`${cluster.consoleUrl}/#/topics/${TOPIC}`);
    await page.getByRole('heading', { level: 1, name: `Topic ${TOPIC}` }).waitFor();
    const key = page.getByLabel('Key', { exact: true });
    await key.fill('order-7');
    await key.press('Enter');
    const rows = page.locator('table.messages tbody tr');
    await page.locator('table.messages tbody tr').first().filter({ hasText: 'order-7' }).waitFor();
    await expect(rows.count()).resolves.toBe(1);
    // order-7 went to partition 1 at offset 3 (the odd orders, in order).
    await expect(rows.first().getAttribute('data-partition')).resolves.toBe('1');
    await expect(rows.first().getAttribute('data-offset')).resolves.toBe('3');
    await expect(rows.first().textContent()).resolves.toContain('"order":7');
  });

  it('searches by time range, by header and by JSON path', async () => {
    const searchTopic = 'console.search';
    await createTopic(cluster.gateway, searchTopic, 1);
    await producer.send({
      topic: searchTopic,
      acks: -1,
      messages: [
        { key: 'jan', value: '{"city":{"name":"Oslo"}}', timestamp: String(Date.UTC(2026, 0, 1)), headers: { region: 'north' } },
        { key: 'feb', value: '{"city":{"name":"Rome"}}', timestamp: String(Date.UTC(2026, 1, 1)), headers: { region: 'south' } },
        { key: 'mar', value: '{"city":{"name":"Oslo"}}', timestamp: String(Date.UTC(2026, 2, 1)), headers: { region: 'south' } },
        { key: 'apr', value: 'not json', timestamp: String(Date.UTC(2026, 3, 1)) },
      ],
    });
    await page.goto(`${cluster.consoleUrl}/#/topics/${searchTopic}`);
    await page.getByRole('heading', { level: 1, name: `Topic ${searchTopic}` }).waitFor();
    const form = page.getByRole('search', { name: 'Search messages' });
    const keys = () => page.locator('table.messages tbody tr td:nth-child(4)').allTextContents();
    const searchFor = async (expected: string[]) => {
      await form.getByRole('button', { name: 'Search' }).click();
      await expect.poll(keys, { timeout: 5_000 }).toEqual(expected);
    };
    await expect.poll(keys, { timeout: 5_000 }).toEqual(['apr', 'mar', 'feb', 'jan']);

    await form.getByLabel('From (local time)').fill('2026-01-15T00:00:00');
    await form.getByLabel('To (local time)').fill('2026-03-15T00:00:00');
    await searchFor(['mar', 'feb']);
    await form.getByLabel('From (local time)').fill('');
    await form.getByLabel('To (local time)').fill('');

    // (A different answer from the step before, so a stale table cannot pass.)
    await form.getByLabel('Header').fill('region:north');
    await searchFor(['jan']);
    await form.getByLabel('Header').fill('');

    await form.getByLabel('JSON path').fill('$.city.name');
    await form.getByLabel('JSON value').fill('Oslo');
    await searchFor(['mar', 'jan']);
    // Oldest first turns the same search around.
    await form.getByLabel('Order').selectOption('forward');
    await searchFor(['jan', 'mar']);
  });

  it('pages through a partition 50 messages at a time, newest first', async () => {
    const pagedTopic = 'console.paged';
    await createTopic(cluster.gateway, pagedTopic, 1);
    await producer.send({ topic: pagedTopic, acks: -1, messages: Array.from({ length: 120 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await page.goto(`${cluster.consoleUrl}/#/topics/${pagedTopic}`);
    await page.getByRole('heading', { level: 1, name: `Topic ${pagedTopic}` }).waitFor();
    const rows = page.locator('table.messages tbody tr');
    const offsets = async () => (await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-offset'))));
    const pageStartingAt = (offset: number) => page.locator(`table.messages tbody tr:first-child[data-offset="${offset}"]`).waitFor();
    await pageStartingAt(119);
    await expect(offsets()).resolves.toEqual(Array.from({ length: 50 }, (_, i) => String(119 - i)));
    await page.getByRole('button', { name: 'Older page' }).click();
    await pageStartingAt(69);
    await expect(rows.count()).resolves.toBe(50);
    await page.getByRole('button', { name: 'Older page' }).click();
    await pageStartingAt(19);
    await expect(offsets()).resolves.toEqual(Array.from({ length: 20 }, (_, i) => String(19 - i)));
    await page.getByRole('button', { name: 'Newer page' }).click();
    await pageStartingAt(69);
    await page.getByRole('button', { name: 'Newer page' }).click();
    await pageStartingAt(119);
    await expect(page.getByRole('button', { name: 'Newer page' }).isDisabled()).resolves.toBe(true);
  });

  it('edits one config value in place, which a kafkajs admin then describes', async () => {
    await page.goto(`${cluster.consoleUrl}/#/topics/${TOPIC}`);
    await page.getByRole('heading', { level: 1, name: `Topic ${TOPIC}` }).waitFor();
    await page.getByRole('button', { name: 'Edit retention.ms' }).click();
    const input = page.getByLabel('New value of retention.ms');
    await input.fill('3600000');
    await input.press('Enter');
    await page.getByText('Saved retention.ms.').waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'retention.ms', exact: true }) });
    await expect(row.getByRole('cell').nth(1).textContent()).resolves.toBe('3600000');
    await expect(row.getByRole('cell').nth(2).textContent()).resolves.toBe('DYNAMIC_TOPIC_CONFIG');
    const admin = kafkaClient(cluster.bootstrap, 'console-test-admin').admin();
    await admin.connect();
    try {
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: TOPIC, configNames: ['retention.ms'] }] });
      expect(described.resources[0].configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe('3600000');
    } finally {
      await admin.disconnect();
    }
    // An invalid value is refused with Kafka's error code, shown on the page.
    await page.getByRole('button', { name: 'Edit retention.ms' }).click();
    await page.getByLabel('New value of retention.ms').fill('soon');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'INVALID_CONFIG' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    // Reset deletes the topic's own value: the default is back.
    await page.getByRole('button', { name: 'Reset retention.ms to its default' }).click();
    await page.getByText('Saved retention.ms.').waitFor();
    await expect(row.getByRole('cell').nth(1).textContent()).resolves.toBe('604800000');
    await expect(row.getByRole('cell').nth(2).textContent()).resolves.toBe('DEFAULT_CONFIG');
  });

  it('produces through the form a record that a kafkajs consumer reads', async () => {
    const produceTopic = 'console.produced';
    await createTopic(cluster.gateway, produceTopic, 1);
    await page.goto(`${cluster.consoleUrl}/#/topics/${produceTopic}`);
    await page.getByRole('heading', { level: 1, name: `Topic ${produceTopic}` }).waitFor();
    const form = page.getByRole('form', { name: 'Produce a message' });
    await form.getByLabel('Key (empty for none)').fill('from-the-form');
    await form.getByLabel('Value').fill('{"made":"in the browser"}');
    await form.getByLabel('Headers').fill('origin: console\ntrace: 42');
    await form.getByRole('button', { name: 'Produce' }).click();
    await form.getByText('Produced to partition 0 at offset 0.').waitFor();
    const read = await firstRecordRead(cluster.bootstrap, 'console-form-reader', produceTopic);
    expect(read).toEqual({ offset: '0', key: 'from-the-form', value: '{"made":"in the browser"}', headers: { origin: 'console', trace: '42' } });
  });

  it('shows a running consumer\'s membership and assignment, and refuses a reset while it is a member', async () => {
    const busyGroup = 'console-busy';
    const consumer = kafkaClient(cluster.bootstrap, 'console-busy-member').consumer({ groupId: busyGroup, sessionTimeout: 10_000, heartbeatInterval: 500 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await new Promise<void>((resolve) => {
        void consumer.run({ eachMessage: async () => resolve() });
      });
      await page.goto(`${cluster.consoleUrl}/#/groups/${busyGroup}`);
      await page.getByRole('heading', { level: 1, name: `Group ${busyGroup}` }).waitFor();
      const member = page.getByRole('table', { name: 'Members' }).getByRole('row').filter({ hasText: 'console-busy-member' });
      await expect(member.getByRole('cell').nth(3).textContent()).resolves.toBe(`${TOPIC}: 0, 1`);
      const form = page.getByRole('form', { name: 'Reset offsets' });
      await form.getByRole('button', { name: 'Preview reset' }).click();
      await form.getByRole('alert').filter({ hasText: 'NON_EMPTY_GROUP' }).waitFor();
    } finally {
      await consumer.disconnect();
    }
  });

  it('resets a group\'s offsets through the form, which changes what a kafkajs consumer reads next', async () => {
    // The group has committed offsets and no members (a reset needs an empty group).
    const admin = kafkaClient(cluster.bootstrap, 'console-test-admin').admin();
    await admin.connect();
    try {
      // Partition 0 read up to offset 10 (all its records), partition 1 read to its end.
      const ends = await admin.fetchTopicOffsets(TOPIC);
      const end1 = ends.find((p) => p.partition === 1)!.high;
      await admin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: [{ partition: 0, offset: '10' }, { partition: 1, offset: end1 }] });
      await page.goto(`${cluster.consoleUrl}/#/groups`);
      await page.getByRole('link', { name: GROUP }).click();
      await page.getByRole('heading', { level: 1, name: `Group ${GROUP}` }).waitFor();
      await page.screenshot({ path: screenshotPath('group'), fullPage: true });
      const form = page.getByRole('form', { name: 'Reset offsets' });
      // Partitions belong to a topic: naming them without one is refused on the page.
      await form.getByLabel('Partitions').fill('0');
      await form.getByRole('button', { name: 'Preview reset' }).click();
      await form.getByRole('alert').filter({ hasText: 'Choose a topic to name its partitions.' }).waitFor();
      await form.getByLabel('Topic').selectOption(TOPIC);
      await form.getByLabel('Reset to').selectOption('offset');
      await form.getByLabel('Offset', { exact: true }).fill('4');
      await form.getByLabel('Partitions').fill('0');

      // A dry run shows the new offset and commits nothing.
      await form.getByRole('button', { name: 'Preview reset' }).click();
      await form.getByText('Dry run: these offsets would be committed').waitFor();
      await expect(form.getByRole('table', { name: 'Offsets after the reset' }).getByRole('row').nth(1).textContent()).resolves.toBe(`${TOPIC}04`);
      await expect(committed(admin)).resolves.toEqual({ 0: '10', 1: end1 });

      await form.getByLabel('Dry run').uncheck();
      await form.getByRole('button', { name: 'Reset offsets' }).click();
      await form.getByText('Offsets reset to:').waitFor();
      await expect(committed(admin)).resolves.toEqual({ 0: '4', 1: end1 });
      // The page's offsets table shows the new committed offset.
      const offsets = page.getByRole('table', { name: 'Committed offsets and lag' });
      await offsets.getByRole('row').filter({ has: page.getByRole('cell', { name: '4', exact: true }) }).first().waitFor();
    } finally {
      await admin.disconnect();
    }
    // Only partition 0 is behind now (4 of its 10 records); a member of the group starts there.
    const read = await firstRecordRead(cluster.bootstrap, GROUP, TOPIC, false);
    expect(read.offset).toBe('4');
    expect(read.key).toBe('order-8');
    await page.goto(`${cluster.consoleUrl}/#/groups`);
    const groupRow = page.getByRole('row').filter({ has: page.getByRole('link', { name: GROUP }) });
    await expect(groupRow.getByRole('cell').nth(4).textContent()).resolves.toBe('6');
    await page.screenshot({ path: screenshotPath('groups'), fullPage: true });
    // The lag sparkline: samples taken since the reset show the group 6 behind.
    const sparkline = page.getByRole('img', { name: /^Total lag from/ });
    for (let attempt = 0; ; attempt++) {
      await page.goto(`${cluster.consoleUrl}/#/groups/${GROUP}`);
      await sparkline.waitFor();
      if ((await sparkline.getAttribute('aria-label'))?.includes('now 6,')) break;
      if (attempt === 20) throw new Error(`the sparkline never showed the lag of 6: ${await sparkline.getAttribute('aria-label')}`);
      await page.goto(`${cluster.consoleUrl}/#/groups`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await expect(page.locator('svg.sparkline polyline').count()).resolves.toBe(1);
    await page.screenshot({ path: screenshotPath('group'), fullPage: true });
  });
});

async function committed(admin: ReturnType<ReturnType<typeof kafkaClient>['admin']>): Promise<Record<number, string>> {
  const [topic] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  return Object.fromEntries(topic.partitions.map((p) => [p.partition, p.offset]));
}

interface Focused {
  tag: string;
  text: string;
  name: string | null;
}

/** Presses Tab (at most 60 times) until the focused element satisfies `reached`. */
async function tabUntil(page: Page, reached: (focused: Focused) => boolean): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    // A string, evaluated in the page: the test's TypeScript has no DOM types.
    const focused = (await page.evaluate(
      '(() => { const e = document.activeElement; return e && { tag: e.tagName, text: e.textContent, name: e.getAttribute("name") }; })()',
    )) as Focused | null;
    if (focused && reached(focused)) return;
  }
  throw new Error('60 presses of Tab never reached the element');
}

describe.skipIf(!usable)('web console in chromium on a SASL gateway with an authorizer', () => {
  let database: TestDatabase;
  let gateway: Gateway;
  let browser: Browser;
  const alice = { username: SECURED_CONSOLE_USERS.alice.user, password: SECURED_CONSOLE_USERS.alice.password };

  beforeAll(async () => {
    ({ gateway, database } = await startSecuredConsoleGateway());
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await database?.drop();
  });

  const consoleUrl = () => `http://127.0.0.1:${gateway.consoleAddress!.port}`;

  it('asks for Basic credentials, and a wrong password does not open the page', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'alice', password: 'wrong' } });
    const page = await context.newPage();
    try {
      const response = await context.request.get(`${consoleUrl()}/`, { headers: { authorization: '' } });
      expect(response.status()).toBe(401);
      expect(response.headers()['www-authenticate']).toMatch(/^Basic realm="kpg"/);
      // The browser offers the wrong password and is refused: no console.
      const page401 = await page.goto(`${consoleUrl()}/`);
      expect(page401?.status()).toBe(401);
      await expect(page.getByRole('navigation', { name: 'Main' }).count()).resolves.toBe(0);
    } finally {
      await context.close();
    }
  });

  it('shows a SASL user only what the ACLs let it see, tails with its credentials, and shows a refused write', async () => {
    const context = await browser.newContext({ httpCredentials: alice });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const producer = new Kafka({
      brokers: [`127.0.0.1:${gateway.port}`],
      clientId: 'console-sasl-writer',
      logLevel: logLevel.NOTHING,
      sasl: { mechanism: 'scram-sha-512', username: 'admin', password: 'admin-secret' },
    }).producer();
    await producer.connect();
    try {
      await page.goto(`${consoleUrl()}/#/topics`);
      await page.getByRole('link', { name: 'shared' }).waitFor();
      await expect(page.getByRole('link', { name: 'secret' }).count()).resolves.toBe(0);

      await page.getByRole('link', { name: 'shared' }).click();
      await page.getByRole('heading', { level: 1, name: 'Topic shared' }).waitFor();
      // No DESCRIBE_CONFIGS for alice: the configs are not shown.
      await page.getByText('describing this topic\'s configs is not allowed').waitFor();
      await page.getByLabel('Live tail').check();
      await page.getByText('Live tail on').waitFor();
      await producer.send({ topic: 'shared', acks: -1, messages: [{ key: 'k', value: 'seen-by-alice' }] });
      await page.locator('table.messages tbody tr').first().filter({ hasText: 'seen-by-alice' }).waitFor();

      // alice may not write: the form shows the authorizer's answer.
      const form = page.getByRole('form', { name: 'Produce a message' });
      await form.getByLabel('Value').fill('not allowed');
      await form.getByRole('button', { name: 'Produce' }).click();
      await form.getByRole('alert').filter({ hasText: 'TOPIC_AUTHORIZATION_FAILED' }).waitFor();
      await page.screenshot({ path: screenshotPath('topic-sasl'), fullPage: true });
    } finally {
      await producer.disconnect();
      await context.close();
    }
  });
});
