package io.jkvm.linux;

import io.jkvm.api.uapi.Mem;
import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;

/**
 * Every {@code struct kvm_*} layout io.jkvm.api.uapi declares (public static {@link GroupLayout} fields whose
 * layout name starts with {@code kvm_}), found by scanning the package, and the flattening of a layout into
 * C member designators ({@code exception.injected}, {@code xcrs[0].value}) with their offsets and sizes.
 */
final class UapiLayouts {
    private UapiLayouts() {}

    static final String PACKAGE = "io.jkvm.api.uapi";

    /** One member: its C designator, byte offset from the start of the struct, and byte size. */
    record Member(String designator, long offset, long size) {}

    /** Layout name (the C struct tag) → layout, for every struct layout in the package. */
    static Map<String, GroupLayout> all() throws IOException, ReflectiveOperationException {
        Map<String, GroupLayout> byName = new TreeMap<>();
        for (String cls : classNames()) {
            for (Field f : Class.forName(cls).getFields()) {
                if (!Modifier.isStatic(f.getModifiers()) || !GroupLayout.class.isAssignableFrom(f.getType())) continue;
                GroupLayout g = (GroupLayout) f.get(null);
                String name = g.name().orElse("");
                if (!name.startsWith("kvm_")) continue;
                GroupLayout seen = byName.putIfAbsent(name, g);
                if (seen != null && !seen.equals(g))
                    throw new AssertionError("two different layouts are named " + name + ": " + cls + "." + f.getName());
            }
        }
        return byName;
    }

    /** The classes of the package (a class-path directory or jar), by name. */
    static List<String> classNames() throws IOException {
        Path where;
        try {
            where = Path.of(Mem.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        String dir = PACKAGE.replace('.', '/');
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(where)) {
            try (var files = Files.list(where.resolve(dir))) {
                for (Path p : files.toList()) {
                    String f = p.getFileName().toString();
                    if (f.endsWith(".class")) names.add(PACKAGE + "." + f.substring(0, f.length() - 6));
                }
            }
        } else {
            try (JarFile jar = new JarFile(where.toFile())) {
                jar.stream().map(e -> e.getName())
                        .filter(n -> n.startsWith(dir + "/") && n.endsWith(".class") && n.indexOf('/', dir.length() + 1) < 0)
                        .forEach(n -> names.add(n.substring(0, n.length() - 6).replace('/', '.')));
            }
        }
        if (names.isEmpty()) throw new IOException("no classes of " + PACKAGE + " under " + where);
        return names;
    }

    /** Every named member of {@code g}, nested ones included; unnamed groups are C11 anonymous unions/structs. */
    static List<Member> members(GroupLayout g) {
        List<Member> out = new ArrayList<>();
        walk(g, "", 0, out);
        return out;
    }

    private static void walk(GroupLayout g, String prefix, long base, List<Member> out) {
        long off = 0;
        for (MemoryLayout m : g.memberLayouts()) {
            long at = base + (g instanceof StructLayout ? off : 0);
            if (g instanceof StructLayout) off += m.byteSize();
            if (m instanceof PaddingLayout) continue;
            if (m.name().isEmpty()) {
                if (m instanceof GroupLayout anon) walk(anon, prefix, at, out);
                else throw new AssertionError("unnamed member in " + g.name().orElse("?") + ": " + m);
                continue;
            }
            String d = prefix + m.name().get();
            out.add(new Member(d, at, m.byteSize()));
            if (m instanceof GroupLayout inner) walk(inner, d + ".", at, out);
            if (m instanceof SequenceLayout seq && seq.elementLayout() instanceof GroupLayout elem)
                walk(elem, d + "[0].", at, out);
        }
    }
}
