import java.util.*;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;

/**
 * The Java AdminClient under ACLs (test/security/enforce.test.ts): one line per call, "name value", the
 * value an outcome or the simple name of the exception the call failed with.
 */
public class EnforceAdmin {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("default.api.timeout.ms", "15000");
    p.put("request.timeout.ms", "10000");
    try (Admin admin = Admin.create(p)) {
      report("listTopics", () -> new TreeSet<>(admin.listTopics().names().get()).toString());
      report("describeTopic.visible", () -> ops(admin.describeTopics(List.of("visible"), new DescribeTopicsOptions().includeAuthorizedOperations(true))
          .allTopicNames().get().get("visible").authorizedOperations()));
      report("describeTopic.hidden", () -> admin.describeTopics(List.of("hidden")).allTopicNames().get().toString());
      report("describeCluster", () -> ops(admin.describeCluster(new DescribeClusterOptions().includeAuthorizedOperations(true)).authorizedOperations().get()));
      report("createTopic.refused", () -> { admin.createTopics(List.of(new NewTopic("refused", 1, (short) 1))).all().get(); return "created"; });
      report("deleteRecords.visible", () -> {
        admin.deleteRecords(Map.of(new org.apache.kafka.common.TopicPartition("visible", 0), RecordsToDelete.beforeOffset(0))).all().get();
        return "deleted";
      });
      report("listGroups", () -> String.valueOf(admin.listGroups().all().get().size()));
    }
  }

  interface Call { String run() throws Exception; }

  static String ops(Set<AclOperation> ops) {
    return ops == null ? "null" : new TreeSet<>(ops.stream().map(Enum::name).toList()).toString();
  }

  static void report(String name, Call call) {
    String value;
    try {
      value = call.run();
    } catch (ExecutionException e) {
      value = e.getCause().getClass().getSimpleName();
    } catch (Exception e) {
      value = e.getClass().getSimpleName();
    }
    System.out.println(name + " " + value);
  }
}
