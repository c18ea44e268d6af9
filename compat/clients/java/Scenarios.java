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
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class Scenarios {
    static final long BASE_TS = 1700000000000L;
    static final String[] CODECS = {"none", "gzip", "snappy", "lz4", "zstd"};

    static String bootstrap = "127.0.0.1:39092", scenario = "metadata", topic = "compat-java", group, securityFile;

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
                case "--security": securityFile = args[i + 1]; break;
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
                case "offsets-topic": out = offsetsTopic(); break;
                case "list-offsets": out = listOffsets(); break;
                case "describe-configs": out = describeConfigs(); break;
                case "admin-errors": out = adminErrors(); break;
                case "broker-configs": out = brokerConfigs(); break;
                case "reassignments": out = reassignments(); break;
                case "acls-disabled": out = aclsDisabled(); break;
                case "bulk": out = bulk(); break;
                case "crash-retry": out = crashRetry(); break;
                case "golden": out = golden(); break;
                case "record-errors": out = recordErrors(); break;
                case "fetch-close": out = fetchClose(); break;
                case "auth": out = Auth.run(); break;
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

    static <T> T get(org.apache.kafka.common.KafkaFuture<T> f) throws Exception { return f.get(30, TimeUnit.SECONDS); }

    static TopicDescription describeTopic(Admin a, String t) throws Exception {
        return get(a.describeTopics(Collections.singleton(t)).allTopicNames()).get(t);
    }

    static List<Integer> ids(List<Node> nodes) {
        List<Integer> out = new ArrayList<>();
        for (Node n : nodes) out.add(n.id());
        return out;
    }

    /** "" when partition i of d is i with the one broker as leader, replicas [broker] and isr [broker]; else what differs */
    static String partitionProblems(TopicDescription d, int brokerId) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < d.partitions().size(); i++) {
            TopicPartitionInfo p = d.partitions().get(i);
            List<Integer> one = Collections.singletonList(brokerId);
            if (p.partition() != i) problems.add("partition #" + i + " is " + p.partition());
            if (p.leader() == null || p.leader().id() != brokerId) problems.add("partition " + i + " leader " + (p.leader() == null ? "none" : p.leader().id()));
            if (!ids(p.replicas()).equals(one)) problems.add("partition " + i + " replicas " + ids(p.replicas()));
            if (!ids(p.isr()).equals(one)) problems.add("partition " + i + " isr " + ids(p.isr()));
        }
        return String.join("; ", problems);
    }

    /** Kafka applies an altered config (and new partitions) shortly after answering: wait up to 5 s. */
    static <T> T eventually(java.util.concurrent.Callable<T> read, java.util.function.Predicate<T> ok) throws Exception {
        T v = read.call();
        for (long until = System.currentTimeMillis() + 5000; !ok.test(v) && System.currentTimeMillis() < until; ) {
            Thread.sleep(200);
            v = read.call();
        }
        return v;
    }

    /**
     * The whole topic life cycle of issue #4 with the Java AdminClient: create (with configs), describe,
     * describeConfigs, incrementalAlterConfigs, createPartitions, listOffsets, deleteRecords, deleteTopics.
     */
    static Outcome topicAdmin() throws Exception {
        String t = topic + "-adm";
        List<String> steps = new ArrayList<>();
        try (Admin a = admin()) {
            int brokerId = get(a.describeCluster().nodes()).iterator().next().id();
            Map<String, String> cfg = new HashMap<>();
            cfg.put("retention.ms", "7200000");
            cfg.put("max.message.bytes", "500000");
            CreateTopicsResult cr = a.createTopics(Collections.singleton(new NewTopic(t, 2, (short) 1).configs(cfg)));
            get(cr.all());
            if (get(cr.numPartitions(t)) != 2 || get(cr.replicationFactor(t)) != 1)
                return fail("createTopics answered " + get(cr.numPartitions(t)) + " partitions, replication factor " + get(cr.replicationFactor(t)) + ", want 2, 1");
            org.apache.kafka.common.Uuid createdId = get(cr.topicId(t));
            Config created = get(cr.config(t));
            if (created.get("retention.ms") == null || !"7200000".equals(created.get("retention.ms").value()))
                return fail("createTopics answered retention.ms " + created.get("retention.ms") + ", want 7200000");
            steps.add("create(2 partitions, retention.ms, max.message.bytes)");

            TopicDescription d = describeTopic(a, t);
            if (d.partitions().size() != 2) return fail("describe: " + d.partitions().size() + " partitions, want 2");
            if (d.topicId() == null || d.topicId().equals(org.apache.kafka.common.Uuid.ZERO_UUID)) return fail("describe: topic id " + d.topicId());
            if (!d.topicId().equals(createdId)) return fail("describe: topic id " + d.topicId() + ", createTopics answered " + createdId);
            if (d.isInternal()) return fail("describe: topic is internal");
            String pp = partitionProblems(d, brokerId);
            if (!pp.isEmpty()) return fail("describe: " + pp);
            steps.add("describe(2 partitions, leader/replicas/isr " + brokerId + ", topic id)");

            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, t);
            Config c = get(a.describeConfigs(Collections.singleton(r)).all()).get(r);
            ConfigEntry rm = c.get("retention.ms"), mm = c.get("max.message.bytes"), cp = c.get("cleanup.policy");
            if (rm == null || !"7200000".equals(rm.value()) || rm.source() != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                return fail("describeConfigs: retention.ms " + rm + ", want 7200000 from DYNAMIC_TOPIC_CONFIG");
            if (mm == null || !"500000".equals(mm.value())) return fail("describeConfigs: max.message.bytes " + mm + ", want 500000");
            if (cp == null || !"delete".equals(cp.value()) || cp.source() != ConfigEntry.ConfigSource.DEFAULT_CONFIG)
                return fail("describeConfigs: cleanup.policy " + cp + ", want delete from DEFAULT_CONFIG");
            steps.add("describeConfigs");

            Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
            ops.put(r, Arrays.asList(new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("max.message.bytes", ""), AlterConfigOp.OpType.DELETE)));
            get(a.incrementalAlterConfigs(ops).all());
            Config after = eventually(() -> get(a.describeConfigs(Collections.singleton(r)).all()).get(r),
                x -> x.get("retention.ms") != null && "3600000".equals(x.get("retention.ms").value())
                    && x.get("max.message.bytes") != null && x.get("max.message.bytes").source() != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            if (!"3600000".equals(after.get("retention.ms").value())) return fail("retention.ms is " + after.get("retention.ms").value() + " after alter, want 3600000");
            ConfigEntry mm2 = after.get("max.message.bytes");
            if (mm2 == null || mm2.source() != ConfigEntry.ConfigSource.DEFAULT_CONFIG || !"1048588".equals(mm2.value()))
                return fail("max.message.bytes after DELETE: " + mm2 + ", want 1048588 from DEFAULT_CONFIG");
            steps.add("incrementalAlterConfigs(SET retention.ms, DELETE max.message.bytes)");

            get(a.createPartitions(Collections.singletonMap(t, NewPartitions.increaseTo(4))).all());
            d = eventually(() -> describeTopic(a, t), x -> x.partitions().size() == 4);
            if (d.partitions().size() != 4) return fail("after createPartitions(4): " + d.partitions().size() + " partitions");
            pp = partitionProblems(d, brokerId);
            if (!pp.isEmpty()) return fail("after createPartitions(4): " + pp);
            try {
                get(a.createPartitions(Collections.singletonMap(t, NewPartitions.increaseTo(3))).all());
                return fail("createPartitions(3) on 4 partitions succeeded");
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.InvalidPartitionsException))
                    return fail("createPartitions(3) on 4 partitions: " + e.getCause() + ", want InvalidPartitionsException");
            }
            steps.add("createPartitions(2 -> 4, then 3 refused)");

            int n = 10, cut = 4;
            TopicPartition tp = new TopicPartition(t, 0);
            try (KafkaProducer<String, String> p = producer("none")) {
                List<java.util.concurrent.Future<RecordMetadata>> fs = new ArrayList<>();
                for (int i = 0; i < n; i++) fs.add(p.send(new ProducerRecord<>(t, 0, "k" + i, "v" + i)));
                for (java.util.concurrent.Future<RecordMetadata> f : fs) f.get(30, TimeUnit.SECONDS);
            }
            long e0 = get(a.listOffsets(Collections.singletonMap(tp, OffsetSpec.earliest())).partitionResult(tp)).offset();
            long l0 = get(a.listOffsets(Collections.singletonMap(tp, OffsetSpec.latest())).partitionResult(tp)).offset();
            if (e0 != 0 || l0 != n) return fail("listOffsets after producing " + n + ": earliest " + e0 + " latest " + l0 + ", want 0 " + n);
            TopicPartition tp3 = new TopicPartition(t, 3);
            long l3 = get(a.listOffsets(Collections.singletonMap(tp3, OffsetSpec.latest())).partitionResult(tp3)).offset();
            if (l3 != 0) return fail("listOffsets latest of the new partition 3: " + l3 + ", want 0");
            steps.add("listOffsets(earliest 0, latest " + n + ")");

            long low = get(a.deleteRecords(Collections.singletonMap(tp, RecordsToDelete.beforeOffset(cut))).lowWatermarks().get(tp)).lowWatermark();
            if (low != cut) return fail("deleteRecords before " + cut + ": low watermark " + low);
            long e1 = get(a.listOffsets(Collections.singletonMap(tp, OffsetSpec.earliest())).partitionResult(tp)).offset();
            long l1 = get(a.listOffsets(Collections.singletonMap(tp, OffsetSpec.latest())).partitionResult(tp)).offset();
            if (e1 != cut || l1 != n) return fail("listOffsets after deleteRecords: earliest " + e1 + " latest " + l1 + ", want " + cut + " " + n);
            try (KafkaConsumer<String, String> cons = consumer(null)) {
                cons.assign(Collections.singleton(tp));
                cons.seekToBeginning(Collections.singleton(tp));
                long first = -1;
                String v = null;
                for (long until = System.currentTimeMillis() + 30000; first < 0 && System.currentTimeMillis() < until; ) {
                    for (ConsumerRecord<String, String> rec : cons.poll(Duration.ofMillis(500))) { first = rec.offset(); v = rec.value(); break; }
                }
                if (first != cut || !("v" + cut).equals(v)) return fail("consumer from the beginning got offset " + first + " (" + v + "), want " + cut);
            }
            steps.add("deleteRecords(before " + cut + ": low watermark, earliest and first consumed offset " + cut + ")");

            get(a.deleteTopics(Collections.singleton(t)).all());
            long deadline = System.currentTimeMillis() + 15000;
            while (get(a.listTopics().names()).contains(t)) {
                if (System.currentTimeMillis() > deadline) return fail("topic still listed 15s after delete");
                Thread.sleep(300);
            }
            steps.add("deleteTopics");
            return pass(String.join(", ", steps));
        } catch (Exception e) {
            Throwable c = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            return fail("after " + (steps.isEmpty() ? "nothing" : String.join(", ", steps)) + ": " + c.getClass().getSimpleName() + ": " + c.getMessage());
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

    static String kafkaString(java.nio.ByteBuffer b) {
        int n = b.getShort();
        if (n < 0) return null;
        byte[] x = new byte[n];
        b.get(x);
        return new String(x, StandardCharsets.UTF_8);
    }

    static String compactString(java.nio.ByteBuffer b) {
        int n = 0, shift = 0, x;
        do { x = b.get() & 0xff; n |= (x & 0x7f) << shift; shift += 7; } while ((x & 0x80) != 0);
        byte[] s = new byte[Math.max(0, n - 1)];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    /**
     * __consumer_offsets: listed as internal (listTopics with listInternal only), read by a consumer with
     * exclude.internal.topics=false subscribed by pattern, holding the commit as Kafka's OffsetCommitKey and
     * OffsetCommitValue; producing to it fails with InvalidTopicException.
     */
    static Outcome offsetsTopic() throws Exception {
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < 3; i++) recs.add(new Rec("k" + i, "r" + i, Collections.emptyList(), System.currentTimeMillis()));
        produce("none", recs);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> c = consumer(group)) {
            c.commitSync(Collections.singletonMap(tp, new OffsetAndMetadata(2, "meta")));
        }
        int partitions;
        try (Admin a = admin()) {
            Set<String> plain = a.listTopics().names().get(30, TimeUnit.SECONDS);
            if (plain.contains("__consumer_offsets")) return fail("listTopics() without listInternal lists __consumer_offsets");
            Map<String, TopicListing> all = a.listTopics(new ListTopicsOptions().listInternal(true)).namesToListings().get(30, TimeUnit.SECONDS);
            TopicListing l = all.get("__consumer_offsets");
            if (l == null || !l.isInternal()) return fail("listTopics(listInternal) shows __consumer_offsets as " + l);
            TopicDescription d = a.describeTopics(Collections.singleton("__consumer_offsets")).allTopicNames().get(30, TimeUnit.SECONDS).get("__consumer_offsets");
            if (!d.isInternal()) return fail("describeTopics: __consumer_offsets not internal");
            partitions = d.partitions().size();
        }
        Properties p = common();
        p.put("key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        p.put("exclude.internal.topics", "false");
        p.put("group.id", group + "-reader");
        String found = null;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(java.util.regex.Pattern.compile("__consumer_offsets"));
            long deadline = System.currentTimeMillis() + 40000;
            while (found == null && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    java.nio.ByteBuffer k = java.nio.ByteBuffer.wrap(r.key());
                    short type = k.getShort();
                    if (type != 1 && type != 0) continue;
                    String g = kafkaString(k), t = kafkaString(k);
                    int part = k.getInt();
                    if (!group.equals(g) || !topic.equals(t) || part != 0 || r.value() == null) continue;
                    java.nio.ByteBuffer v = java.nio.ByteBuffer.wrap(r.value());
                    short version = v.getShort();
                    long offset = v.getLong();
                    int epoch = version >= 3 ? v.getInt() : -1;
                    String meta = version >= 4 ? compactString(v) : kafkaString(v);
                    long ts = v.getLong();
                    if (version != 4 || offset != 2 || epoch != -1 || !"meta".equals(meta) || Math.abs(ts - System.currentTimeMillis()) > 120000) {
                        return fail("OffsetCommit record: version " + version + " offset " + offset + " epoch " + epoch + " metadata " + meta + " timestamp " + ts);
                    }
                    found = "__consumer_offsets-" + r.partition() + "@" + r.offset();
                }
            }
        }
        if (found == null) return fail("no OffsetCommit record of group " + group + " within 40s");
        Properties pp = common();
        pp.put("key.serializer", StringSerializer.class.getName());
        pp.put("value.serializer", StringSerializer.class.getName());
        pp.put("max.block.ms", "15000");
        try (KafkaProducer<String, String> pr = new KafkaProducer<>(pp)) {
            pr.send(new ProducerRecord<>("__consumer_offsets", 0, "k", "v")).get(30, TimeUnit.SECONDS);
            return fail("producing to __consumer_offsets succeeded");
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.InvalidTopicException)) return fail("produce to __consumer_offsets: " + e.getCause());
        }
        return pass("__consumer_offsets internal (" + partitions + " partitions), listed only with listInternal; OffsetCommit v4 of the commit read at " + found
            + " by a pattern subscription with exclude.internal.topics=false; produce refused with InvalidTopicException");
    }

    /**
     * compat/capture-golden.sh only: CreateTopics, Produce and a consumer group's Join/Sync, OffsetFetch,
     * Fetch and OffsetCommit, with the few fixed records of test/golden/README.md, uncompressed.
     */
    static Outcome golden() throws Exception {
        try (Admin a = admin()) {
            get(a.createTopics(Collections.singleton(new NewTopic(topic, 1, (short) 1))).all());
        }
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < 2; i++) recs.add(new Rec("golden-" + i, "value-" + i, Collections.singletonList(new String[] {"idx", "" + i}), BASE_TS + i));
        produce("none", recs);
        int seen = 0;
        try (KafkaConsumer<String, String> c = consumer(group)) {
            c.subscribe(Collections.singleton(topic));
            long deadline = System.currentTimeMillis() + 40000;
            while (seen < recs.size() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    Rec want = recs.get((int) r.offset());
                    if (!want.key.equals(r.key()) || !want.value.equals(r.value()) || want.ts != r.timestamp()) {
                        return fail("offset " + r.offset() + ": got " + r.key() + "=" + r.value() + " @" + r.timestamp());
                    }
                    seen++;
                }
            }
            if (seen < recs.size()) return fail("consumed " + seen + " of " + recs.size() + " records within 40s");
            c.commitSync(Collections.singletonMap(new TopicPartition(topic, 0), new OffsetAndMetadata(recs.size())));
        }
        return pass("created " + topic + ", produced and consumed " + seen + " records in group " + group + ", committed offset " + seen);
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

    // ------------------------------------------------------------------ record-errors (see compat/README.md)
    /** What one send's callback got: "ok@offset" or "ExceptionClass: message". */
    static String outcome(java.util.concurrent.Future<RecordMetadata> f) {
        try {
            return "ok@" + f.get(60, TimeUnit.SECONDS).offset();
        } catch (Exception e) {
            Throwable c = e;
            while (c instanceof java.util.concurrent.ExecutionException && c.getCause() != null) c = c.getCause();
            return c.getClass().getSimpleName() + ": " + c.getMessage();
        }
    }

    /** Sends the records as one batch (a long linger, then flush) and returns each callback's outcome. */
    static List<String> sendBatch(KafkaProducer<String, String> p, List<ProducerRecord<String, String>> recs) {
        List<java.util.concurrent.Future<RecordMetadata>> fs = new ArrayList<>();
        for (ProducerRecord<String, String> r : recs) fs.add(p.send(r));
        p.flush();
        List<String> out = new ArrayList<>();
        for (java.util.concurrent.Future<RecordMetadata> f : fs) out.add(outcome(f));
        return out;
    }

    static final String OTHER_RECORD = "KafkaException: Failed to append record because it was part of a batch which had one more more invalid records";

    static Outcome recordErrors() throws Exception {
        String compact = topic + "-compact", small = topic + "-small";
        try (Admin a = admin()) {
            get(a.createTopics(Arrays.asList(
                newTopic(compact, 1, 1, "cleanup.policy", "compact"),
                newTopic(small, 1, 1, "max.message.bytes", "1000"))).all());
        }
        List<String> problems = new ArrayList<>();
        int cases = 0;
        Properties pp = common();
        pp.put("key.serializer", StringSerializer.class.getName());
        pp.put("value.serializer", StringSerializer.class.getName());
        pp.put("linger.ms", "1000");
        pp.put("acks", "all"); // and the default idempotence: a refused batch must not break the producer's sequences
        try (KafkaProducer<String, String> p = new KafkaProducer<>(pp)) {
            String noKey = "Compacted topic cannot accept message without key in topic partition " + compact + "-0";
            // Two keyless records among keyed ones: each bad record fails with its own message, the others with the generic one.
            List<String> got = sendBatch(p, Arrays.asList(
                new ProducerRecord<>(compact, 0, "k0", "v0"), new ProducerRecord<>(compact, 0, null, "v1"),
                new ProducerRecord<>(compact, 0, "k2", "v2"), new ProducerRecord<>(compact, 0, null, "v3")));
            cases++;
            List<String> want = Arrays.asList(OTHER_RECORD, "InvalidRecordException: " + noKey, OTHER_RECORD, "InvalidRecordException: " + noKey);
            if (!got.equals(want)) problem(problems, "compacted, 2 keyless of 4: got " + got + ", want " + want);
            // One keyless record: the partition's error code's exception, with the record's message.
            got = sendBatch(p, Arrays.asList(new ProducerRecord<>(compact, 0, "k4", "v4"), new ProducerRecord<>(compact, 0, null, "v5")));
            cases++;
            want = Arrays.asList(OTHER_RECORD, "InvalidRecordException: " + noKey);
            if (!got.equals(want)) problem(problems, "compacted, 1 keyless of 2: got " + got + ", want " + want);
            // Keyed records afterwards are stored from offset 0: nothing of the refused batches was.
            got = sendBatch(p, Arrays.asList(new ProducerRecord<>(compact, 0, "k6", "v6"), new ProducerRecord<>(compact, 0, "k7", "v7")));
            cases++;
            if (!got.equals(Arrays.asList("ok@0", "ok@1"))) problem(problems, "compacted, keyed after refusals: got " + got + ", want [ok@0, ok@1]");

            // A CreateTime two hours ahead (message.timestamp.after.max.ms defaults to one hour).
            long now = System.currentTimeMillis(), future = now + 7_200_000L;
            got = sendBatch(p, Arrays.asList(
                new ProducerRecord<>(topic, 0, now, "t0", "t0"), new ProducerRecord<>(topic, 0, future, "t1", "t1"),
                new ProducerRecord<>(topic, 0, now, "t2", "t2")));
            cases++;
            String tsPattern = "InvalidTimestampException: Timestamp " + future + " of message with offset 1 is out of range\\. "
                + "The timestamp should be within \\[-?\\d+, \\d+\\]";
            if (got.size() != 3 || !got.get(0).equals(OTHER_RECORD) || !got.get(1).matches(tsPattern) || !got.get(2).equals(OTHER_RECORD))
                problem(problems, "future timestamp: got " + got + ", want [generic, " + tsPattern + ", generic]");
            else {
                // The window is [now - before.max.ms (Long.MAX_VALUE), now + after.max.ms (3600000)] on the broker's clock.
                String[] bounds = got.get(1).replaceAll(".*\\[(-?\\d+), (\\d+)\\]$", "$1 $2").split(" ");
                long lo = Long.parseLong(bounds[0]), hi = Long.parseLong(bounds[1]);
                if (hi - lo != Long.MAX_VALUE + 3_600_000L || Math.abs(hi - 3_600_000L - now) > 60_000)
                    problem(problems, "future timestamp: window [" + lo + ", " + hi + "] is not [now - Long.MAX_VALUE, now + 3600000]");
            }
            got = sendBatch(p, Arrays.asList(new ProducerRecord<>(topic, 0, now, "t3", "t3")));
            cases++;
            if (!got.equals(Arrays.asList("ok@0"))) problem(problems, "after the refused batch: got " + got + ", want [ok@0]");

            // A record larger than the topic's max.message.bytes: Kafka's default message (the broker sends none).
            char[] big = new char[2000];
            Arrays.fill(big, 'x');
            got = sendBatch(p, Arrays.asList(new ProducerRecord<>(small, 0, "big", new String(big))));
            cases++;
            want = Arrays.asList("RecordTooLargeException: The request included a message larger than the max message size the server will accept.");
            if (!got.equals(want)) problem(problems, "too large: got " + got + ", want " + want);
        }
        // What is stored: only the accepted records.
        try (KafkaConsumer<String, String> c = consumer(null)) {
            TopicPartition tp = new TopicPartition(compact, 0);
            c.assign(Collections.singleton(tp));
            c.seekToBeginning(Collections.singleton(tp));
            List<String> keys = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 20000;
            while (keys.size() < 2 && System.currentTimeMillis() < deadline)
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(300))) keys.add(r.offset() + ":" + r.key());
            cases++;
            if (!keys.equals(Arrays.asList("0:k6", "1:k7"))) problem(problems, "stored in " + compact + ": " + keys + ", want [0:k6, 1:k7]");
        }
        return problems.isEmpty() ? pass(cases + " cases: per-record InvalidRecordException / InvalidTimestampException with Kafka's messages, "
            + "the generic error for the batch's other records, RecordTooLargeException, nothing of refused batches stored")
            : fail(String.join("; ", problems));
    }

    // ------------------------------------------------------------------ fetch-close (see compat/README.md)
    static Outcome fetchClose() throws Exception {
        produce("none", Collections.singletonList(new Rec("k", "v", Collections.emptyList(), BASE_TS)));
        Properties cp = common();
        cp.put("key.deserializer", StringDeserializer.class.getName());
        cp.put("value.deserializer", StringDeserializer.class.getName());
        cp.put("fetch.max.wait.ms", "5000"); // a close that waited for the fetch to time out would take this long
        KafkaConsumer<String, String> c = new KafkaConsumer<>(cp);
        TopicPartition tp = new TopicPartition(topic, 0);
        c.assign(Collections.singleton(tp));
        c.seekToBeginning(Collections.singleton(tp));
        if (firstOffset(c) != 0) return fail("first record not at offset 0");
        // A fetch session is open now. Pause the partition and poll past fetch.max.wait.ms, so that no fetch
        // is in flight any more: close then sends only the fetch that ends the session, which names no partition.
        c.pause(Collections.singleton(tp));
        long drainUntil = System.currentTimeMillis() + 6000;
        while (System.currentTimeMillis() < drainUntil) c.poll(Duration.ofMillis(500));
        long t0 = System.nanoTime();
        c.close(Duration.ofSeconds(30));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (ms >= 2500) return fail("close took " + ms + " ms: the session-closing fetch was held towards fetch.max.wait.ms (5000)");
        return pass("close returned in under 2.5 s (fetch.max.wait.ms 5000): the session-closing fetch is answered at once");
    }

    // ------------------------------------------------------------------ broker-configs, reassignments, acls-disabled

    /** Checks one expectation; a failed one is added to `problems` with what was seen. */
    static void expect(List<String> problems, String what, Object got, Object want) {
        if (!Objects.equals(String.valueOf(got), String.valueOf(want))) problems.add(what + ": got " + got + ", want " + want);
    }

    static String synonymsText(ConfigEntry e) {
        StringBuilder b = new StringBuilder();
        for (ConfigEntry.ConfigSynonym s : e.synonyms()) b.append(b.length() == 0 ? "" : ",").append(s.source()).append(':').append(s.name()).append('=').append(s.value());
        return b.toString();
    }

    /**
     * Broker configs as a fresh Kafka 4.1 cluster reports them: the cluster-wide default resource holds
     * min.insync.replicas=1 (DYNAMIC_DEFAULT_BROKER_CONFIG); the broker lists at least Kafka's 316 configs
     * with types, passwords null and sensitive; a topic inherits min.insync.replicas from the cluster
     * default; a read-only config cannot be changed; a validate-only change changes nothing.
     */
    static Outcome brokerConfigs() throws Exception {
        List<String> problems = new ArrayList<>();
        try (Admin a = admin()) {
            String id = String.valueOf(get(a.describeCluster().nodes()).iterator().next().id());
            ConfigResource def = new ConfigResource(ConfigResource.Type.BROKER, "");
            ConfigResource br = new ConfigResource(ConfigResource.Type.BROKER, id);
            DescribeConfigsOptions syn = new DescribeConfigsOptions().includeSynonyms(true).includeDocumentation(true);
            Config dc = get(a.describeConfigs(Collections.singleton(def), syn).all()).get(def);
            List<String> defaults = new ArrayList<>();
            for (ConfigEntry e : dc.entries()) defaults.add(e.name() + "=" + e.value() + " " + e.source() + " [" + synonymsText(e) + "]");
            expect(problems, "cluster defaults", defaults, List.of("min.insync.replicas=1 DYNAMIC_DEFAULT_BROKER_CONFIG [DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas=1]"));
            Config bc = get(a.describeConfigs(Collections.singleton(br), syn).all()).get(br);
            if (bc.entries().size() < 316) problems.add("broker lists " + bc.entries().size() + " configs, want at least 316");
            ConfigEntry mir = bc.get("min.insync.replicas");
            expect(problems, "broker min.insync.replicas", mir == null ? null : mir.value() + " " + mir.source() + " " + mir.type() + " readOnly=" + mir.isReadOnly() + " first synonym " + mir.synonyms().get(0).source(),
                "1 DYNAMIC_DEFAULT_BROKER_CONFIG INT readOnly=false first synonym DYNAMIC_DEFAULT_BROKER_CONFIG");
            for (String[] want : new String[][]{
                    {"sasl.jaas.config", "null PASSWORD sensitive=true"},
                    {"ssl.keystore.password", "null PASSWORD sensitive=true"},
                    {"log.retention.ms", "null LONG sensitive=false"},
                    {"num.io.threads", "8 INT sensitive=false"},
                    {"group.consumer.assignors", "uniform,range LIST sensitive=false"},
                    {"sasl.login.refresh.buffer.seconds", "300 SHORT sensitive=false"},
                    {"num.network.threads", "3 INT sensitive=false"},
                    {"log.cleaner.min.cleanable.ratio", "0.5 DOUBLE sensitive=false"},
                    {"broker.rack", "null STRING sensitive=false"},
                    {"authorizer.class.name", " STRING sensitive=false"}}) {
                ConfigEntry e = bc.get(want[0]);
                expect(problems, want[0], e == null ? "missing" : e.value() + " " + e.type() + " sensitive=" + e.isSensitive(), want[1]);
            }
            for (String ro : new String[]{"broker.rack", "process.roles", "node.id", "log.dirs", "socket.request.max.bytes"}) {
                ConfigEntry e = bc.get(ro);
                expect(problems, ro + " read-only", e == null ? "missing" : e.isReadOnly(), true);
            }
            String t = topic + "-bc";
            createTopic(a, newTopic(t, 1, 1), false);
            eventually(() -> describeTopic(a, t).partitions().size(), x -> x == 1);
            ConfigResource tr = new ConfigResource(ConfigResource.Type.TOPIC, t);
            ConfigEntry tm = get(a.describeConfigs(Collections.singleton(tr), syn).all()).get(tr).get("min.insync.replicas");
            expect(problems, "topic min.insync.replicas", tm.value() + " " + tm.source() + " first synonym " + tm.synonyms().get(0).source() + ":" + tm.synonyms().get(0).name(),
                "1 DYNAMIC_DEFAULT_BROKER_CONFIG first synonym DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas");
            String[] got = attempt(() -> alter(a, br, AlterConfigOp.OpType.SET, "broker.rack", "r1"));
            expect(problems, "SET broker.rack", got[0] + ": " + got[1], "InvalidRequestException: Cannot update these configs dynamically: Set(broker.rack)");
            got = attempt(() -> {
                get(a.incrementalAlterConfigs(Collections.singletonMap(def, Collections.singleton(new AlterConfigOp(new ConfigEntry("min.insync.replicas", "2"), AlterConfigOp.OpType.SET))),
                    new AlterConfigsOptions().validateOnly(true)).all());
                return "validated";
            });
            expect(problems, "validate-only SET min.insync.replicas=2", got[0] + ": " + got[1], "ok: validated");
            got = attempt(() -> alter(a, def, AlterConfigOp.OpType.SET, "min.insync.replicas", "0"));
            expect(problems, "SET min.insync.replicas=0", got[0] + ": " + got[1], "InvalidRequestException: Invalid value 0 for configuration min.insync.replicas: Value must be at least 1");
            Config after = get(a.describeConfigs(Collections.singleton(def)).all()).get(def);
            expect(problems, "cluster default after", after.get("min.insync.replicas") == null ? null : after.get("min.insync.replicas").value(), "1");
            get(a.deleteTopics(Collections.singleton(t)).all());
        }
        if (!problems.isEmpty()) {
            problems.forEach(System.err::println);
            return fail(String.join("; ", problems));
        }
        return pass("cluster default min.insync.replicas=1 (DYNAMIC_DEFAULT_BROKER_CONFIG), inherited by topics; broker lists >= 316 configs with Kafka's types, passwords null; read-only and bad changes refused as Kafka; validate-only changes nothing");
    }

    /**
     * Reassignments on a cluster whose only replicas are already in place: to the current replicas it
     * succeeds and none stays in progress; cancelling none, unknown brokers, empty lists, unknown topics
     * and partitions get Kafka's errors and messages.
     */
    static Outcome reassignments() throws Exception {
        List<String> problems = new ArrayList<>();
        String t = topic + "-ra", missing = topic + "-ra-missing";
        try (Admin a = admin()) {
            int id = get(a.describeCluster().nodes()).iterator().next().id();
            createTopic(a, newTopic(t, 2, 1), false);
            eventually(() -> describeTopic(a, t).partitions().size(), x -> x == 2);
            TopicPartition p0 = new TopicPartition(t, 0), p1 = new TopicPartition(t, 1);
            String[] got = attempt(() -> { get(a.alterPartitionReassignments(Map.of(p0, Optional.of(new NewPartitionReassignment(List.of(id))))).all()); return "reassigned"; });
            expect(problems, "to the current replicas", got[0] + ": " + got[1], "ok: reassigned");
            Map<TopicPartition, PartitionReassignment> ongoing = eventually(() -> get(a.listPartitionReassignments().reassignments()), Map::isEmpty);
            expect(problems, "in progress after", ongoing.keySet(), "[]");
            expect(problems, "in progress for the topic", get(a.listPartitionReassignments(Set.of(p0, p1)).reassignments()).keySet(), "[]");
            expect(problems, "replicas after", describeTopic(a, t).partitions().get(0).replicas().stream().map(Node::id).toList(), List.of(id));
            String[][] cases = {
                {"cancel none", "NoReassignmentInProgressException: No partition reassignment is in progress."},
                {"unknown broker", "InvalidReplicaAssignmentException: The manual partition assignment includes broker " + (id + 100) + ", but no such broker is registered."},
                {"broker twice", "InvalidReplicaAssignmentException: The manual partition assignment includes the broker " + id + " more than once."},
                {"unknown partition", "UnknownTopicOrPartitionException: Unable to find partition " + t + ":5."},
                {"unknown topic", "UnknownTopicOrPartitionException: Unable to find a topic named " + missing + "."},
            };
            List<AdminCall> calls = List.of(
                () -> { get(a.alterPartitionReassignments(Map.of(p1, Optional.empty())).all()); return "ok"; },
                () -> { get(a.alterPartitionReassignments(Map.of(p1, Optional.of(new NewPartitionReassignment(List.of(id + 100))))).all()); return "ok"; },
                () -> { get(a.alterPartitionReassignments(Map.of(p1, Optional.of(new NewPartitionReassignment(List.of(id, id))))).all()); return "ok"; },
                () -> { get(a.alterPartitionReassignments(Map.of(new TopicPartition(t, 5), Optional.of(new NewPartitionReassignment(List.of(id))))).all()); return "ok"; },
                () -> { get(a.alterPartitionReassignments(Map.of(new TopicPartition(missing, 0), Optional.of(new NewPartitionReassignment(List.of(id))))).all()); return "ok"; });
            for (int i = 0; i < cases.length; i++) {
                String[] r = attempt(calls.get(i));
                expect(problems, cases[i][0], r[0] + ": " + r[1], cases[i][1]);
            }
            expect(problems, "replicas of partition 1 after the refusals", describeTopic(a, t).partitions().get(1).replicas().stream().map(Node::id).toList(), List.of(id));
            get(a.deleteTopics(Collections.singleton(t)).all());
        }
        if (!problems.isEmpty()) {
            problems.forEach(System.err::println);
            return fail(String.join("; ", problems));
        }
        return pass("reassignment to the current replicas succeeds and none is in progress; cancel none, unknown broker, broker twice, unknown partition and topic refused with Kafka's exceptions and messages");
    }

    /** Without an authorizer: describeAcls, createAcls and deleteAcls raise SecurityDisabledException with Kafka's messages. */
    static Outcome aclsDisabled() throws Exception {
        List<String> problems = new ArrayList<>();
        try (Admin a = admin()) {
            org.apache.kafka.common.acl.AclBinding binding = new org.apache.kafka.common.acl.AclBinding(
                new org.apache.kafka.common.resource.ResourcePattern(org.apache.kafka.common.resource.ResourceType.TOPIC, topic, org.apache.kafka.common.resource.PatternType.LITERAL),
                new org.apache.kafka.common.acl.AccessControlEntry("User:alice", "*", org.apache.kafka.common.acl.AclOperation.READ, org.apache.kafka.common.acl.AclPermissionType.ALLOW));
            String[] got = attempt(() -> get(a.describeAcls(org.apache.kafka.common.acl.AclBindingFilter.ANY).values()));
            expect(problems, "describeAcls", got[0] + ": " + got[1], "SecurityDisabledException: No Authorizer is configured on the broker");
            got = attempt(() -> { get(a.createAcls(List.of(binding)).all()); return "created"; });
            expect(problems, "createAcls", got[0] + ": " + got[1], "SecurityDisabledException: No Authorizer is configured.");
            got = attempt(() -> get(a.deleteAcls(List.of(org.apache.kafka.common.acl.AclBindingFilter.ANY)).all()));
            expect(problems, "deleteAcls", got[0] + ": " + got[1], "SecurityDisabledException: No Authorizer is configured.");
            // The connection survives: the next call works.
            expect(problems, "describeCluster after", get(a.describeCluster().nodes()).isEmpty(), false);
        }
        if (!problems.isEmpty()) {
            problems.forEach(System.err::println);
            return fail(String.join("; ", problems));
        }
        return pass("describeAcls, createAcls, deleteAcls: SecurityDisabledException (No Authorizer is configured ...); the connection stays usable");
    }

    // ------------------------------------------------------------------ admin-errors (see compat/README.md)
    interface AdminCall { Object run() throws Exception; }

    /** One scripted bad admin call: the exception class it must raise ("ok": none) and, unless null, its exact message. */
    static final class ErrCase {
        final String name, wantClass, wantMessage; final AdminCall call;
        ErrCase(String name, String wantClass, String wantMessage, AdminCall call) {
            this.name = name; this.wantClass = wantClass; this.wantMessage = wantMessage; this.call = call;
        }
    }

    /** {class, message} of what the call raised, or {"ok", result} */
    static String[] attempt(AdminCall call) {
        try {
            Object r = call.run();
            return new String[]{"ok", String.valueOf(r)};
        } catch (Exception e) {
            Throwable c = e;
            while (c instanceof java.util.concurrent.ExecutionException && c.getCause() != null) c = c.getCause();
            return new String[]{c.getClass().getSimpleName(), c.getMessage()};
        }
    }

    static Object createTopic(Admin a, NewTopic nt, boolean validateOnly) throws Exception {
        get(a.createTopics(Collections.singleton(nt), new CreateTopicsOptions().validateOnly(validateOnly)).all());
        return "created";
    }

    static NewTopic newTopic(String name, int partitions, int rf, String... configs) {
        NewTopic nt = new NewTopic(name, Optional.of(partitions), Optional.of((short) rf));
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < configs.length; i += 2) m.put(configs[i], configs[i + 1]);
        return m.isEmpty() ? nt : nt.configs(m);
    }

    static Object alter(Admin a, ConfigResource r, AlterConfigOp.OpType op, String name, String value) throws Exception {
        get(a.incrementalAlterConfigs(Collections.singletonMap(r, Collections.singleton(new AlterConfigOp(new ConfigEntry(name, value), op)))).all());
        return "altered";
    }

    static final String UNKNOWN_TP = "This server does not host this topic-partition.";
    static final String OUT_OF_RANGE = "The requested offset is not within the range of offsets maintained by the server.";
    static final String NON_POSITIVE = "Number of partitions was set to an invalid non-positive value.";
    static final String BAD_RF = "Replication factor must be larger than 0, or -1 to use the default value.";

    /** The legacy Admin.alterConfigs (AlterConfigs, key 33), gone from the 4.x Admin interface: called by reflection where present. */
    static Object legacyAlter(Admin a, ConfigResource r, String name, String value) throws Exception {
        java.lang.reflect.Method m = Admin.class.getMethod("alterConfigs", Map.class);
        Object res = m.invoke(a, Collections.singletonMap(r, new Config(Collections.singleton(new ConfigEntry(name, value)))));
        get(((AlterConfigsResult) res).all());
        return "altered";
    }

    static boolean hasLegacyAlterConfigs() {
        try { Admin.class.getMethod("alterConfigs", Map.class); return true; } catch (NoSuchMethodException e) { return false; }
    }

    /**
     * Bad admin calls, each with the exception (= Kafka error code) the Java AdminClient must raise and,
     * where Kafka's text is stable, the exact message; the same list must pass against Kafka and kpg.
     */
    static Outcome adminErrors() throws Exception {
        String t = topic + "-err", missing = topic + "-missing", vo = topic + "-vo", fresh = topic + "-new";
        String long250 = "t".repeat(250);
        List<ErrCase> cases = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        try (Admin a = admin()) {
            int brokers = get(a.describeCluster().nodes()).size();
            String brokerId = String.valueOf(get(a.describeCluster().nodes()).iterator().next().id());
            createTopic(a, newTopic(t, 2, 1), false);
            eventually(() -> describeTopic(a, t).partitions().size(), x -> x == 2);
            try (KafkaProducer<String, String> p = producer("none")) {
                for (int i = 0; i < 3; i++) p.send(new ProducerRecord<>(t, 0, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
            }
            ConfigResource tr = new ConfigResource(ConfigResource.Type.TOPIC, t);
            ConfigResource mr = new ConfigResource(ConfigResource.Type.TOPIC, missing);
            ConfigResource br = new ConfigResource(ConfigResource.Type.BROKER, brokerId);
            String dotted = topic + "-x.y", collider = topic + "-x_y";
            createTopic(a, newTopic(dotted, 1, 1), false);
            org.apache.kafka.common.Uuid randomId = org.apache.kafka.common.Uuid.randomUuid();
            TopicPartition p0 = new TopicPartition(t, 0), p1 = new TopicPartition(t, 1), p7 = new TopicPartition(t, 7), m0 = new TopicPartition(missing, 0);

            // CreateTopics: names
            cases.add(new ErrCase("create 'bad name!'", "InvalidTopicException", "Topic name is invalid: 'bad name!' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'", () -> createTopic(a, newTopic("bad name!", 1, 1), false)));
            cases.add(new ErrCase("create '..'", "InvalidTopicException", "Topic name is invalid: '..' is not allowed", () -> createTopic(a, newTopic("..", 1, 1), false)));
            cases.add(new ErrCase("create '.'", "InvalidTopicException", "Topic name is invalid: '.' is not allowed", () -> createTopic(a, newTopic(".", 1, 1), false)));
            cases.add(new ErrCase("create 250-char name", "InvalidTopicException", "Topic name is invalid: the length of '" + long250 + "' is longer than the max allowed length 249", () -> createTopic(a, newTopic(long250, 1, 1), false)));
            // partitions and replication factor
            cases.add(new ErrCase("create partitions 0", "InvalidPartitionsException", NON_POSITIVE, () -> createTopic(a, newTopic(fresh, 0, 1), false)));
            cases.add(new ErrCase("create partitions -2", "InvalidPartitionsException", NON_POSITIVE, () -> createTopic(a, newTopic(fresh, -2, 1), false)));
            cases.add(new ErrCase("create replication factor 0", "InvalidReplicationFactorException", BAD_RF, () -> createTopic(a, newTopic(fresh, 1, 0), false)));
            cases.add(new ErrCase("create replication factor -2", "InvalidReplicationFactorException", BAD_RF, () -> createTopic(a, newTopic(fresh, 1, -2), false)));
            cases.add(new ErrCase("create replication factor brokers+1", "InvalidReplicationFactorException", "Unable to replicate the partition " + (brokers + 1) + " time(s): The target replication factor of " + (brokers + 1)
                + " cannot be reached because only " + brokers + " broker(s) are registered.", () -> createTopic(a, newTopic(fresh, 1, brokers + 1), false)));
            // configs
            cases.add(new ErrCase("create unknown config", "InvalidConfigurationException", "Unknown topic config name: no.such.config", () -> createTopic(a, newTopic(fresh, 1, 1, "no.such.config", "1"), false)));
            cases.add(new ErrCase("create retention.ms=abc", "InvalidConfigurationException", "Invalid value abc for configuration retention.ms: Not a number of type LONG", () -> createTopic(a, newTopic(fresh, 1, 1, "retention.ms", "abc"), false)));
            cases.add(new ErrCase("create cleanup.policy=bogus", "InvalidConfigurationException", "Invalid value bogus for configuration cleanup.policy: String must be one of: compact, delete", () -> createTopic(a, newTopic(fresh, 1, 1, "cleanup.policy", "bogus"), false)));
            cases.add(new ErrCase("create min.insync.replicas=0", "InvalidConfigurationException", "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1", () -> createTopic(a, newTopic(fresh, 1, 1, "min.insync.replicas", "0"), false)));
            // existing topic, validate-only
            cases.add(new ErrCase("create existing topic", "TopicExistsException", "Topic '" + t + "' already exists.", () -> createTopic(a, newTopic(t, 1, 1), false)));
            cases.add(new ErrCase("create validateOnly", "ok", null, () -> createTopic(a, newTopic(vo, 3, 1), true)));
            cases.add(new ErrCase("validateOnly topic not listed", "ok", "false", () -> get(a.listTopics().names()).contains(vo)));
            cases.add(new ErrCase("describeTopics validateOnly topic", "UnknownTopicOrPartitionException", UNKNOWN_TP, () -> describeTopic(a, vo)));
            cases.add(new ErrCase("create validateOnly partitions 0", "InvalidPartitionsException", NON_POSITIVE, () -> createTopic(a, newTopic(vo, 0, 1), true)));
            cases.add(new ErrCase("create validateOnly existing topic", "TopicExistsException", "Topic '" + t + "' already exists.", () -> createTopic(a, newTopic(t, 1, 1), true)));
            cases.add(new ErrCase("create name colliding ('.' vs '_')", "InvalidTopicException", "Topic '" + collider + "' collides with existing topic: " + dotted,
                () -> createTopic(a, newTopic(collider, 1, 1), false)));
            cases.add(new ErrCase("create assignment to unknown broker", "InvalidReplicaAssignmentException", "The manual partition assignment includes broker 4242, but no such broker is registered.",
                () -> createTopic(a, new NewTopic(fresh, Collections.singletonMap(0, Collections.singletonList(4242))), false)));
            // DeleteTopics, CreatePartitions
            cases.add(new ErrCase("deleteTopics unknown", "UnknownTopicOrPartitionException", UNKNOWN_TP, () -> get(a.deleteTopics(Collections.singleton(missing)).all())));
            cases.add(new ErrCase("deleteTopics unknown topic id", "UnknownTopicIdException", "This server does not host this topic ID.",
                () -> get(a.deleteTopics(org.apache.kafka.common.TopicCollection.ofTopicIds(Collections.singleton(randomId))).all())));
            cases.add(new ErrCase("createPartitions 2 -> 1", "InvalidPartitionsException", "The topic " + t + " currently has 2 partition(s); 1 would not be an increase.",
                () -> get(a.createPartitions(Collections.singletonMap(t, NewPartitions.increaseTo(1))).all())));
            cases.add(new ErrCase("createPartitions 2 -> 2", "InvalidPartitionsException", "Topic already has 2 partition(s).",
                () -> get(a.createPartitions(Collections.singletonMap(t, NewPartitions.increaseTo(2))).all())));
            cases.add(new ErrCase("createPartitions unknown topic", "UnknownTopicOrPartitionException", UNKNOWN_TP,
                () -> get(a.createPartitions(Collections.singletonMap(missing, NewPartitions.increaseTo(3))).all())));
            cases.add(new ErrCase("createPartitions validateOnly 2 -> 3", "ok", null,
                () -> get(a.createPartitions(Collections.singletonMap(t, NewPartitions.increaseTo(3)), new CreatePartitionsOptions().validateOnly(true)).all())));
            cases.add(new ErrCase("still 2 partitions", "ok", "2", () -> describeTopic(a, t).partitions().size()));
            cases.add(new ErrCase("createPartitions assignment to unknown broker", "InvalidReplicaAssignmentException", "The manual partition assignment includes broker 4242, but no such broker is registered.",
                () -> get(a.createPartitions(Collections.singletonMap(t, NewPartitions.increaseTo(3, Collections.singletonList(Collections.singletonList(4242))))).all())));
            cases.add(new ErrCase("createPartitions too few assignments", "InvalidReplicaAssignmentException", "Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.",
                () -> get(a.createPartitions(Collections.singletonMap(t, NewPartitions.increaseTo(4, Collections.singletonList(Collections.singletonList(Integer.parseInt(brokerId)))))).all())));
            // configs of existing and unknown resources
            cases.add(new ErrCase("describeConfigs unknown topic", "UnknownTopicOrPartitionException", "",
                () -> get(a.describeConfigs(Collections.singleton(mr)).all())));
            cases.add(new ErrCase("describeConfigs invalid topic name", "InvalidTopicException", "Topic name is invalid: 'bad name!' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'",
                () -> get(a.describeConfigs(Collections.singleton(new ConfigResource(ConfigResource.Type.TOPIC, "bad name!"))).all())));
            cases.add(new ErrCase("incrementalAlterConfigs unknown config", "InvalidConfigurationException", "Unknown topic config name: no.such.config",
                () -> alter(a, tr, AlterConfigOp.OpType.SET, "no.such.config", "1")));
            cases.add(new ErrCase("incrementalAlterConfigs retention.ms=abc", "InvalidConfigurationException", "Invalid value abc for configuration retention.ms: Not a number of type LONG",
                () -> alter(a, tr, AlterConfigOp.OpType.SET, "retention.ms", "abc")));
            cases.add(new ErrCase("incrementalAlterConfigs cleanup.policy=bogus", "InvalidConfigurationException", "Invalid value bogus for configuration cleanup.policy: String must be one of: compact, delete",
                () -> alter(a, tr, AlterConfigOp.OpType.SET, "cleanup.policy", "bogus")));
            cases.add(new ErrCase("incrementalAlterConfigs SUBTRACT retention.ms", "InvalidConfigurationException", "Can't SUBTRACT to key retention.ms because its type is not LIST.",
                () -> alter(a, tr, AlterConfigOp.OpType.SUBTRACT, "retention.ms", "1000")));
            cases.add(new ErrCase("incrementalAlterConfigs APPEND retention.ms", "InvalidConfigurationException", "Can't APPEND to key retention.ms because its type is not LIST.",
                () -> alter(a, tr, AlterConfigOp.OpType.APPEND, "retention.ms", "1000")));
            cases.add(new ErrCase("incrementalAlterConfigs unknown topic", "UnknownTopicOrPartitionException", "The topic '" + missing + "' does not exist.",
                () -> alter(a, mr, AlterConfigOp.OpType.SET, "retention.ms", "1000")));
            cases.add(new ErrCase("incrementalAlterConfigs min.insync.replicas=0", "InvalidConfigurationException", "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1",
                () -> alter(a, tr, AlterConfigOp.OpType.SET, "min.insync.replicas", "0")));
            cases.add(new ErrCase("incrementalAlterConfigs APPEND cleanup.policy bogus", "InvalidConfigurationException", "Invalid value bogus for configuration cleanup.policy: String must be one of: compact, delete",
                () -> alter(a, tr, AlterConfigOp.OpType.APPEND, "cleanup.policy", "bogus")));
            // Kafka accepts deleting a config it does not know (nothing to delete).
            cases.add(new ErrCase("incrementalAlterConfigs DELETE unknown config", "ok", null,
                () -> alter(a, tr, AlterConfigOp.OpType.DELETE, "no.such.config", "")));
            cases.add(new ErrCase("incrementalAlterConfigs read-only broker config", "InvalidRequestException", "Cannot update these configs dynamically: Set(log.dirs)",
                () -> alter(a, br, AlterConfigOp.OpType.SET, "log.dirs", "/tmp/elsewhere")));
            if (hasLegacyAlterConfigs()) {
                cases.add(new ErrCase("alterConfigs (legacy) read-only broker config", "InvalidRequestException", "Cannot update these configs dynamically: Set(log.dirs)",
                    () -> legacyAlter(a, br, "log.dirs", "/tmp/elsewhere")));
                cases.add(new ErrCase("alterConfigs (legacy) retention.ms=abc", "InvalidConfigurationException", "Invalid value abc for configuration retention.ms: Not a number of type LONG",
                    () -> legacyAlter(a, tr, "retention.ms", "abc")));
                cases.add(new ErrCase("alterConfigs (legacy) unknown topic", "UnknownTopicOrPartitionException", "The topic '" + missing + "' does not exist.",
                    () -> legacyAlter(a, mr, "retention.ms", "1000")));
            }
            cases.add(new ErrCase("retention.ms unchanged", "ok", "604800000", () -> topicConfig(a, t, "retention.ms")));
            // DeleteRecords, ListOffsets, DescribeTopics
            cases.add(new ErrCase("deleteRecords beyond high watermark", "OffsetOutOfRangeException", OUT_OF_RANGE,
                () -> get(a.deleteRecords(Collections.singletonMap(p0, RecordsToDelete.beforeOffset(100))).all())));
            // The Java client looks a partition's leader up in Metadata first and, while the topic or partition is
            // missing there, retries until its deadline (Kafka and kpg alike): a TimeoutException, whose text is the client's.
            cases.add(new ErrCase("deleteRecords unknown partition", "TimeoutException", null,
                () -> get(a.deleteRecords(Collections.singletonMap(p7, RecordsToDelete.beforeOffset(1)), new DeleteRecordsOptions().timeoutMs(2000)).all())));
            cases.add(new ErrCase("deleteRecords unknown topic", "TimeoutException", null,
                () -> get(a.deleteRecords(Collections.singletonMap(m0, RecordsToDelete.beforeOffset(1)), new DeleteRecordsOptions().timeoutMs(2000)).all())));
            cases.add(new ErrCase("earliest offset unchanged", "ok", "0",
                () -> get(a.listOffsets(Collections.singletonMap(p0, OffsetSpec.earliest())).partitionResult(p0)).offset()));
            cases.add(new ErrCase("deleteRecords empty partition before 0", "ok", "0",
                () -> get(a.deleteRecords(Collections.singletonMap(p1, RecordsToDelete.beforeOffset(0))).lowWatermarks().get(p1)).lowWatermark()));
            cases.add(new ErrCase("deleteRecords empty partition before 1", "OffsetOutOfRangeException", OUT_OF_RANGE,
                () -> get(a.deleteRecords(Collections.singletonMap(p1, RecordsToDelete.beforeOffset(1))).all())));
            cases.add(new ErrCase("deleteRecords before -1 (the high watermark)", "ok", "3",
                () -> get(a.deleteRecords(Collections.singletonMap(p0, RecordsToDelete.beforeOffset(-1))).lowWatermarks().get(p0)).lowWatermark()));
            cases.add(new ErrCase("deleteRecords before -2", "OffsetOutOfRangeException", OUT_OF_RANGE,
                () -> get(a.deleteRecords(Collections.singletonMap(p0, RecordsToDelete.beforeOffset(-2))).all())));
            cases.add(new ErrCase("listOffsets unknown partition", "TimeoutException", null,
                () -> get(a.listOffsets(Collections.singletonMap(p7, OffsetSpec.latest()), new ListOffsetsOptions().timeoutMs(2000)).all())));
            cases.add(new ErrCase("listOffsets unknown topic", "UnknownTopicOrPartitionException", "Failed to fetch metadata for partition " + m0 + " because metadata for topic `" + missing + "` could not be found",
                () -> get(a.listOffsets(Collections.singletonMap(m0, OffsetSpec.latest()), new ListOffsetsOptions().timeoutMs(10000)).all())));
            cases.add(new ErrCase("describeTopics unknown", "UnknownTopicOrPartitionException", UNKNOWN_TP, () -> describeTopic(a, missing)));
            cases.add(new ErrCase("describeTopics unknown topic id", "UnknownTopicIdException", "TopicId " + randomId + " not found.",
                () -> get(a.describeTopics(org.apache.kafka.common.TopicCollection.ofTopicIds(Collections.singleton(randomId))).allTopicIds())));

            for (ErrCase c : cases) {
                String[] got = attempt(c.call);
                checked++;
                boolean ok = got[0].equals(c.wantClass) && (c.wantMessage == null || c.wantMessage.equals(got[1]));
                System.err.println((ok ? "ok   " : "FAIL ") + c.name + " -> " + got[0] + ": " + got[1]);
                if (!ok) problems.add(c.name + ": got " + got[0] + " (" + got[1] + "), want " + c.wantClass
                    + (c.wantMessage == null ? "" : " (" + c.wantMessage + ")"));
            }
            try { get(a.deleteTopics(Arrays.asList(t, dotted)).all()); } catch (Exception e) { problems.add("deleting " + t + ": " + e); }
        }
        if (!problems.isEmpty()) return fail(problems.size() + " of " + checked + " cases differ: " + String.join("; ", problems));
        long bad = cases.stream().filter(c -> !c.wantClass.equals("ok")).count();
        long exact = cases.stream().filter(c -> !c.wantClass.equals("ok") && c.wantMessage != null).count();
        return pass(checked + " cases checked: " + bad + " bad admin calls raised the expected exception (" + exact + " also with the exact message), "
            + (checked - bad) + " calls and read-backs succeeded as expected");
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

    /**
     * The `auth` scenario (compat/README.md): per mode (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN, OAUTHBEARER over
     * SASL_SSL; mTLS over SSL) alice produces 3 records to the topic and consumes them back in the group,
     * producing to the denied topic fails with TopicAuthorizationException; a wrong password fails with
     * SaslAuthenticationException; bob's consumer is refused; then the ACL matrix, compared with Kafka's answers.
     */
    static final class Auth {
        static Map<String, Object> sec;
        static final String[] MODES = {"SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN", "OAUTHBEARER", "mTLS"};

        /** The matrix as the reference Kafka 4.1 answers it: principal, call, resource -> error (NONE = allowed). */
        static final String[] EXPECTED = {
            "alice describeTopics topic = NONE",
            "alice describeTopics deniedTopic = NONE",
            "alice describeConfigs topic = NONE",
            "alice incrementalAlterConfigs topic = NONE",
            "alice createTopics topic-new = NONE",
            "alice deleteTopics topic-new = NONE",
            "alice createTopics noacl-topic = TOPIC_AUTHORIZATION_FAILED",
            "alice describeConfigs broker = CLUSTER_AUTHORIZATION_FAILED",
            "alice listConsumerGroupOffsets group = NONE",
            "alice listConsumerGroupOffsets noacl-group = GROUP_AUTHORIZATION_FAILED",
            "alice describeAcls cluster = CLUSTER_AUTHORIZATION_FAILED",
            "alice listTopics has topic = true",
            "alice describeCluster authorizedOperations = []",
            "bob describeTopics topic = TOPIC_AUTHORIZATION_FAILED",
            "bob describeTopics deniedTopic = TOPIC_AUTHORIZATION_FAILED",
            "bob describeConfigs topic = TOPIC_AUTHORIZATION_FAILED",
            "bob incrementalAlterConfigs topic = TOPIC_AUTHORIZATION_FAILED",
            "bob createTopics topic-new = TOPIC_AUTHORIZATION_FAILED",
            "bob deleteTopics topic-new = TOPIC_AUTHORIZATION_FAILED",
            "bob createTopics noacl-topic = TOPIC_AUTHORIZATION_FAILED",
            "bob describeConfigs broker = CLUSTER_AUTHORIZATION_FAILED",
            "bob listConsumerGroupOffsets group = GROUP_AUTHORIZATION_FAILED",
            "bob listConsumerGroupOffsets noacl-group = GROUP_AUTHORIZATION_FAILED",
            "bob describeAcls cluster = CLUSTER_AUTHORIZATION_FAILED",
            "bob listTopics has topic = false",
            "bob describeCluster authorizedOperations = []",
        };

        static String str(String key) {
            Object v = sec.get(key);
            if (!(v instanceof String)) throw new IllegalArgumentException("security file: no string " + key);
            return (String) v;
        }
        @SuppressWarnings("unchecked")
        static String str(String obj, String key) {
            Object o = sec.get(obj);
            Object v = o instanceof Map ? ((Map<String, Object>) o).get(key) : null;
            if (!(v instanceof String)) throw new IllegalArgumentException("security file: no string " + obj + "." + key);
            return (String) v;
        }

        /** Client properties of mode for user (password overrides the user's). */
        static Properties props(String mode, String user, String password) throws Exception {
            Properties p = new Properties();
            p.put("client.id", "kpg-compat-java-auth");
            p.put("request.timeout.ms", "15000");
            p.put("default.api.timeout.ms", "20000");
            p.put("max.block.ms", "20000");
            p.put("ssl.truststore.type", "PEM");
            p.put("ssl.truststore.location", str("caFile"));
            if (mode.equals("mTLS")) {
                p.put("bootstrap.servers", str("ssl"));
                p.put("security.protocol", "SSL");
                p.put("ssl.keystore.type", "PEM");
                p.put("ssl.keystore.certificate.chain", new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(str("clientCertFile"))), StandardCharsets.UTF_8));
                p.put("ssl.keystore.key", new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(str("clientKeyFile"))), StandardCharsets.UTF_8));
                return p;
            }
            p.put("bootstrap.servers", str("saslSsl"));
            p.put("security.protocol", "SASL_SSL");
            p.put("sasl.mechanism", mode);
            String pw = password != null ? password : str("users", user);
            switch (mode) {
                case "PLAIN":
                    p.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\"" + pw + "\";");
                    break;
                case "OAUTHBEARER":
                    // the runner's token (unsecured JWS); Kafka's own unsecured login handler would need Jackson,
                    // which the kafka-clients jars do not bring
                    p.put("sasl.jaas.config", "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;");
                    p.put("sasl.login.callback.handler.class", TokenLogin.class.getName());
                    TokenLogin.jwt = str("oauthTokens", user);
                    TokenLogin.subject = user;
                    break;
                default:
                    p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + pw + "\";");
            }
            return p;
        }

        static KafkaProducer<String, String> producer(Properties base) {
            Properties p = new Properties();
            p.putAll(base);
            p.put("key.serializer", StringSerializer.class.getName());
            p.put("value.serializer", StringSerializer.class.getName());
            p.put("acks", "all");
            p.put("linger.ms", "5");
            p.put("delivery.timeout.ms", "30000");
            return new KafkaProducer<>(p);
        }

        static KafkaConsumer<String, String> consumer(Properties base, String groupId) {
            Properties p = new Properties();
            p.putAll(base);
            p.put("key.deserializer", StringDeserializer.class.getName());
            p.put("value.deserializer", StringDeserializer.class.getName());
            p.put("auto.offset.reset", "earliest");
            p.put("enable.auto.commit", "false");
            p.put("group.id", groupId);
            return new KafkaConsumer<>(p);
        }

        static Throwable root(Throwable e) {
            while ((e instanceof java.util.concurrent.ExecutionException || e instanceof org.apache.kafka.common.KafkaException && !(e instanceof org.apache.kafka.common.errors.ApiException)) && e.getCause() != null) e = e.getCause();
            return e;
        }

        static String errorName(Throwable e) {
            return org.apache.kafka.common.protocol.Errors.forException(root(e)).name();
        }

        /** null when the mode works for alice, else what failed. */
        static String mode(String mode) throws Exception {
            Properties alice = props(mode, "alice", null);
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 3; i++) values.add("auth-" + mode + "-" + i + "-" + System.nanoTime());
            try (KafkaProducer<String, String> p = producer(alice)) {
                for (String v : values) p.send(new ProducerRecord<>(str("topic"), 0, null, v)).get(30, TimeUnit.SECONDS);
                try {
                    p.send(new ProducerRecord<>(str("deniedTopic"), 0, null, "denied")).get(30, TimeUnit.SECONDS);
                    return mode + ": producing to " + str("deniedTopic") + " succeeded";
                } catch (Exception e) {
                    if (!(root(e) instanceof org.apache.kafka.common.errors.TopicAuthorizationException))
                        return mode + ": producing to the denied topic: " + root(e) + ", want TopicAuthorizationException";
                }
            } catch (Exception e) {
                return mode + ": produce: " + root(e);
            }
            Set<String> want = new HashSet<>(values);
            try (KafkaConsumer<String, String> c = consumer(alice, str("group"))) {
                c.subscribe(Collections.singletonList(str("topic")));
                long until = System.currentTimeMillis() + 30000;
                while (!want.isEmpty() && System.currentTimeMillis() < until) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) want.remove(r.value());
                }
                if (!want.isEmpty()) return mode + ": consumed in " + str("group") + " without " + want;
                c.commitSync();
            } catch (Exception e) {
                return mode + ": consume: " + root(e);
            }
            return null;
        }

        static String wrongPassword() throws Exception {
            Properties p = props("SCRAM-SHA-512", "alice", "not-" + str("users", "alice"));
            try (Admin a = Admin.create(p)) {
                a.describeCluster().nodes().get(30, TimeUnit.SECONDS);
                return "a wrong password (SCRAM-SHA-512) was accepted";
            } catch (Exception e) {
                if (!(root(e) instanceof org.apache.kafka.common.errors.SaslAuthenticationException))
                    return "a wrong password: " + root(e) + ", want SaslAuthenticationException";
            }
            return null;
        }

        static String bobRefused() throws Exception {
            try (KafkaConsumer<String, String> c = consumer(props("SCRAM-SHA-512", "bob", null), str("group"))) {
                c.subscribe(Collections.singletonList(str("topic")));
                long until = System.currentTimeMillis() + 30000;
                while (System.currentTimeMillis() < until) {
                    ConsumerRecords<String, String> rs = c.poll(Duration.ofMillis(500));
                    if (!rs.isEmpty()) return "bob consumed " + rs.count() + " record(s)";
                }
                return "bob's consumer got no error in 30 s";
            } catch (Exception e) {
                Throwable r = root(e);
                if (r instanceof org.apache.kafka.common.errors.TopicAuthorizationException || r instanceof org.apache.kafka.common.errors.GroupAuthorizationException) return null;
                return "bob consuming: " + r + ", want TopicAuthorizationException or GroupAuthorizationException";
            }
        }

        interface Call { Object call(Admin a) throws Exception; }

        static String outcome(Admin a, Call call) {
            try {
                Object r = call.call(a);
                return r == null ? "NONE" : String.valueOf(r);
            } catch (Exception e) {
                return errorName(e);
            }
        }

        /** Each admin call of the matrix as alice and as bob (SCRAM-SHA-512): the error name Kafka's Errors gives. */
        static List<String> matrix() throws Exception {
            String t = str("topic"), denied = str("deniedTopic"), g = str("group");
            String created = t + "-new", noacl = "noacl-" + t;
            List<String> rows = new ArrayList<>();
            for (String user : new String[] {"alice", "bob"}) {
                try (Admin a = Admin.create(props("SCRAM-SHA-512", user, null))) {
                    ConfigResource topicRes = new ConfigResource(ConfigResource.Type.TOPIC, t);
                    String brokerId = String.valueOf(get(a.describeCluster().nodes()).iterator().next().id());
                    rows.add(user + " describeTopics topic = " + outcome(a, x -> { get(x.describeTopics(Collections.singleton(t)).allTopicNames()); return null; }));
                    rows.add(user + " describeTopics deniedTopic = " + outcome(a, x -> { get(x.describeTopics(Collections.singleton(denied)).allTopicNames()); return null; }));
                    rows.add(user + " describeConfigs topic = " + outcome(a, x -> { get(x.describeConfigs(Collections.singleton(topicRes)).all()); return null; }));
                    rows.add(user + " incrementalAlterConfigs topic = " + outcome(a, x -> {
                        get(x.incrementalAlterConfigs(Collections.singletonMap(topicRes, Collections.singletonList(
                            new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET)))).all());
                        return null;
                    }));
                    rows.add(user + " createTopics topic-new = " + outcome(a, x -> { get(x.createTopics(Collections.singleton(new NewTopic(created, 1, (short) 1))).all()); return null; }));
                    rows.add(user + " deleteTopics topic-new = " + outcome(a, x -> { get(x.deleteTopics(Collections.singleton(created)).all()); return null; }));
                    rows.add(user + " createTopics noacl-topic = " + outcome(a, x -> { get(x.createTopics(Collections.singleton(new NewTopic(noacl, 1, (short) 1))).all()); return null; }));
                    rows.add(user + " describeConfigs broker = " + outcome(a, x -> {
                        get(x.describeConfigs(Collections.singleton(new ConfigResource(ConfigResource.Type.BROKER, brokerId))).all());
                        return null;
                    }));
                    rows.add(user + " listConsumerGroupOffsets group = " + outcome(a, x -> { get(x.listConsumerGroupOffsets(g).partitionsToOffsetAndMetadata()); return null; }));
                    rows.add(user + " listConsumerGroupOffsets noacl-group = " + outcome(a, x -> { get(x.listConsumerGroupOffsets("noacl-" + g).partitionsToOffsetAndMetadata()); return null; }));
                    rows.add(user + " describeAcls cluster = " + outcome(a, x -> { get(x.describeAcls(org.apache.kafka.common.acl.AclBindingFilter.ANY).values()); return null; }));
                    rows.add(user + " listTopics has topic = " + outcome(a, x -> get(x.listTopics().names()).contains(t)));
                    rows.add(user + " describeCluster authorizedOperations = " + outcome(a, x -> {
                        Set<org.apache.kafka.common.acl.AclOperation> ops = get(x.describeCluster(new DescribeClusterOptions().includeAuthorizedOperations(true)).authorizedOperations());
                        List<String> names = new ArrayList<>();
                        if (ops != null) for (org.apache.kafka.common.acl.AclOperation o : ops) names.add(o.name());
                        Collections.sort(names);
                        return names.toString();
                    }));
                }
            }
            return rows;
        }

        static Outcome run() throws Exception {
            if (securityFile == null) return new Outcome("n/a", "no --security file (the runner passes one for the auth scenario)");
            sec = Json.object(new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(securityFile)), StandardCharsets.UTF_8));
            List<String> passed = new ArrayList<>();
            String firstFailure = null;
            for (String m : MODES) {
                String problem = mode(m);
                System.err.println("auth mode " + m + ": " + (problem == null ? "pass" : problem));
                if (problem == null) passed.add(m);
                else if (firstFailure == null) firstFailure = problem;
            }
            String wp = wrongPassword();
            System.err.println("auth wrong password: " + (wp == null ? "pass" : wp));
            if (wp != null && firstFailure == null) firstFailure = wp;
            String bob = bobRefused();
            System.err.println("auth bob refused: " + (bob == null ? "pass" : bob));
            if (bob != null && firstFailure == null) firstFailure = bob;
            List<String> rows = matrix();
            List<String> mismatches = new ArrayList<>();
            List<String> expected = Arrays.asList(EXPECTED);
            for (String r : rows) {
                System.err.println("auth matrix: " + r);
                if (!expected.contains(r)) {
                    String key = r.substring(0, r.indexOf(" = "));
                    String want = "?";
                    for (String e : expected) if (e.startsWith(key + " = ")) want = e.substring(key.length() + 3);
                    mismatches.add(r + " (Kafka: " + want + ")");
                }
            }
            if (!mismatches.isEmpty() && firstFailure == null) firstFailure = "ACL matrix: " + mismatches.size() + " of " + rows.size() + " differ: " + String.join("; ", mismatches);
            if (firstFailure != null) return fail(firstFailure + " (modes passed: " + passed + ")");
            return pass("modes " + passed + " as alice: produce 3, consume in the group, denied topic -> TopicAuthorizationException; wrong password -> SaslAuthenticationException; bob refused; ACL matrix of "
                + rows.size() + " calls as Kafka answers it");
        }
    }

    /** Hands the OAUTHBEARER login module the token of the security file. */
    public static final class TokenLogin implements org.apache.kafka.common.security.auth.AuthenticateCallbackHandler {
        static volatile String jwt, subject;
        @Override public void configure(Map<String, ?> configs, String mechanism, List<javax.security.auth.login.AppConfigurationEntry> jaas) { }
        @Override public void close() { }
        @Override public void handle(javax.security.auth.callback.Callback[] callbacks) throws javax.security.auth.callback.UnsupportedCallbackException {
            for (javax.security.auth.callback.Callback cb : callbacks) {
                if (!(cb instanceof org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback)) throw new javax.security.auth.callback.UnsupportedCallbackException(cb);
                final String value = jwt, sub = subject;
                final long now = System.currentTimeMillis();
                ((org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback) cb).token(new org.apache.kafka.common.security.oauthbearer.OAuthBearerToken() {
                    @Override public String value() { return value; }
                    @Override public Set<String> scope() { return Collections.emptySet(); }
                    @Override public long lifetimeMs() { return now + 3_600_000L; }
                    @Override public String principalName() { return sub; }
                    @Override public Long startTimeMs() { return now; }
                });
            }
        }
    }

    /** Just enough JSON for the security file: objects, strings, numbers, booleans, null. */
    static final class Json {
        final String s; int i;
        Json(String s) { this.s = s; }
        @SuppressWarnings("unchecked")
        static Map<String, Object> object(String text) { return (Map<String, Object>) new Json(text).value(); }
        void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
        Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++; ws();
                if (s.charAt(i) == '}') { i++; return m; }
                while (true) {
                    ws(); String k = string(); ws(); i++; // ':'
                    m.put(k, value()); ws();
                    if (s.charAt(i++) == '}') return m;
                }
            }
            if (c == '"') return string();
            int start = i;
            while (i < s.length() && ",}] \n\r\t".indexOf(s.charAt(i)) < 0) i++;
            String lit = s.substring(start, i);
            return lit.equals("null") ? null : lit.equals("true") ? Boolean.TRUE : lit.equals("false") ? Boolean.FALSE : lit;
        }
        String string() {
            StringBuilder b = new StringBuilder();
            i++; // opening quote
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c != '\\') { b.append(c); continue; }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n': b.append('\n'); break;
                    case 't': b.append('\t'); break;
                    case 'r': b.append('\r'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                    default: b.append(e);
                }
            }
            i++;
            return b.toString();
        }
    }
}
