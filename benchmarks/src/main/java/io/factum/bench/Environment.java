package io.factum.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The JVM and machine a result was measured on, so that figures from different runs can be told
 * apart.
 *
 * @param jvm runtime name, version and vendor
 * @param jvmArgs the JVM's input arguments (heap size, GC flags)
 * @param gc the garbage collectors in use
 * @param maxHeapBytes {@code Runtime.maxMemory()}
 * @param cores available processors
 * @param memoryBytes physical memory, {@code -1} when the JVM cannot tell
 * @param cpu the CPU model from {@code /proc/cpuinfo}, or "unknown"
 * @param os name, version and architecture
 * @param dataDir the directory the store and the ceiling files live in
 * @param fileSystem the data directory's file store: its name and type
 * @param loadAverage the system load average over the last minute when the result was taken, or a
 *     negative number when unavailable; far above {@code cores} means other work competed
 */
record Environment(
        String jvm,
        String jvmArgs,
        String gc,
        long maxHeapBytes,
        int cores,
        long memoryBytes,
        String cpu,
        String os,
        String dataDir,
        String fileSystem,
        double loadAverage) {

    static Environment detect(Path dataDir) {
        return new Environment(
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                        + System.getProperty("java.vm.vendor") + ")",
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()),
                ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(GarbageCollectorMXBean::getName)
                        .collect(Collectors.joining(", ")),
                Runtime.getRuntime().maxMemory(),
                Runtime.getRuntime().availableProcessors(),
                physicalMemory(),
                cpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                dataDir.toAbsolutePath().normalize().toString(),
                fileSystem(dataDir),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** Three lines for the printed report. */
    List<String> describe() {
        return List.of(
                "machine: " + cores + " cores (" + cpu + "), " + gib(memoryBytes) + " memory, " + os
                        + (loadAverage < 0
                                ? ""
                                : String.format(java.util.Locale.ROOT, ", load average %.2f", loadAverage)),
                "jvm:     " + jvm + ", max heap " + gib(maxHeapBytes) + ", GC " + gc
                        + (jvmArgs.isEmpty() ? "" : ", args " + jvmArgs),
                "data:    " + dataDir + " (" + fileSystem + ")");
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jvm", jvm);
        m.put("jvmArgs", jvmArgs);
        m.put("gc", gc);
        m.put("maxHeapBytes", maxHeapBytes);
        m.put("cores", cores);
        m.put("memoryBytes", memoryBytes);
        m.put("cpu", cpu);
        m.put("os", os);
        m.put("dataDir", dataDir);
        m.put("fileSystem", fileSystem);
        m.put("loadAverage", loadAverage);
        return m;
    }

    private static String gib(long bytes) {
        return bytes < 0 ? "unknown" : String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }

    private static String cpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        try {
            if (Files.isReadable(cpuinfo)) {
                try (var lines = Files.lines(cpuinfo)) {
                    return lines.filter(l -> l.startsWith("model name"))
                            .map(l -> l.substring(l.indexOf(':') + 1).trim())
                            .findFirst()
                            .orElse("unknown");
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // The CPU model is a courtesy; a machine without /proc still gets its figures.
        }
        return "unknown";
    }

    private static String fileSystem(Path dir) {
        try {
            FileStore store = Files.getFileStore(dir);
            return store.name() + ", " + store.type();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
