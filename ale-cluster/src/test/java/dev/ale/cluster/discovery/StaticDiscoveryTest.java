package dev.ale.cluster.discovery;

import dev.ale.cluster.fleet.Member;
import dev.ale.core.AleException;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StaticDiscoveryTest {

    @Test
    void aListOfUrlsAndNamedUrlsBecomesReadyMembers() {
        AtomicReference<List<Member>> got = new AtomicReference<>();
        StaticDiscovery.parse(" http://192.0.2.2:8080/ , n2=http://192.0.2.6:8080").start(got::set);
        assertThat(got.get()).containsExactly(new Member(URI.create("http://192.0.2.2:8080"), Optional.empty(), true),
                new Member(URI.create("http://192.0.2.6:8080"), Optional.of("n2"), true));
    }

    @Test
    void everyBadEntryIsRefusedNamingIt() {
        String[][] cases = {
                {"", "name at least one node URL"},
                {"192.0.2.2:8080", "is not a URL"},
                {"ftp://192.0.2.2:21", "must be http://HOST:PORT"},
                {"http://192.0.2.2", "must be http://HOST:PORT"},
                {"http://192.0.2.2:8080/v1", "without a path or query"},
                {"http://192.0.2.2:8080,http://192.0.2.2:8080", "is named twice"},
                {"N.1=http://192.0.2.2:8080", "'N.1' is not a node name"},
                {"http://bad host:80", "is not a URL"}};
        for (String[] c : cases) {
            assertThatThrownBy(() -> StaticDiscovery.parse(c[0])).as(c[0]).isInstanceOf(AleException.class).hasMessageContaining(c[1]);
        }
    }
}
