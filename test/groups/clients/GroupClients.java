// Consumer group scenarios for the Java kafka-clients (3.9 and 4.x), run by test/groups/real-clients.test.ts.
//
//   java -cp "<classes>:<kafka-clients lib>/*" GroupClients --bootstrap H:P --scenario NAME --topic T --group G
//
// Scenarios: cooperative (CooperativeStickyAssignor, members joining and leaving), static
// (group.instance.id, a member restarting within its session timeout) and epochs (leader epochs on a
// one-partition topic: what records and commits carry, and that positions taken from a commit or a seek
// with an epoch are validated without a reset; the detail lists what was seen). Prints one JSON line
// {"scenario","status","detail"}; exits 0 unless it crashes.
//
// member (--scenario member --name N, run by test/groups/mixed-group.test.ts): one RoundRobinAssignor
// consumer in a group shared with other clients, driven by the test. Prints JSON lines as it goes:
// {"event":"state","memberId","generation","partitions"} whenever its membership changes,
// {"event":"record","partition","offset","key","value","generation"} per record (committed with
// commitSync after each poll), {"event":"commit-failed","error"} if a commit fails, and
// {"event":"closed"} once it left the group after its stdin closed.
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class GroupClients {
    static String bootstrap, scenario, topic, group;
    static final int PARTITIONS = 12;

    /** One consumer polling on its own thread, remembering what its rebalance listener saw. */
    static final class Member implements ConsumerRebalanceListener {
        final String name;
        final KafkaConsumer<String, String> consumer;
        final Set<Integer> owned = ConcurrentHashMap.newKeySet();
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final Set<String> values = ConcurrentHashMap.newKeySet();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;
        volatile Throwable failure;

        Member(String name, Properties extra) {
            this.name = name;
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
            p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "20000");
            p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.putAll(extra);
            consumer = new KafkaConsumer<>(p);
            thread = new Thread(this::loop, name);
            thread.start();
        }

        void loop() {
            try {
                consumer.subscribe(Collections.singletonList(topic), this);
                while (running.get()) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) values.add(r.value());
                    consumer.commitAsync();
                }
                consumer.commitSync();
            } catch (Throwable t) {
                failure = t;
            } finally {
                consumer.close(Duration.ofSeconds(10));
            }
        }

        @Override public void onPartitionsAssigned(Collection<TopicPartition> ps) {
            for (TopicPartition tp : ps) owned.add(tp.partition());
            events.add("assigned" + partitions(ps));
        }

        @Override public void onPartitionsRevoked(Collection<TopicPartition> ps) {
            for (TopicPartition tp : ps) owned.remove(tp.partition());
            if (!ps.isEmpty()) events.add("revoked" + partitions(ps));
        }

        @Override public void onPartitionsLost(Collection<TopicPartition> ps) {
            for (TopicPartition tp : ps) owned.remove(tp.partition());
            events.add("lost" + partitions(ps));
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }

    static List<Integer> partitions(Collection<TopicPartition> ps) {
        List<Integer> out = new ArrayList<>();
        for (TopicPartition tp : ps) out.add(tp.partition());
        Collections.sort(out);
        return out;
    }

    static Set<String> produce(String prefix, int n) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        Set<String> sent = new HashSet<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < n; i++) {
                String v = prefix + "-" + i;
                producer.send(new ProducerRecord<>(topic, i % PARTITIONS, null, v)).get();
                sent.add(v);
            }
        }
        return sent;
    }

    /** Every partition owned by exactly one of the members. */
    static boolean ownedExactlyOnce(List<Member> ms) {
        List<Integer> all = new ArrayList<>();
        for (Member m : ms) all.addAll(m.owned);
        Collections.sort(all);
        if (all.size() != PARTITIONS) return false;
        for (int i = 0; i < PARTITIONS; i++) if (all.get(i) != i) return false;
        return true;
    }

    static boolean received(List<Member> ms, Set<String> sent) {
        Set<String> got = new HashSet<>();
        for (Member m : ms) got.addAll(m.values);
        return got.containsAll(sent);
    }

    interface Check { boolean ok() throws Exception; }

    static void await(String what, Check check, List<Member> ms) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!check.ok()) {
            for (Member m : ms) if (m.failure != null) throw new IllegalStateException(m.name + " failed: " + m.failure);
            if (System.currentTimeMillis() > deadline) throw new TimeoutException("timed out waiting for " + what + "; " + describe(ms));
            Thread.sleep(100);
        }
    }

    static String describe(List<Member> ms) {
        StringBuilder b = new StringBuilder();
        for (Member m : ms) b.append(m.name).append(" owns ").append(new TreeSet<>(m.owned)).append(" events ").append(m.events).append("; ");
        return b.toString();
    }

    static String cooperative() throws Exception {
        Properties coop = new Properties();
        coop.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        Set<String> first = produce("first", 120);
        List<Member> ms = new ArrayList<>();
        for (int i = 0; i < 3; i++) ms.add(new Member("coop-" + i, coop));
        await("three members sharing the partitions", () -> ownedExactlyOnce(ms) && ms.stream().allMatch(m -> m.owned.size() == 4), ms);
        await("every record of the first batch", () -> received(ms, first), ms);

        // One leaves: cooperative rebalancing hands its partitions over without taking any from the others.
        Member leaving = ms.remove(2);
        Map<String, Set<Integer>> kept = new HashMap<>();
        for (Member m : ms) kept.put(m.name, new HashSet<>(m.owned));
        int[] revocationsBefore = new int[ms.size()];
        for (int i = 0; i < ms.size(); i++) revocationsBefore[i] = countRevocations(ms.get(i));
        leaving.stop();
        await("two members holding all partitions", () -> ownedExactlyOnce(ms), ms);
        for (int i = 0; i < ms.size(); i++) {
            Member m = ms.get(i);
            if (!m.owned.containsAll(kept.get(m.name))) return "fail: " + m.name + " lost partitions it kept; " + describe(ms);
            if (countRevocations(m) != revocationsBefore[i]) return "fail: " + m.name + " had partitions revoked; " + describe(ms);
        }
        Set<String> second = produce("second", 60);
        await("every record of the second batch", () -> received(ms, second), ms);
        for (Member m : ms) m.stop();
        return "pass";
    }

    static int countRevocations(Member m) {
        synchronized (m.events) {
            int n = 0;
            for (String e : m.events) if (e.startsWith("revoked") || e.startsWith("lost")) n++;
            return n;
        }
    }

    static String staticMembership() throws Exception {
        Properties a = new Properties();
        a.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "static-a");
        a.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "30000");
        Properties b = new Properties();
        b.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "static-b");
        b.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "30000");
        List<Member> ms = new ArrayList<>();
        ms.add(new Member("static-a", a));
        ms.add(new Member("static-b", b));
        await("two static members sharing the partitions", () -> ownedExactlyOnce(ms) && ms.stream().allMatch(m -> m.owned.size() == 6), ms);
        Set<Integer> bPartitions = new TreeSet<>(ms.get(1).owned);
        int aEvents = ms.get(0).events.size();

        // b restarts: a static member does not leave on close, and comes back under the same instance id.
        ms.get(1).stop();
        Member restarted = new Member("static-b-restarted", b);
        ms.set(1, restarted);
        await("the restarted member getting partitions", () -> !restarted.owned.isEmpty(), ms);
        if (!new TreeSet<>(restarted.owned).equals(bPartitions)) return "fail: restarted member got " + restarted.owned + " instead of " + bPartitions;
        Set<String> sent = produce("static", 48);
        await("every record", () -> received(ms, sent), ms);
        if (ms.get(0).events.size() != aEvents) return "fail: the other member rebalanced: " + ms.get(0).events;
        for (Member m : ms) m.stop();
        return "pass";
    }

    static Properties consumerProps(String groupId, String reset) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        if (groupId != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return p;
    }

    /** Polls until n records came (one per poll), failing after 60 s. */
    static List<ConsumerRecord<String, String>> pollRecords(KafkaConsumer<String, String> c, int n) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 60_000;
        while (out.size() < n) {
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("got " + out.size() + " of " + n + " records");
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) out.add(r);
        }
        return out;
    }

    static String epochOf(Optional<Integer> e) {
        return e.map(String::valueOf).orElse("none");
    }

    /**
     * 10 records to partition 0; a group consumer reads 4 and commits (with the epoch of the last record);
     * a second one in the group (auto.offset.reset=none, so a failed validation would throw) resumes from
     * the commit; a third, assigned, seeks to 7 with epoch 0 and reads from there.
     */
    static String epochs() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            for (int i = 0; i < 10; i++) producer.send(new ProducerRecord<>(topic, 0, null, "e-" + i)).get();
        }
        List<String> parts = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps(group, "earliest"))) {
            c.subscribe(Collections.singletonList(topic));
            List<String> seen = new ArrayList<>();
            for (ConsumerRecord<String, String> r : pollRecords(c, 4)) seen.add(r.offset() + ":" + epochOf(r.leaderEpoch()));
            c.commitSync();
            OffsetAndMetadata committed = c.committed(Collections.singleton(tp)).get(tp);
            parts.add("read " + String.join(",", seen));
            parts.add("committed " + committed.offset() + " epoch " + epochOf(committed.leaderEpoch()));
        }
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps(group, "none"))) {
            c.subscribe(Collections.singletonList(topic));
            ConsumerRecord<String, String> r = pollRecords(c, 1).get(0);
            parts.add("rejoined at " + r.offset() + " epoch " + epochOf(r.leaderEpoch()));
        }
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps(null, "none"))) {
            c.assign(Collections.singletonList(tp));
            c.seek(tp, new OffsetAndMetadata(7, Optional.of(0), ""));
            ConsumerRecord<String, String> r = pollRecords(c, 1).get(0);
            parts.add("seek 7 epoch 0 read " + r.offset());
        }
        return String.join("; ", parts);
    }

    static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static synchronized void emit(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static void member(String name) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RoundRobinAssignor.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "15000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "60000");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        AtomicBoolean running = new AtomicBoolean(true);
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) { }
            } catch (java.io.IOException e) {
                // closed either way
            }
            running.set(false);
        }, "stdin");
        stdin.setDaemon(true);
        stdin.start();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(Collections.singletonList(topic));
            String last = "";
            while (running.get()) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                ConsumerGroupMetadata meta = consumer.groupMetadata();
                String state = "{\"event\":\"state\",\"memberId\":" + json(meta.memberId()) + ",\"generation\":" + meta.generationId()
                        + ",\"partitions\":" + partitions(consumer.assignment()) + "}";
                if (!state.equals(last)) emit(last = state);
                for (ConsumerRecord<String, String> r : records) {
                    emit("{\"event\":\"record\",\"partition\":" + r.partition() + ",\"offset\":" + r.offset() + ",\"key\":" + json(String.valueOf(r.key()))
                            + ",\"value\":" + json(String.valueOf(r.value())) + ",\"generation\":" + meta.generationId() + "}");
                }
                if (!records.isEmpty()) {
                    try {
                        consumer.commitSync();
                    } catch (org.apache.kafka.common.KafkaException e) {
                        emit("{\"event\":\"commit-failed\",\"error\":" + json(e.toString()) + "}");
                    }
                }
            }
            consumer.close(Duration.ofSeconds(10));
        }
        emit("{\"event\":\"closed\"}");
    }

    public static void main(String[] args) throws Exception {
        String name = "member";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--bootstrap": bootstrap = args[i + 1]; break;
                case "--scenario": scenario = args[i + 1]; break;
                case "--topic": topic = args[i + 1]; break;
                case "--group": group = args[i + 1]; break;
                case "--name": name = args[i + 1]; break;
                default: System.err.println("unknown argument " + args[i]); System.exit(2);
            }
        }
        if (scenario.equals("member")) {
            member(name);
            System.exit(0);
        }
        String status, detail = "";
        try {
            String result = scenario.equals("cooperative") ? cooperative() : scenario.equals("epochs") ? epochs() : staticMembership();
            status = result.startsWith("fail") ? "fail" : "pass";
            detail = result;
        } catch (Throwable t) {
            status = "fail";
            detail = t.toString();
        }
        System.out.println("{\"scenario\":\"" + scenario + "\",\"status\":\"" + status + "\",\"detail\":\"" + detail.replace("\\", "\\\\").replace("\"", "'") + "\"}");
        System.exit(0);
    }
}
