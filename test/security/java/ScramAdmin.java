// Java AdminClient against a broker: alterUserScramCredentials and describeUserScramCredentials, one
// JSON line per step on stdout (test/security/users-java.test.ts reads them).
import java.util.*;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.KafkaFuture;

public class ScramAdmin {
    static String outcome(KafkaFuture<?> f) {
        try {
            f.get();
            return "ok";
        } catch (ExecutionException e) {
            return e.getCause().getClass().getSimpleName();
        } catch (InterruptedException e) {
            return "interrupted";
        }
    }

    static String describe(UserScramCredentialsDescription d) {
        StringBuilder sb = new StringBuilder("{\"user\":\"" + d.name() + "\",\"credentials\":[");
        List<ScramCredentialInfo> infos = new ArrayList<>(d.credentialInfos());
        infos.sort(Comparator.comparing(i -> i.mechanism().type()));
        for (int i = 0; i < infos.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append("[\"").append(infos.get(i).mechanism().mechanismName()).append("\",").append(infos.get(i).iterations()).append(']');
        }
        return sb.append("]}").toString();
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        try (Admin admin = Admin.create(props)) {
            AlterUserScramCredentialsResult altered = admin.alterUserScramCredentials(List.of(
                new UserScramCredentialUpsertion("jalice", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), "jalice-pw"),
                new UserScramCredentialUpsertion("jbob", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "jbob-pw")));
            System.out.println("{\"step\":\"upsert\",\"jalice\":\"" + outcome(altered.values().get("jalice")) + "\",\"jbob\":\"" + outcome(altered.values().get("jbob")) + "\"}");

            Map<String, UserScramCredentialsDescription> all = admin.describeUserScramCredentials().all().get();
            List<String> names = new ArrayList<>(all.keySet());
            Collections.sort(names);
            StringBuilder sb = new StringBuilder("{\"step\":\"describe-all\",\"users\":[");
            for (int i = 0; i < names.size(); i++) sb.append(i > 0 ? "," : "").append(describe(all.get(names.get(i))));
            System.out.println(sb.append("]}"));

            DescribeUserScramCredentialsResult ghost = admin.describeUserScramCredentials(List.of("ghost"));
            System.out.println("{\"step\":\"describe-ghost\",\"outcome\":\"" + outcome(ghost.description("ghost")) + "\"}");

            AlterUserScramCredentialsResult bad = admin.alterUserScramCredentials(List.of(
                new UserScramCredentialDeletion("ghost", ScramMechanism.SCRAM_SHA_256),
                new UserScramCredentialUpsertion("jfew", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4095), "x"),
                new UserScramCredentialUpsertion("jmany", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 16385), "x")));
            System.out.println("{\"step\":\"bad\",\"ghost\":\"" + outcome(bad.values().get("ghost")) + "\",\"jfew\":\"" + outcome(bad.values().get("jfew")) + "\",\"jmany\":\"" + outcome(bad.values().get("jmany")) + "\"}");

            AlterUserScramCredentialsResult deleted = admin.alterUserScramCredentials(List.of(new UserScramCredentialDeletion("jbob", ScramMechanism.SCRAM_SHA_512)));
            System.out.println("{\"step\":\"delete\",\"jbob\":\"" + outcome(deleted.all()) + "\"}");
        }
    }
}
