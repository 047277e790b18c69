package dev.ale.monitor;

import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.Sandbox;
import java.util.List;
import java.util.OptionalDouble;

/**
 * GPU utilisation of one sandbox's processes, for a sandbox whose passport grants a GPU: the input
 * of {@code resource.gpu-sustained}. {@link NvmlGpuMeter} reads NVML's per-process utilisation
 * ({@code nvmlDeviceGetProcessUtilization}) for the given pids; {@link #NONE} reports nothing, so
 * the rule never fires.
 */
@FunctionalInterface
public interface GpuMeter {

    /** Knows no GPU: every reading is empty. */
    GpuMeter NONE = (sandbox, processes) -> OptionalDouble.empty();

    /**
     * The utilisation of the sandbox's GPUs by these processes since the previous call, from 0 to 1
     * per granted GPU, summed; empty when unknown. Called on the sweep thread: must return quickly.
     */
    OptionalDouble utilisation(Sandbox sandbox, List<ProcessSnapshot> processes);
}
