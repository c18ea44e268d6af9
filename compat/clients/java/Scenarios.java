// kpg compatibility scenarios for the Java kafka-clients. One source, compiled by
// compat/install.sh against kafka-clients 3.9.x and 4.x (only APIs present in both).
//
//   java -cp "<classes>:<kafka-clients lib>/*" Scenarios --bootstrap H:P --scenario NAME --topic T
//
// Prints one JSON line {"scenario","status","detail"}; exit code 0 unless it crashes.
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class Scenarios {
    static final long BASE_TS = 1700000000000L;
    static final String[] CODECS = {"none", "gzip", "snappy", "lz4", "zstd"};

    static String bootstrap = "127.0.0.1:39092", scenario = "metadata", topic = "compat-java", group;

    static final class Outcome {
        final String status, detail;
        Outcome(String s, String d) { status = s; detail = d; }
    }
    static Outcome pass(String d) { return new Outcome("pass", d); }
    static Outcome fail(String d) { return new Outcome("fail", d); }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--bootstrap": bootstrap = args[i + 1]; break;
                case "--scenario": scenario = args[i + 1]; break;
                case "--topic": topic = args[i + 1]; break;
                case "--group": group = args[i + 1]; break;
                default: System.err.println("unknown argument " + args[i]); System.exit(2);
            }
        }
        if (group == null) group = topic + "-group";
        Outcome out;
        try {
            switch (scenario) {
                case "metadata": out = metadata(); break;
                case "topic-admin": out = topicAdmin(); break;
                case "produce-consume": out = produceConsume(); break;
                case "group-resume": out = groupResume(); break;
                case "list-offsets": out = listOffsets(); break;
                case "describe-configs": out = describeConfigs(); break;
                case "bulk": out = bulk(); break;
                case "crash-retry": out = crashRetry(); break;
                default: out = new Outcome("n/a", "unknown scenario " + scenario);
            }
        } catch (Exception e) {
            Throwable c = e;
            while (c.getCause() != null && c instanceof java.util.concurrent.ExecutionException) c = c.getCause();
            out = fail(c.getClass().getSimpleName() + ": " + c.getMessage());
        }
        String version = org.apache.kafka.common.utils.AppInfoParser.getVersion();
        System.out.println("{\"scenario\":" + json(scenario) + ",\"status\":" + json(out.status) + ",\"detail\":" + json(out.detail)
            + ",\"client\":" + json("kafka-clients " + version) + "}");
        System.exit(0);
    }

    static Properties common() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("client.id", "kpg-compat-java");
        p.put("request.timeout.ms", "15000");
        p.put("default.api.timeout.ms", "30000");
        return p;
    }

    static Admin admin() { return Admin.create(common()); }

    static KafkaProducer<String, String> producer(String codec) {
        Properties p = common();
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("compression.type", codec);
        p.put("linger.ms", "20");
        p.put("acks", "all");
        return new KafkaProducer<>(p);
    }

    static KafkaConsumer<String, String> consumer(String groupId) {
        Properties p = common();
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        if (groupId != null) p.put("group.id", groupId);
        return new KafkaConsumer<>(p);
    }

    static Outcome metadata() throws Exception {
        try (Admin a = admin()) {
            DescribeClusterResult dc = a.describeCluster();
            Collection<Node> nodes = dc.nodes().get(30, TimeUnit.SECONDS);
            Node controller = dc.controller().get(30, TimeUnit.SECONDS);
            String clusterId = dc.clusterId().get(30, TimeUnit.SECONDS);
            Set<String> names = a.listTopics().names().get(30, TimeUnit.SECONDS);
            if (nodes.isEmpty()) return fail("no brokers");
            if (!names.contains(topic)) return fail("topic " + topic + " not listed (" + names.size() + " topics)");
            return pass(nodes.size() + " broker(s), controller " + (controller == null ? "none" : controller.id())
                + ", cluster " + clusterId + ", " + names.size() + " topic(s) incl. " + topic);
        }
    }

    static String topicConfig(Admin a, String t, String name) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, t);
        Config c = a.describeConfigs(Collections.singleton(r)).all().get(30, TimeUnit.SECONDS).get(r);
        ConfigEntry e = c.get(name);
        return e == null ? null : e.value();
    }

    static Outcome topicAdmin() throws Exception {
        String t = topic + "-adm";
        try (Admin a = admin()) {
            a.createTopics(Collections.singleton(new NewTopic(t, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            TopicDescription d = a.describeTopics(Collections.singleton(t)).allTopicNames().get(30, TimeUnit.SECONDS).get(t);
            if (d.partitions().size() != 2) return fail("describe: " + d.partitions().size() + " partitions, want 2");
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, t);
            Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
            ops.put(r, Collections.singleton(new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET)));
            a.incrementalAlterConfigs(ops).all().get(30, TimeUnit.SECONDS);
            // Kafka applies an altered config shortly after answering: read it back for up to 5 s.
            String v = topicConfig(a, t, "retention.ms");
            for (long until = System.currentTimeMillis() + 5000; !"3600000".equals(v) && System.currentTimeMillis() < until; ) {
                Thread.sleep(200);
                v = topicConfig(a, t, "retention.ms");
            }
            if (!"3600000".equals(v)) return fail("retention.ms is " + v + " after alter, want 3600000");
            a.deleteTopics(Collections.singleton(t)).all().get(30, TimeUnit.SECONDS);
            long deadline = System.currentTimeMillis() + 15000;
            while (a.listTopics().names().get(30, TimeUnit.SECONDS).contains(t)) {
                if (System.currentTimeMillis() > deadline) return fail("topic still listed 15s after delete");
                Thread.sleep(300);
            }
            return pass("create(2 partitions), describe, alter retention.ms, delete");
        }
    }

    static final class Rec {
        final String key, value; final List<String[]> headers; final long ts;
        Rec(String k, String v, List<String[]> h, long ts) { key = k; value = v; headers = h; this.ts = ts; }
        String headerString() {
            StringBuilder b = new StringBuilder();
            for (String[] h : headers) b.append(h[0]).append('=').append(h[1]).append(';');
            return b.toString();
        }
    }

    static List<Rec> expected(String codec, int ci) {
        List<Rec> out = new ArrayList<>();
        String pad = "abcdefghij".repeat(20);
        for (int i = 0; i < 3; i++) {
            out.add(new Rec("key-" + codec + "-" + i, "value-" + codec + "-" + i + "-" + pad,
                Arrays.asList(new String[]{"codec", codec}, new String[]{"idx", String.valueOf(i)}), BASE_TS + ci * 3 + i));
        }
        return out;
    }

    static void produce(String codec, List<Rec> recs) throws Exception {
        try (KafkaProducer<String, String> p = producer(codec)) {
            List<java.util.concurrent.Future<RecordMetadata>> fs = new ArrayList<>();
            for (Rec r : recs) {
                List<Header> hs = new ArrayList<>();
                for (String[] h : r.headers) hs.add(new RecordHeader(h[0], h[1].getBytes(StandardCharsets.UTF_8)));
                fs.add(p.send(new ProducerRecord<>(topic, 0, r.ts, r.key, r.value, hs)));
            }
            for (java.util.concurrent.Future<RecordMetadata> f : fs) f.get(30, TimeUnit.SECONDS);
        }
    }

    static Outcome produceConsume() throws Exception {
        List<Rec> want = new ArrayList<>();
        for (int ci = 0; ci < CODECS.length; ci++) {
            List<Rec> recs = expected(CODECS[ci], ci);
            try { produce(CODECS[ci], recs); }
            catch (Exception e) { return fail("produce " + CODECS[ci] + ": " + e); }
            want.addAll(recs);
        }
        Map<String, Rec> got = new HashMap<>();
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> c = consumer(null)) {
            c.assign(Collections.singleton(tp));
            c.seekToBeginning(Collections.singleton(tp));
            long deadline = System.currentTimeMillis() + 30000;
            while (got.size() < want.size() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    List<String[]> hs = new ArrayList<>();
                    for (Header h : r.headers()) hs.add(new String[]{h.key(), new String(h.value(), StandardCharsets.UTF_8)});
                    got.put(r.key(), new Rec(r.key(), r.value(), hs, r.timestamp()));
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (Rec w : want) {
            Rec g = got.get(w.key);
            if (g == null) { problems.add("missing " + w.key); continue; }
            if (!w.value.equals(g.value)) problems.add(w.key + ": value differs");
            if (w.ts != g.ts) problems.add(w.key + ": timestamp " + g.ts + " want " + w.ts);
            if (!w.headerString().equals(g.headerString())) problems.add(w.key + ": headers " + g.headerString());
        }
        if (got.size() != want.size()) problems.add("got " + got.size() + " records, want " + want.size());
        if (!problems.isEmpty()) return fail(String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
        return pass("codecs " + String.join(",", CODECS) + ": " + want.size() + " records checked");
    }

    static Outcome groupResume() throws Exception {
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < 6; i++) recs.add(new Rec("k" + i, "r" + i, Collections.emptyList(), System.currentTimeMillis()));
        produce("none", recs);
        TopicPartition tp = new TopicPartition(topic, 0);
        long first;
        try (KafkaConsumer<String, String> c = consumer(group)) {
            c.subscribe(Collections.singleton(topic));
            first = firstOffset(c);
            if (first != 0) return fail("first consumer started at " + first + ", want 0");
            c.commitSync(Collections.singletonMap(tp, new OffsetAndMetadata(3)));
        }
        try (KafkaConsumer<String, String> c = consumer(group)) {
            c.subscribe(Collections.singleton(topic));
            long resumed = firstOffset(c);
            if (resumed != 3) return fail("resumed at offset " + resumed + ", want 3 (the committed offset)");
        }
        return pass("committed offset 3 in group " + group + ", restarted consumer resumed at 3");
    }

    static long firstOffset(KafkaConsumer<String, String> c) {
        long deadline = System.currentTimeMillis() + 40000;
        while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) return r.offset();
        }
        throw new IllegalStateException("no records within 40s");
    }

    static Outcome listOffsets() throws Exception {
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < 3; i++) recs.add(new Rec(null, "t" + i, Collections.emptyList(), BASE_TS + i * 1000L));
        produce("none", recs);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin a = admin()) {
            long e = a.listOffsets(Collections.singletonMap(tp, OffsetSpec.earliest())).partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
            long l = a.listOffsets(Collections.singletonMap(tp, OffsetSpec.latest())).partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
            long t1 = a.listOffsets(Collections.singletonMap(tp, OffsetSpec.forTimestamp(BASE_TS + 500))).partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
            long t2 = a.listOffsets(Collections.singletonMap(tp, OffsetSpec.forTimestamp(BASE_TS + 2000))).partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
            long mx = a.listOffsets(Collections.singletonMap(tp, OffsetSpec.maxTimestamp())).partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
            if (e != 0 || l != 3 || t1 != 1 || t2 != 2 || mx != 2)
                return fail("earliest=" + e + " latest=" + l + " time(+500ms)=" + t1 + " time(+2000ms)=" + t2 + " max-timestamp=" + mx + ", want 0 3 1 2 2");
            return pass("earliest=0 latest=3 by-time=1,2 max-timestamp=2");
        }
    }

    static Outcome describeConfigs() throws Exception {
        try (Admin a = admin()) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config c = a.describeConfigs(Collections.singleton(r)).all().get(30, TimeUnit.SECONDS).get(r);
            ConfigEntry cp = c.get("cleanup.policy"), rm = c.get("retention.ms");
            if (cp == null || !"delete".equals(cp.value()) || rm == null)
                return fail("topic configs lack cleanup.policy=delete / retention.ms (" + c.entries().size() + " entries)");
            Node n = a.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next();
            ConfigResource br = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(n.id()));
            Config bc = a.describeConfigs(Collections.singleton(br)).all().get(30, TimeUnit.SECONDS).get(br);
            if (bc.entries().isEmpty()) return fail("broker " + n.id() + " has no config entries");
            return pass("topic: " + c.entries().size() + " entries (cleanup.policy=delete, retention.ms=" + rm.value() + ", source "
                + rm.source() + "); broker " + n.id() + ": " + bc.entries().size() + " entries");
        }
    }

    // ------------------------------------------------------------------ bulk (see compat/README.md)
    static final int BULK_N = Integer.parseInt(System.getenv().getOrDefault("KPG_COMPAT_BULK_N", "100000"));
    static final String BULK_PAD = "abcdefghij".repeat(20);

    /** Record i of the bulk scenario (the same in every language). */
    static Rec bulkRecord(int i, String codec) {
        List<String[]> hs = i % 5 == 0 ? Collections.emptyList()
            : Arrays.asList(new String[]{"idx", String.valueOf(i)}, new String[]{"codec", codec});
        return new Rec(i % 100 == 99 ? null : "bulk-" + i, "value-" + i + "-" + BULK_PAD.substring(0, (i * 37) % 200), hs, BASE_TS + i);
    }

    static int bulkBound(int ci, int k) { return (int) ((long) ci * BULK_N / k); }

    static Outcome bulk() throws Exception {
        long t0 = System.currentTimeMillis();
        java.util.concurrent.atomic.AtomicReference<Exception> firstError = new java.util.concurrent.atomic.AtomicReference<>();
        for (int ci = 0; ci < CODECS.length; ci++) {
            try (KafkaProducer<String, String> p = producer(CODECS[ci])) {
                for (int i = bulkBound(ci, CODECS.length); i < bulkBound(ci + 1, CODECS.length); i++) {
                    Rec r = bulkRecord(i, CODECS[ci]);
                    List<Header> hs = new ArrayList<>();
                    for (String[] h : r.headers) hs.add(new RecordHeader(h[0], h[1].getBytes(StandardCharsets.UTF_8)));
                    p.send(new ProducerRecord<>(topic, 0, r.ts, r.key, r.value, hs), (md, e) -> { if (e != null) firstError.compareAndSet(null, e); });
                }
                p.flush();
            }
            if (firstError.get() != null) return fail("produce " + CODECS[ci] + ": " + firstError.get());
        }
        long produced = System.currentTimeMillis() - t0;
        TopicPartition tp = new TopicPartition(topic, 0);
        List<String> problems = new ArrayList<>();
        long next = 0;
        long logEnd;
        try (KafkaConsumer<String, String> c = consumer(null)) {
            c.assign(Collections.singleton(tp));
            c.seekToBeginning(Collections.singleton(tp));
            long lastProgress = System.currentTimeMillis();
            while (next < BULK_N && System.currentTimeMillis() - lastProgress < 60000) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(1000))) {
                    lastProgress = System.currentTimeMillis();
                    long o = r.offset();
                    if (o < next) continue; // delivered again; checked already
                    if (o > next) problem(problems, "gap: offset " + o + " after " + (next - 1));
                    next = o + 1;
                    if (o >= BULK_N) { problem(problems, "unexpected record at offset " + o + " (only " + BULK_N + " were produced)"); continue; }
                    int ci = 0;
                    while (o >= bulkBound(ci + 1, CODECS.length)) ci++;
                    Rec w = bulkRecord((int) o, CODECS[ci]);
                    List<String[]> hs = new ArrayList<>();
                    for (Header h : r.headers()) hs.add(new String[]{h.key(), new String(h.value(), StandardCharsets.UTF_8)});
                    Rec g = new Rec(r.key(), r.value(), hs, r.timestamp());
                    if (!Objects.equals(w.key, g.key)) problem(problems, "offset " + o + ": key " + g.key + " want " + w.key);
                    if (!w.value.equals(g.value)) problem(problems, "offset " + o + ": value differs");
                    if (w.ts != g.ts) problem(problems, "offset " + o + ": timestamp " + g.ts + " want " + w.ts);
                    if (!w.headerString().equals(g.headerString())) problem(problems, "offset " + o + ": headers " + g.headerString() + " want " + w.headerString());
                }
            }
            logEnd = c.endOffsets(Collections.singleton(tp)).get(tp);
        }
        if (next < BULK_N) problem(problems, "consumed up to offset " + (next - 1) + ", want " + (BULK_N - 1));
        if (logEnd != BULK_N) problem(problems, "log end offset " + logEnd + ", want " + BULK_N);
        if (!problems.isEmpty()) return fail(String.join("; ", problems));
        return pass(BULK_N + " records (codecs " + String.join(",", CODECS) + "; producer idempotence on, the default) produced in " + produced
            + " ms, consumed and compared in " + (System.currentTimeMillis() - t0 - produced) + " ms");
    }

    static void problem(List<String> problems, String p) {
        if (problems.size() < 5) problems.add(p);
        else if (problems.size() == 5) problems.add("...");
    }

    // ------------------------------------------------------------------ crash-retry (see compat/README.md)
    static final int CRASH_N = Integer.parseInt(System.getenv().getOrDefault("KPG_COMPAT_CRASH_N", "20000"));

    /**
     * An idempotent producer sends CRASH_N numbered records to 3 partitions while the runner kills the
     * server (SIGKILL) and restarts it; every number must then be in the log exactly once, in order.
     */
    static Outcome crashRetry() throws Exception {
        int partitions = 3;
        Properties pp = common();
        pp.put("key.serializer", StringSerializer.class.getName());
        pp.put("value.serializer", StringSerializer.class.getName());
        pp.put("enable.idempotence", "true");
        pp.put("acks", "all");
        pp.put("retries", String.valueOf(Integer.MAX_VALUE));
        pp.put("delivery.timeout.ms", "300000");
        pp.put("linger.ms", "5");
        java.util.concurrent.atomic.AtomicInteger acked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Exception> firstError = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(1);
        String[] reply = {null};
        int half = CRASH_N / 2, ackedAtDisrupt = -1, ackedAtRestart = -1;
        double retries = -1;
        try (KafkaProducer<String, String> p = new KafkaProducer<>(pp)) {
            // paced (about 4000 records/s) so that records are sent before, during and after the restart
            for (int i = 0; i < CRASH_N; i++) {
                if (i == half) {
                    ackedAtDisrupt = acked.get();
                    System.out.println("DISRUPT");
                    System.out.flush();
                    Thread t = new Thread(() -> {
                        try {
                            reply[0] = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                        } catch (java.io.IOException e) { /* no answer */ }
                        answered.countDown();
                    });
                    t.setDaemon(true);
                    t.start();
                }
                p.send(new ProducerRecord<>(topic, i % partitions, "n-" + i, "rec-" + i), (md, e) -> {
                    if (e == null) acked.incrementAndGet();
                    else { failed.incrementAndGet(); firstError.compareAndSet(null, e); }
                });
                if (i % 100 == 0) Thread.sleep(25);
                if (ackedAtRestart < 0 && answered.getCount() == 0) ackedAtRestart = acked.get();
            }
            if (!answered.await(240, TimeUnit.SECONDS)) return fail("no answer to DISRUPT within 240s");
            if (ackedAtRestart < 0) ackedAtRestart = acked.get();
            p.flush();
            for (Map.Entry<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> m : p.metrics().entrySet()) {
                if (m.getKey().name().equals("record-retry-total") && m.getKey().group().equals("producer-metrics")) retries = (Double) m.getValue().metricValue();
            }
        }
        String[] parts = (reply[0] == null ? "DISRUPTED n/a nobody answered DISRUPT (not run by compat/run.mjs?)" : reply[0].trim()).split(" ", 3);
        String status = parts.length > 1 ? parts[1] : "fail", detail = parts.length > 2 ? parts[2] : String.join(" ", parts);
        if (status.equals("fail")) return fail("server restart: " + detail);
        if (failed.get() > 0) return fail(failed.get() + " record(s) failed, first: " + firstError.get() + " (acknowledged before the crash "
            + ackedAtDisrupt + ", by the restart " + ackedAtRestart + ")");
        // consume everything back: per partition, the record numbers in offset order
        List<List<Integer>> got = new ArrayList<>();
        List<TopicPartition> tps = new ArrayList<>();
        for (int q = 0; q < partitions; q++) { got.add(new ArrayList<>()); tps.add(new TopicPartition(topic, q)); }
        try (KafkaConsumer<String, String> c = consumer(null)) {
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = c.endOffsets(tps);
            long[] pos = new long[partitions];
            long lastProgress = System.currentTimeMillis();
            while (System.currentTimeMillis() - lastProgress < 60000) {
                boolean all = true;
                for (int q = 0; q < partitions; q++) if (pos[q] < ends.get(tps.get(q))) all = false;
                if (all) break;
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(1000))) {
                    lastProgress = System.currentTimeMillis();
                    if (r.offset() < pos[r.partition()]) continue;
                    pos[r.partition()] = r.offset() + 1;
                    got.get(r.partition()).add(Integer.parseInt(r.value().substring(4)));
                }
            }
        }
        List<String> problems = new ArrayList<>();
        int total = 0;
        for (int q = 0; q < partitions; q++) {
            List<Integer> g = got.get(q);
            List<Integer> want = new ArrayList<>();
            for (int i = q; i < CRASH_N; i += partitions) want.add(i);
            total += g.size();
            if (g.equals(want)) continue;
            int dups = g.size() - new HashSet<>(g).size();
            Set<Integer> missing = new HashSet<>(want);
            missing.removeAll(g);
            int first = 0;
            while (first < g.size() && first < want.size() && g.get(first).equals(want.get(first))) first++;
            problems.add("partition " + q + ": " + g.size() + " records, want " + want.size() + "; " + dups + " duplicate(s), " + missing.size()
                + " missing; first difference at offset " + first + " (" + (first < g.size() ? g.get(first) : "end") + ", want "
                + (first < want.size() ? want.get(first) : "end") + ")");
        }
        if (!problems.isEmpty()) return fail(String.join("; ", problems));
        if (ackedAtRestart >= CRASH_N) return fail("every record was acknowledged before the server went down: nothing was tested");
        String summary = total + " records, each exactly once and in order in its partition; acknowledged before the crash: " + ackedAtDisrupt
            + ", by the time the server served again: " + ackedAtRestart + "; producer retries: " + Math.round(retries) + "; " + detail;
        if (status.equals("n/a")) return new Outcome("n/a", "the server was not restarted: " + detail + " (" + summary + ")");
        return pass(summary);
    }
}
