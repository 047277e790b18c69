package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("root")
class OpenApiSpecTest {

    @RegisterExtension
    static final LiveServer live = new LiveServer();

    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

    @Test
    void everyRouteIsInTheSpecWithItsMethodAndNothingElseIs() throws Exception {
        LiveServer.Reply served = live.call("GET", "/openapi.yaml", null, null);
        assertThat(served.status()).isEqualTo(200);
        JsonNode spec = new ObjectMapper(new YAMLFactory()).readTree(served.body());
        Set<String> documented = new TreeSet<>();
        for (var path : spec.get("paths").properties()) {
            for (var op : path.getValue().properties()) {
                if (METHODS.contains(op.getKey())) documented.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }
        assertThat(documented).isEqualTo(new TreeSet<>(live.server().routes()));
    }
}
