package dev.ale.monitor;

import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The NVML meter against a library with NVML's entry points and sample layout, built here with
 * gcc because this machine has no GPU: the binding, the size-query protocol, the per-GPU sums of a
 * sandbox's own pids, idle processes, one read per refresh, and a missing or failing driver.
 */
@SuppressWarnings("restricted") // calling native code is the point; the launcher and surefire pass --enable-native-access
class NvmlGpuMeterTest {

    private static final Duration REFRESH = Duration.ofSeconds(1);
    private static final Duration CURRENT = Duration.ofSeconds(3);
    private static final Sandbox UNUSED = (Sandbox) Proxy.newProxyInstance(Sandbox.class.getClassLoader(), new Class<?>[] {Sandbox.class},
            (proxy, method, args) -> {
                throw new AssertionError("the meter needs only the pids, not the sandbox: " + method.getName());
            });

    @TempDir
    static Path build;

    private static Path compiled;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(TimeUnit.SECONDS.toNanos(1000));
    private Arena arena;
    private Path library;
    private Fake fake;

    @BeforeAll
    static void compile() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc builds the stand-in NVML library");
        Path source = build.resolve("fake-nvml.c");
        try (InputStream in = NvmlGpuMeterTest.class.getResourceAsStream("/nvml/fake-nvml.c")) {
            Files.write(source, in.readAllBytes());
        }
        compiled = build.resolve("libfake-nvml.so");
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O1", "-o", compiled.toString(), source.toString())
                .redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor()).as(output).isZero();
    }

    @BeforeEach
    void load() throws IOException {
        // a copy per test is a library of its own to the dynamic loader: no state carries over
        library = Files.copy(compiled, dir.resolve("libnvidia-ml.so.1"));
        arena = Arena.ofShared();
        fake = new Fake(SymbolLookup.libraryLookup(library, arena));
    }

    @AfterEach
    void unload() {
        arena.close();
    }

    @Test
    void aSandboxsUseIsItsOwnProcessesShareOfEachGpuSummedOverGpus() throws Throwable {
        long now = micros();
        fake.sample(0, 100, now, 60);
        fake.sample(0, 101, now, 35);
        fake.sample(0, 999, now, 90); // another sandbox's process on the same GPU
        fake.sample(1, 100, now, 50);
        try (NvmlGpuMeter meter = meter()) {
            assertThat(meter.utilisation(UNUSED, processes(100, 101)).getAsDouble()).isCloseTo(1.45, within(1e-9));
            assertThat(meter.utilisation(UNUSED, processes(999)).getAsDouble()).isCloseTo(0.90, within(1e-9));
            assertThat(meter.utilisation(UNUSED, processes(4242)).getAsDouble()).isZero();
        }
    }

    @Test
    void oneGpuCountsAtMostOnceHoweverManyOfTheSandboxsProcessesShareIt() throws Throwable {
        long now = micros();
        fake.sample(0, 100, now, 80);
        fake.sample(0, 101, now, 70);
        try (NvmlGpuMeter meter = meter()) {
            assertThat(meter.utilisation(UNUSED, processes(100, 101)).getAsDouble()).isCloseTo(1.0, within(1e-9));
        }
    }

    @Test
    void theNewestSampleOfAProcessCountsAndOneWithNoNewSampleIsIdleOnceItsWindowPasses() throws Throwable {
        long t = micros();
        fake.sample(0, 100, t, 20);
        try (NvmlGpuMeter meter = meter()) {
            assertThat(meter.utilisation(UNUSED, processes(100)).getAsDouble()).isCloseTo(0.2, within(1e-9));
            fake.sample(0, 100, t + 500_000, 95);
            tick(REFRESH);
            assertThat(meter.utilisation(UNUSED, processes(100)).getAsDouble()).isCloseTo(0.95, within(1e-9));
            tick(CURRENT.plusSeconds(1)); // NVML has nothing newer: the process stopped using the GPU
            assertThat(meter.utilisation(UNUSED, processes(100)).getAsDouble()).isZero();
        }
    }

    @Test
    void manySandboxesSweptWithinOneRefreshCostOneReadOfEachGpu() throws Throwable {
        fake.sample(0, 100, micros(), 50);
        try (NvmlGpuMeter meter = meter()) {
            for (int sandbox = 0; sandbox < 20; sandbox++) meter.utilisation(UNUSED, processes(100 + sandbox));
            assertThat(fake.reads()).as("one size query for each of the two GPUs").isEqualTo(2);
            tick(REFRESH);
            fake.sample(0, 100, micros() + 1, 50);
            meter.utilisation(UNUSED, processes(100));
            assertThat(fake.reads()).isEqualTo(4);
        }
    }

    @Test
    void closingTheMeterShutsNvmlDown() throws Throwable {
        NvmlGpuMeter meter = meter();
        meter.utilisation(UNUSED, processes(1));
        assertThat(fake.inits()).isEqualTo(1);
        meter.close();
        assertThat(fake.inits()).isZero();
        assertThat(meter.utilisation(UNUSED, processes(1))).isEmpty();
    }

    @Test
    void withoutTheDriverLibraryNothingIsReadAndNothingThrows() {
        try (NvmlGpuMeter meter = new NvmlGpuMeter(dir.resolve("absent/libnvidia-ml.so.1").toString(), REFRESH, CURRENT, clock::get)) {
            assertThat(meter.utilisation(UNUSED, processes(1))).isEmpty();
            assertThat(meter.utilisation(UNUSED, processes(1))).isEmpty();
        }
    }

    @Test
    void aDriverThatCannotStartIsNotUsedAndHoldsNoInit() throws Throwable {
        fake.failInit(true);
        try (NvmlGpuMeter meter = meter()) {
            assertThat(meter.utilisation(UNUSED, processes(1))).isEmpty();
            fake.failInit(false);
            assertThat(meter.utilisation(UNUSED, processes(1))).as("it does not retry every sweep").isEmpty();
            assertThat(fake.inits()).isZero();
        }
    }

    @Test
    void aLibraryThatIsNotNvmlIsRefusedByTheCallItLacks() {
        try (NvmlGpuMeter meter = new NvmlGpuMeter("libm.so.6", REFRESH, CURRENT, clock::get)) {
            assertThat(meter.utilisation(UNUSED, processes(1))).isEmpty();
        }
        assertThatThrownBy(() -> Nvml.open("libm.so.6")).isInstanceOf(IllegalStateException.class).hasMessageContaining("nvmlInit_v2");
    }

    private NvmlGpuMeter meter() {
        return new NvmlGpuMeter(library.toString(), REFRESH, CURRENT, clock::get);
    }

    private void tick(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    private static long micros() {
        return System.currentTimeMillis() * 1000;
    }

    private static List<ProcessSnapshot> processes(long... pids) {
        return Arrays.stream(pids).mapToObj(pid -> new ProcessSnapshot(pid, 1, pid, 0, "worker", List.of("worker"), Duration.ZERO,
                List.of(), List.of(), ProcessSnapshot.Role.WORKLOAD, Optional.empty())).toList();
    }

    /** The stand-in library's test controls. */
    private record Fake(MethodHandle setHandle, MethodHandle initsHandle, MethodHandle readsHandle, MethodHandle failInitHandle) {

        Fake(SymbolLookup lib) {
            this(Linker.nativeLinker().downcallHandle(lib.find("fake_set_sample").orElseThrow(), FunctionDescriptor.ofVoid(
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)),
                    Linker.nativeLinker().downcallHandle(lib.find("fake_inits").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT)),
                    Linker.nativeLinker().downcallHandle(lib.find("fake_reads").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT)),
                    Linker.nativeLinker().downcallHandle(lib.find("fake_fail_init").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT)));
        }

        void sample(int device, long pid, long micros, int percent) throws Throwable {
            setHandle.invokeExact(device, (int) pid, micros, percent);
        }

        int inits() throws Throwable {
            return (int) initsHandle.invokeExact();
        }

        int reads() throws Throwable {
            return (int) readsHandle.invokeExact();
        }

        void failInit(boolean fail) throws Throwable {
            failInitHandle.invokeExact(fail ? 1 : 0);
        }
    }
}
