// Java kafka-clients over SASL_PLAINTEXT for kpg's SASL tests.
// Usage: SaslClients BOOTSTRAP MECHANISM USER PASSWORD TOPIC SECONDS
// Produces one record a second for SECONDS (at least one) on one producer, reads them back with a
// consumer, and prints one JSON line: {"status":"pass","produced":n,"consumed":n} or
// {"status":"error","error":"<exception class>: <message>"}.
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class SaslClients {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0], mechanism = args[1], user = args[2], password = args[3], topic = args[4];
        int count = Math.max(1, Integer.parseInt(args[5]));
        String module = mechanism.equals("PLAIN")
                ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        Properties common = new Properties();
        common.put("bootstrap.servers", bootstrap);
        common.put("security.protocol", "SASL_PLAINTEXT");
        common.put("sasl.mechanism", mechanism);
        common.put("sasl.jaas.config", module + " required username=\"" + user + "\" password=\"" + password + "\";");
        try {
            Properties p = new Properties();
            p.putAll(common);
            p.put("key.serializer", StringSerializer.class.getName());
            p.put("value.serializer", StringSerializer.class.getName());
            p.put("max.block.ms", "15000");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                for (int i = 0; i < count; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, null, mechanism + "-" + i)).get();
                    if (i + 1 < count) Thread.sleep(1000);
                }
            }
            Properties c = new Properties();
            c.putAll(common);
            c.put("key.deserializer", StringDeserializer.class.getName());
            c.put("value.deserializer", StringDeserializer.class.getName());
            c.put("enable.auto.commit", "false");
            int seen = 0;
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
                TopicPartition tp = new TopicPartition(topic, 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long deadline = System.currentTimeMillis() + 15000;
                while (seen < count && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        if (r.value().startsWith(mechanism)) seen++;
                    }
                }
            }
            System.out.println("{\"status\":\"pass\",\"produced\":" + count + ",\"consumed\":" + seen + "}");
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            System.out.println("{\"status\":\"error\",\"error\":\"" + (cause.getClass().getSimpleName() + ": " + cause.getMessage()).replace("\\", "\\\\").replace("\"", "'") + "\"}");
        }
        System.exit(0);
    }
}
