/**
 * The one module of notification payloads: every wire format kpg's SQL and storage send becomes its
 * typed event, what TypeScript sends parses back to the change it announced, and anything else is dropped.
 */
import { describe, expect, it } from 'vitest';
import { Channel, notifyChange, toChangeEvent, type SentChange } from '../../src/storage/pg/channels.js';

const TOPIC = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

describe('toChangeEvent', () => {
  it('parses every channel', () => {
    expect(toChangeEvent(Channel.records, `${TOPIC}:3:42`)).toEqual({ event: 'recordsAppended', args: [TOPIC, 3, 42n, undefined] });
    expect(toChangeEvent(Channel.records, `${TOPIC}:3:42:7`)).toEqual({ event: 'recordsAppended', args: [TOPIC, 3, 42n, 7n] });
    expect(toChangeEvent(Channel.topics, TOPIC)).toEqual({ event: 'topicChanged', args: [TOPIC] });
    expect(toChangeEvent(Channel.config, TOPIC)).toEqual({ event: 'topicConfigChanged', args: [TOPIC] });
    expect(toChangeEvent(Channel.config, 'broker')).toEqual({ event: 'brokerConfigChanged', args: [] });
    expect(toChangeEvent(Channel.groups, '17')).toEqual({ event: 'groupChanged', args: [17, false] });
    expect(toChangeEvent(Channel.groups, '17+')).toEqual({ event: 'groupChanged', args: [17, true] });
    expect(toChangeEvent(Channel.outbox, '')).toEqual({ event: 'sqlOutboxReady', args: [] });
  });

  it('drops malformed payloads and unknown channels', () => {
    expect(toChangeEvent(Channel.records, 'garbage')).toBeNull();
    expect(toChangeEvent(Channel.records, `${TOPIC}:0:not-a-number`)).toBeNull();
    expect(toChangeEvent(Channel.groups, 'x')).toBeNull();
    expect(toChangeEvent('somewhere_else', 'x')).toBeNull();
  });
});

describe('notifyChange', () => {
  it('sends what toChangeEvent reads back as the same change', async () => {
    const changes: SentChange[] = [
      { event: 'topicChanged', args: [TOPIC] },
      { event: 'topicConfigChanged', args: [TOPIC] },
      { event: 'brokerConfigChanged', args: [] },
      { event: 'groupChanged', args: [17, false] },
      { event: 'groupChanged', args: [17, true] },
    ];
    for (const change of changes) {
      const sent: unknown[][] = [];
      await notifyChange({ query: async (_text: string, values: unknown[]) => sent.push(values) }, change);
      expect(sent).toHaveLength(1);
      const [channel, payload] = sent[0] as [string, string];
      expect(toChangeEvent(channel, payload)).toEqual(change);
    }
  });
});
