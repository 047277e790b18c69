package dev.ale.monitor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The few NVML calls the GPU meter needs, bound through the foreign function API to the
 * driver's {@code libnvidia-ml.so.1}: init, device count and handles, and per-process
 * utilisation samples ({@code nvmlDeviceGetProcessUtilization}). Not thread-safe: the meter
 * serialises its calls.
 */
@SuppressWarnings("restricted") // calling native code is the point; the launcher and surefire pass --enable-native-access
final class Nvml implements AutoCloseable {

    static final int SUCCESS = 0;
    static final int ERROR_NOT_FOUND = 6;
    static final int ERROR_INSUFFICIENT_SIZE = 7;

    /** {@code nvmlProcessUtilizationSample_t}: pid, timestamp (µs), then SM, memory, encoder and decoder percent. */
    static final MemoryLayout SAMPLE = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("pid"),
            MemoryLayout.paddingLayout(4),
            ValueLayout.JAVA_LONG.withName("timeStamp"),
            ValueLayout.JAVA_INT.withName("smUtil"),
            ValueLayout.JAVA_INT.withName("memUtil"),
            ValueLayout.JAVA_INT.withName("encUtil"),
            ValueLayout.JAVA_INT.withName("decUtil"));

    /** One process's share of one device at one moment, as NVML sampled it. */
    record Sample(long pid, long timestampMicros, int smPercent) {
    }

    private final Arena arena;
    private final MethodHandle shutdown;
    private final MethodHandle errorString;
    private final MethodHandle processUtilization;
    private final List<MemorySegment> devices;

    private Nvml(Arena arena, SymbolLookup lib) throws Throwable {
        this.arena = arena;
        Linker linker = Linker.nativeLinker();
        MethodHandle init = linker.downcallHandle(find(lib, "nvmlInit_v2"), FunctionDescriptor.of(ValueLayout.JAVA_INT));
        this.shutdown = linker.downcallHandle(find(lib, "nvmlShutdown"), FunctionDescriptor.of(ValueLayout.JAVA_INT));
        this.errorString = linker.downcallHandle(find(lib, "nvmlErrorString"), FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        MethodHandle count = linker.downcallHandle(find(lib, "nvmlDeviceGetCount_v2"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        MethodHandle handle = linker.downcallHandle(find(lib, "nvmlDeviceGetHandleByIndex_v2"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        this.processUtilization = linker.downcallHandle(find(lib, "nvmlDeviceGetProcessUtilization"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        check("nvmlInit_v2", (int) init.invokeExact());
        List<MemorySegment> handles = new ArrayList<>();
        try {
            MemorySegment n = arena.allocate(ValueLayout.JAVA_INT);
            check("nvmlDeviceGetCount_v2", (int) count.invokeExact(n));
            for (int i = 0; i < n.get(ValueLayout.JAVA_INT, 0); i++) {
                MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
                check("nvmlDeviceGetHandleByIndex_v2(" + i + ")", (int) handle.invokeExact(i, out));
                handles.add(out.get(ValueLayout.ADDRESS, 0));
            }
        } catch (Throwable e) {
            int ignored = (int) shutdown.invokeExact(); // NVML counts inits: undo ours
            throw e;
        }
        this.devices = List.copyOf(handles);
    }

    /**
     * Loads the library (a name the dynamic loader finds, or a path) and initialises NVML.
     *
     * @throws IllegalStateException naming the library or the call that failed
     */
    static Nvml open(String library) {
        Arena arena = Arena.ofShared();
        try {
            return new Nvml(arena, SymbolLookup.libraryLookup(library, arena));
        } catch (IllegalArgumentException e) {
            arena.close();
            throw new IllegalStateException("cannot load " + library + ": " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            arena.close();
            throw e;
        } catch (Throwable e) {
            arena.close();
            throw new IllegalStateException("NVML from " + library + ": " + e, e);
        }
    }

    int deviceCount() {
        return devices.size();
    }

    /** Device {@code index}'s samples newer than {@code sinceMicros} (0: all it keeps); empty when there are none. */
    List<Sample> processUtilization(int index, long sinceMicros) {
        MemorySegment device = devices.get(index);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment count = call.allocate(ValueLayout.JAVA_INT);
            // first ask how many samples there are, then read them; retry once if more arrived in between
            for (int attempt = 0; attempt < 3; attempt++) {
                count.set(ValueLayout.JAVA_INT, 0, 0);
                int rc = (int) processUtilization.invokeExact(device, MemorySegment.NULL, count, sinceMicros);
                if (rc == ERROR_NOT_FOUND) return List.of();
                if (rc != SUCCESS && rc != ERROR_INSUFFICIENT_SIZE) check("nvmlDeviceGetProcessUtilization", rc);
                int n = count.get(ValueLayout.JAVA_INT, 0);
                if (n <= 0) return List.of();
                MemorySegment samples = call.allocate(SAMPLE, n);
                rc = (int) processUtilization.invokeExact(device, samples, count, sinceMicros);
                if (rc == ERROR_INSUFFICIENT_SIZE) continue;
                if (rc == ERROR_NOT_FOUND) return List.of();
                check("nvmlDeviceGetProcessUtilization", rc);
                int read = Math.min(n, count.get(ValueLayout.JAVA_INT, 0));
                List<Sample> out = new ArrayList<>(read);
                for (int i = 0; i < read; i++) {
                    MemorySegment s = samples.asSlice(i * SAMPLE.byteSize(), SAMPLE.byteSize());
                    out.add(new Sample(Integer.toUnsignedLong(s.get(ValueLayout.JAVA_INT, 0)), s.get(ValueLayout.JAVA_LONG, 8),
                            s.get(ValueLayout.JAVA_INT, 16)));
                }
                return out;
            }
            throw new IllegalStateException("nvmlDeviceGetProcessUtilization: the sample count kept growing");
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("nvmlDeviceGetProcessUtilization: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            int rc = (int) shutdown.invokeExact();
            if (rc != SUCCESS) System.getLogger(Nvml.class.getName()).log(System.Logger.Level.DEBUG, "nvmlShutdown: " + describe(rc));
        } catch (Throwable e) {
            System.getLogger(Nvml.class.getName()).log(System.Logger.Level.DEBUG, "nvmlShutdown: " + e);
        } finally {
            arena.close();
        }
    }

    private void check(String call, int rc) {
        if (rc != SUCCESS) throw new IllegalStateException(call + " failed: " + describe(rc));
    }

    private String describe(int rc) {
        try {
            MemorySegment text = (MemorySegment) errorString.invokeExact(rc);
            String s = text.equals(MemorySegment.NULL) ? "" : text.reinterpret(256).getString(0);
            return s.isEmpty() ? "NVML error " + rc : s + " (NVML error " + rc + ")";
        } catch (Throwable e) {
            return "NVML error " + rc;
        }
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("the library has no " + name + ": not NVML, or too old"));
    }
}
