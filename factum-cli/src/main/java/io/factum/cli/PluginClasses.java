package io.factum.cli;

import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Classes of the user's named on the command line ({@code --decider}, {@code --transform}),
 * loaded from {@code --classpath} (or factum's own class path) and created with their public
 * no-argument constructor.
 */
final class PluginClasses {
    private final Optional<String> classpath;
    private final ClassLoader loader;

    PluginClasses(Optional<String> classpath) {
        this.classpath = classpath;
        this.loader = classLoader(classpath);
    }

    Class<?> find(String className, String option) {
        try {
            return Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            throw CliException.usage(option + ": class " + className + " not found"
                    + (classpath.isEmpty() ? "; give --classpath with the jar it is in" : " in " + classpath.get()));
        }
    }

    /** An instance of {@code className}, which must be a {@code type}. */
    <T> T create(String className, Class<T> type, String option) {
        Class<?> found = find(className, option);
        if (!type.isAssignableFrom(found)) {
            throw CliException.usage(option + ": " + className + " is not a " + type.getName());
        }
        try {
            return type.cast(found.getConstructor().newInstance());
        } catch (NoSuchMethodException e) {
            throw CliException.usage(option + ": " + className + " has no public no-argument constructor");
        } catch (InvocationTargetException | InstantiationException | IllegalAccessException e) {
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            throw CliException.failed("could not create " + className + ": " + cause);
        }
    }

    private static ClassLoader classLoader(Optional<String> classpath) {
        ClassLoader own = PluginClasses.class.getClassLoader();
        if (classpath.isEmpty()) {
            return own;
        }
        List<URL> urls = new ArrayList<>();
        for (String entry : classpath.get().split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!Files.exists(path)) {
                throw CliException.usage("--classpath entry " + entry + " does not exist");
            }
            try {
                urls.add(path.toUri().toURL());
            } catch (MalformedURLException e) {
                throw CliException.usage("--classpath entry " + entry + " is not a path: " + e.getMessage());
            }
        }
        return new URLClassLoader(urls.toArray(URL[]::new), own);
    }
}
