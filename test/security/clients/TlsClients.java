// Java kafka-clients over a TLS listener: AdminClient describeCluster, one record produced and read back.
// Args: bootstrap truststore.pem keystore.pem|- topic. Prints one JSON line: status, the broker port
// describeCluster answered, produced and consumed counts, or the error's class and message.
import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.*;

public class TlsClients {
  public static void main(String[] a) {
    Properties p = new Properties();
    p.put("bootstrap.servers", a[0]);
    p.put("security.protocol", "SSL");
    p.put("ssl.truststore.type", "PEM");
    p.put("ssl.truststore.location", a[1]);
    if (!a[2].equals("-")) {
      p.put("ssl.keystore.type", "PEM");
      p.put("ssl.keystore.location", a[2]);
    }
    p.put("request.timeout.ms", "10000");
    p.put("default.api.timeout.ms", "15000");
    String topic = a[3];
    try (Admin admin = Admin.create(p)) {
      int port = admin.describeCluster().nodes().get().iterator().next().port();
      Properties pp = new Properties();
      pp.putAll(p);
      pp.put("key.serializer", StringSerializer.class.getName());
      pp.put("value.serializer", StringSerializer.class.getName());
      pp.put("max.block.ms", "15000");
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
        producer.send(new ProducerRecord<>(topic, 0, "k", "over tls")).get();
      }
      Properties cp = new Properties();
      cp.putAll(p);
      cp.put("key.deserializer", StringDeserializer.class.getName());
      cp.put("value.deserializer", StringDeserializer.class.getName());
      int consumed = 0;
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
        consumer.assign(List.of(new TopicPartition(topic, 0)));
        consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
        long deadline = System.currentTimeMillis() + 15000;
        while (consumed == 0 && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) if (r.value().equals("over tls")) consumed++;
        }
      }
      System.out.println("{\"status\":\"pass\",\"port\":" + port + ",\"produced\":1,\"consumed\":" + consumed + "}");
    } catch (Throwable e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) root = root.getCause();
      String msg = (root.getClass().getName() + ": " + root.getMessage()).replace("\\", "\\\\").replace("\"", "'");
      System.out.println("{\"status\":\"error\",\"error\":\"" + msg + "\"}");
    }
    System.exit(0);
  }
}
