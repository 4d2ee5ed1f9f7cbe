package io.factum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@code ./factum} launcher script. The build is skipped through {@code
 * FACTUM_CLASSPATH} (this test's own classpath), and the JDK search is pointed at temporary
 * directories through {@code FACTUM_JVM_DIRS}, so that the machine's JDKs do not decide the result.
 */
class LauncherTest {

    /** Surefire runs tests in the module directory; the launcher is at the repository root. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    static final Path LAUNCHER = ROOT.resolve("factum");

    @TempDir
    Path temp;

    record Result(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private Result launch(Map<String, String> environment, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder();
        builder.command().add(LAUNCHER.toString());
        builder.command().addAll(List.of(args));
        builder.directory(temp.toFile());
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path out = temp.resolve("out.txt");
        Path err = temp.resolve("err.txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("FACTUM_") || name.equals("JAVA_HOME"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS))
                .as("the launcher finished")
                .isTrue();
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A directory that looks like a JDK of {@code version} to the launcher but cannot run anything. */
    private Path fakeJdk(Path parent, String name, String version) throws IOException {
        Path home = parent.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Path javac = Files.writeString(home.resolve("bin/javac"), "#!/bin/sh\nexit 1\n");
        Files.setPosixFilePermissions(javac, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n", StandardCharsets.UTF_8);
        return home;
    }

    @Test
    void launcherIsAnExecutableScript() throws IOException {
        assertThat(LAUNCHER).isRegularFile().isExecutable();
        assertThat(Files.readAllLines(LAUNCHER).getFirst()).isEqualTo("#!/usr/bin/env bash");
    }

    @Test
    void saysClearlyWhenNoJdk21IsFound() throws Exception {
        Path jvms = Files.createDirectories(temp.resolve("jvms"));
        Path notAJdk = Files.createDirectories(temp.resolve("not-a-jdk"));

        Result result = launch(Map.of("JAVA_HOME", notAJdk.toString(), "FACTUM_JVM_DIRS", jvms.toString()), "--help");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.errLines())
                .singleElement()
                .asString()
                .startsWith("factum: no JDK 21+ found (JAVA_HOME=" + notAJdk + " is not a JDK; " + jvms
                        + "/* has no JDK); install a JDK 21 or newer")
                .contains("set JAVA_HOME");
    }

    @Test
    void neverUsesAnOlderJdk() throws Exception {
        Path jvms = Files.createDirectories(temp.resolve("jvms"));
        Path old = fakeJdk(temp, "jdk-17", "17.0.9");
        fakeJdk(jvms, "java-8", "1.8.0_402");
        fakeJdk(jvms, "java-11", "11.0.22");

        Result result = launch(Map.of("JAVA_HOME", old.toString(), "FACTUM_JVM_DIRS", jvms.toString()), "--help");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.errLines())
                .singleElement()
                .asString()
                .contains("JAVA_HOME=" + old + " is Java 17")
                .contains("java-11 (11)")
                .contains("java-8 (8)");
    }

    @Test
    void picksAJdk21PlusFromTheSearchDirectoriesAndRunsTheCli() throws Exception {
        Path jvms = Files.createDirectories(temp.resolve("jvms"));
        Path old = fakeJdk(temp, "jdk-17", "17.0.9");
        fakeJdk(jvms, "java-19", "19.0.2");
        // The JDK running this test is 21+ (the launcher chose it for the build, or the developer did).
        Files.createSymbolicLink(jvms.resolve("real"), Path.of(System.getProperty("java.home")));

        Result result = launch(
                Map.of(
                        "JAVA_HOME", old.toString(),
                        "FACTUM_JVM_DIRS", temp.resolve("missing") + ":" + jvms,
                        "FACTUM_CLASSPATH", System.getProperty("java.class.path")),
                "--help");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("Usage: factum").contains("read-all", "The ./factum launcher also runs:");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void usageErrorsFromTheCliKeepExitCodeTwo() throws Exception {
        Result result = launch(
                Map.of(
                        "JAVA_HOME", System.getProperty("java.home"),
                        "FACTUM_CLASSPATH", System.getProperty("java.class.path")),
                "read");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.errLines()).singleElement().asString().startsWith("factum: Missing required parameter");
    }

    @Test
    void cliVerbsThatReachAServerPrintOnlyTheirOwnMessage() throws Exception {
        // Netty (the client's transport) touches sun.misc.Unsafe when it connects, which JDK 24+
        // reports on standard error unless the launcher passes the option the server gets too.
        // SLF4J is on this test's classpath only (test tools bring it, without a provider, and it
        // says so on standard error); the CLI's runtime classpath has none.
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("slf4j"))
                .collect(Collectors.joining(File.pathSeparator));
        Result result = launch(
                Map.of("JAVA_HOME", System.getProperty("java.home"), "FACTUM_CLASSPATH", classpath),
                "read-all",
                "--url",
                "kurrentdb://127.0.0.1:1?tls=false");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(result.errLines())
                .singleElement()
                .asString()
                .startsWith("factum: server 127.0.0.1:1 is unavailable")
                .contains("(cause: I/O error: ")
                .doesNotContain("internal error");
    }

    @Test
    void serverRunsTheServerCommand() throws Exception {
        Result result = launch(Map.of("FACTUM_CLASSPATH", System.getProperty("java.class.path")), "server", "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out())
                .contains("Usage: server")
                .contains("--tls-cert")
                .contains("--insecure");
    }

    @Test
    void serverRefusesAnImpossiblePortClearly() throws Exception {
        Result result =
                launch(Map.of("FACTUM_CLASSPATH", System.getProperty("java.class.path")), "server", "--port", "99999");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.errLines())
                .singleElement()
                .asString()
                .contains("99999")
                .contains("0 and 65535");
    }

    @Test
    void certsRunsTheCertificateCommand() throws Exception {
        Result result = launch(Map.of("FACTUM_CLASSPATH", System.getProperty("java.class.path")), "certs", "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Usage: certs");
    }

    @Test
    void testVerbRejectsUnknownOptions() throws Exception {
        Result result = launch(Map.of(), "test", "--fast");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.errLines())
                .containsExactly("factum: unknown option '--fast' for test (usage: ./factum test [--long])");
    }
}
