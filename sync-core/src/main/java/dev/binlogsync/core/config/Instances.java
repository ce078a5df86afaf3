package dev.binlogsync.core.config;

import dev.binlogsync.core.Secrets;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import javax.annotation.Nullable;

/** Creates user classes named in a configuration. */
final class Instances {
    private Instances() {
    }

    /**
     * A new instance of {@code className} through its public no-argument constructor. The class is
     * loaded without being initialised, and only a subtype of {@code type} is initialised (its
     * static initializers run) and instantiated: naming any other class on the class path in a
     * configuration runs none of its code.
     *
     * @throws IllegalArgumentException naming the class and the problem
     */
    static <T> T create(String className, Class<T> type, @Nullable ClassLoader loader) {
        ClassLoader l = loader != null ? loader : Instances.class.getClassLoader();
        Class<?> c;
        try {
            c = Class.forName(className, false, l);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("class " + className + " not found", e);
        }
        if (!type.isAssignableFrom(c)) {
            throw new IllegalArgumentException("class " + className + " does not implement " + type.getName());
        }
        try {
            Class.forName(className, true, l); // the same class, now initialised
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("class " + className + " cannot be initialised: " + Secrets.describe(e), e);
        }
        try {
            Constructor<?> ctor = c.getConstructor();
            return type.cast(ctor.newInstance());
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("class " + className + " needs a public no-argument constructor", e);
        } catch (InvocationTargetException e) {
            // the constructor's message may quote a URL with credentials
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("creating " + className + " failed: " + Secrets.describe(cause), cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot create " + className + ": " + Secrets.describe(e), e);
        }
    }

    /**
     * The class name to write into a file for {@code instance}, or null when a file cannot name it
     * (a lambda, an anonymous or local class, no public no-argument constructor).
     */
    @Nullable
    static String renderableClassName(Object instance) {
        Class<?> c = instance.getClass();
        if (c.isSynthetic() || c.isAnonymousClass() || c.isLocalClass() || c.getName().contains("$$Lambda")
                || !Modifier.isPublic(c.getModifiers())) {
            return null;
        }
        try {
            c.getConstructor();
            return c.getName();
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
