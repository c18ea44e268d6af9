// Client quotas through Kafka's Java AdminClient, for test/security/quotas-admin.test.ts: each step
// prints one line "<step> <outcome>", the outcome being what the AdminClient returned or the exception
// class and message it threw.
import java.util.*;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.quota.*;

public class QuotaAdmin {
  static Admin admin;

  static String alter(ClientQuotaEntity entity, List<ClientQuotaAlteration.Op> ops, boolean validateOnly) {
    try {
      admin.alterClientQuotas(List.of(new ClientQuotaAlteration(entity, ops)), new AlterClientQuotasOptions().validateOnly(validateOnly)).all().get();
      return "ok";
    } catch (ExecutionException e) {
      return e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
    } catch (InterruptedException e) {
      throw new RuntimeException(e);
    }
  }

  static String describe(ClientQuotaFilter filter) {
    try {
      Map<ClientQuotaEntity, Map<String, Double>> result = admin.describeClientQuotas(filter).entities().get();
      List<String> lines = new ArrayList<>();
      for (Map.Entry<ClientQuotaEntity, Map<String, Double>> e : result.entrySet()) {
        lines.add(new TreeMap<>(e.getKey().entries()) + "=" + new TreeMap<>(e.getValue()));
      }
      Collections.sort(lines);
      return String.join(";", lines);
    } catch (ExecutionException e) {
      return e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
    } catch (InterruptedException e) {
      throw new RuntimeException(e);
    }
  }

  static ClientQuotaEntity entity(String... typeAndName) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < typeAndName.length; i += 2) m.put(typeAndName[i], typeAndName[i + 1]);
    return new ClientQuotaEntity(m);
  }

  static ClientQuotaAlteration.Op set(String key, double value) {
    return new ClientQuotaAlteration.Op(key, value);
  }

  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    admin = Admin.create(props);
    try {
      System.out.println("set-user " + alter(entity("user", "frank"), List.of(set("producer_byte_rate", 1000), set("request_percentage", 12.5)), false));
      System.out.println("set-default-client " + alter(entity("client-id", null), List.of(set("consumer_byte_rate", 2000)), false));
      System.out.println("validate-only " + alter(entity("user", "ghost"), List.of(set("producer_byte_rate", 1)), true));
      System.out.println("negative " + alter(entity("user", "frank"), List.of(set("producer_byte_rate", -1)), false));
      System.out.println("fraction " + alter(entity("user", "frank"), List.of(set("consumer_byte_rate", 1.5)), false));
      System.out.println("unknown-key " + alter(entity("user", "frank"), List.of(set("fetch_rate", 1)), false));
      System.out.println("unknown-type " + alter(entity("group", "g"), List.of(set("producer_byte_rate", 1)), false));
      System.out.println("describe-frank " + describe(ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntity("user", "frank")))));
      System.out.println("describe-default-client " + describe(ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofDefaultEntity("client-id")))));
      System.out.println("describe-ghost " + describe(ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofEntity("user", "ghost")))));
      System.out.println("describe-all " + describe(ClientQuotaFilter.all()));
      System.out.println("describe-bad-type " + describe(ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofEntityType("topic")))));
      System.out.println("remove " + alter(entity("user", "frank"), List.of(new ClientQuotaAlteration.Op("request_percentage", null)), false));
      System.out.println("describe-after-remove " + describe(ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntity("user", "frank")))));
    } finally {
      admin.close();
    }
  }
}
