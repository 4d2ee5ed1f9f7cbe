package io.factum.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code factum --version}: the project version the build wrote into factum-version.properties. */
final class FactumVersion implements IVersionProvider {

    @Override
    public String[] getVersion() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = FactumVersion.class.getResourceAsStream("/factum-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        }
        return new String[] {
            "factum " + properties.getProperty("version", "(unknown version)"),
            "Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")"
        };
    }
}
