/**
 * The Java client's partitioner, for comparing kpg's SQL partitioning with it: kafka-clients from the
 * compatibility suite's cache (compat/install.sh), run with the JDK's single-file source launcher.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export interface JavaClients {
  java: string;
  /** kafka-clients and its dependencies (slf4j, compression codecs), as a classpath. */
  classpath: string;
}

/** kafka-clients and a `java` that runs it, or null when either is missing. */
export function findJavaClients(): JavaClients | null {
  const cache = process.env.KPG_CACHE ?? path.join(os.homedir(), '.cache', 'kpg');
  let classpath: string | undefined;
  for (const dir of existsSync(cache) ? readdirSync(cache).filter((d) => d.startsWith('clients')).sort().reverse() : []) {
    const lib = path.join(cache, dir, 'lib');
    const found = existsSync(lib) ? readdirSync(lib).find((f) => /^kafka-clients-[\d.]+\.jar$/.test(f)) : undefined;
    if (found) {
      classpath = path.join(lib, '*');
      break;
    }
  }
  if (!classpath) return null;
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return { java: 'java', classpath };
}

const SOURCE = `
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.HexFormat;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

public class Partitions {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    StringBuilder out = new StringBuilder();
    for (String line; (line = in.readLine()) != null; ) {
      byte[] key = HexFormat.of().parseHex(line.substring(1));
      for (String count : args) out.append(BuiltInPartitioner.partitionForKey(key, Integer.parseInt(count))).append(' ');
      out.append('\\n');
    }
    System.out.print(out);
  }
}
`;

/**
 * The partition the Java producer's default partitioner picks for each key, for each of the partition
 * counts: result[i][j] is key i's partition among counts[j] partitions.
 */
export function javaPartitionsForKeys(clients: JavaClients, keys: readonly Buffer[], counts: readonly number[]): number[][] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kpg-java-'));
  try {
    const file = path.join(dir, 'Partitions.java');
    writeFileSync(file, SOURCE);
    // Each line is "k" + hex, so an empty key is still a line.
    const input = keys.map((k) => `k${k.toString('hex')}\n`).join('');
    const output = execFileSync(clients.java, ['-cp', clients.classpath, file, ...counts.map(String)], { input, encoding: 'utf8' });
    return output.trimEnd().split('\n').map((line) => line.trim().split(' ').map(Number));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CONSUMER_SOURCE = `
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class ReadPartition {
  public static void main(String[] args) {
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    props.put("check.crcs", "true");
    props.put("enable.auto.commit", "false");
    TopicPartition tp = new TopicPartition(args[1], Integer.parseInt(args[2]));
    int expected = Integer.parseInt(args[3]);
    HexFormat hex = HexFormat.of();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      int seen = 0;
      long deadline = System.currentTimeMillis() + 30_000;
      while (seen < expected && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          StringBuilder line = new StringBuilder();
          line.append(r.offset()).append(' ').append(r.timestamp()).append(' ').append(r.timestampType().name).append(' ')
              .append(r.key() == null ? "-" : hex.formatHex(r.key())).append(' ')
              .append(r.value() == null ? "-" : hex.formatHex(r.value()));
          for (Header h : r.headers()) line.append(' ').append(h.key()).append('=').append(h.value() == null ? "-" : hex.formatHex(h.value()));
          System.out.println(line);
          seen++;
        }
      }
    }
  }
}
`;

export interface JavaRecord {
  offset: bigint;
  timestamp: bigint;
  timestampType: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

/**
 * Reads a partition from the beginning with the Java consumer (check.crcs on, as by default), until
 * `expected` records arrived or 30 s passed. Header keys must not contain spaces or '='. Asynchronous:
 * the gateway under test runs in this process and must keep answering.
 */
export async function javaConsume(clients: JavaClients, bootstrap: string, topic: string, partition: number, expected: number): Promise<JavaRecord[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kpg-java-'));
  const bytes = (s: string): Buffer | null => (s === '-' ? null : Buffer.from(s, 'hex'));
  try {
    const file = path.join(dir, 'ReadPartition.java');
    writeFileSync(file, CONSUMER_SOURCE);
    const { stdout: output } = await promisify(execFile)(
      clients.java,
      ['-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', clients.classpath, file, bootstrap, topic, String(partition), String(expected)],
      { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return output.trimEnd().split('\n').filter((l) => l !== '').map((line) => {
      const [offset, timestamp, timestampType, key, value, ...headers] = line.split(' ');
      return {
        offset: BigInt(offset!),
        timestamp: BigInt(timestamp!),
        timestampType: timestampType!,
        key: bytes(key!),
        value: bytes(value!),
        headers: headers.map((h) => {
          const eq = h.indexOf('=');
          return { key: h.slice(0, eq), value: bytes(h.slice(eq + 1)) };
        }),
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
