import java.util.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.acl.*;
import org.apache.kafka.common.resource.*;

/** Reads commands from stdin, one a line, answering "ok" or "error ...": [create:NAME:PARTITIONS ...] [TYPE:NAME:OP[:PATTERN] ...]: replaces every ACL with ALLOW ACLs for User:ANONYMOUS. */
public class GrantAcls {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", "127.0.0.1:45094");
    p.put("security.protocol", "SASL_PLAINTEXT");
    p.put("sasl.mechanism", "PLAIN");
    p.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-secret\";");
    try (Admin admin = Admin.create(p)) {
      java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
      String line;
      while ((line = in.readLine()) != null) {
        try { run(admin, line.trim().isEmpty() ? new String[0] : line.trim().split(" ")); System.out.println("ok"); }
        catch (Exception e) { System.out.println("error " + e); }
        System.out.flush();
      }
    }
  }

  static void run(Admin admin, String[] args) throws Exception {
    {
      List<NewTopic> topics = new ArrayList<>();
      List<AclBinding> acls = new ArrayList<>();
      for (String a : args) {
        String[] f = a.split(":");
        if (f[0].equals("create")) { topics.add(new NewTopic(f[1], Integer.parseInt(f[2]), (short) 1)); continue; }
        PatternType pt = f.length > 3 ? PatternType.valueOf(f[3]) : PatternType.LITERAL;
        acls.add(new AclBinding(new ResourcePattern(ResourceType.valueOf(f[0]), f[1], pt),
          new AccessControlEntry("User:ANONYMOUS", "*", AclOperation.valueOf(f[2]), AclPermissionType.ALLOW)));
      }
      if (!topics.isEmpty()) { admin.createTopics(topics).all().get(); return; }
      admin.deleteAcls(List.of(AclBindingFilter.ANY)).all().get();
      if (!acls.isEmpty()) admin.createAcls(acls).all().get();
      // wait until the broker's authorizer has them
      Thread.sleep(300);
    }
  }
}
