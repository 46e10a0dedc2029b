package io.jkvm.vmm.snapshot;

import io.jkvm.api.uapi.Mem;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes state records to a snapshot and reads them back, component by component in declaration order.
 * A uapi struct (a record with a {@code LAYOUT} and {@code read}/{@code write} over a MemorySegment) is
 * stored as its Linux binary layout — the one place that knows that layout is the record itself. Other
 * records, lists, arrays, strings, paths and enums are stored field by field. A value typed by an interface
 * (a sealed {@code IrqchipState}, a device's {@code Record}) carries its class name, and only jkvm's own
 * record classes are accepted when reading: a foreign file cannot make the reader load anything else.
 */
final class RecordCodec {
    private RecordCodec() {}

    static void write(DataOutputStream out, Object v, Type type) throws IOException {
        Class<?> raw = raw(type);
        if (raw == int.class) out.writeInt((Integer) v);
        else if (raw == long.class) out.writeLong((Long) v);
        else if (raw == boolean.class) out.writeBoolean((Boolean) v);
        else {
            out.writeBoolean(v != null);
            if (v != null) writeObject(out, v, type, raw);
        }
    }

    private static void writeObject(DataOutputStream out, Object v, Type type, Class<?> raw) throws IOException {
        if (raw == String.class) out.writeUTF((String) v);
        else if (raw == Path.class) out.writeUTF(v.toString());
        else if (raw.isEnum()) out.writeUTF(((Enum<?>) v).name());
        else if (raw == byte[].class) {
            byte[] a = (byte[]) v;
            out.writeInt(a.length);
            out.write(a);
        } else if (raw == int[].class) {
            int[] a = (int[]) v;
            out.writeInt(a.length);
            for (int x : a) out.writeInt(x);
        } else if (raw == long[].class) {
            long[] a = (long[]) v;
            out.writeInt(a.length);
            for (long x : a) out.writeLong(x);
        } else if (raw == List.class) {
            Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
            List<?> l = (List<?>) v;
            out.writeInt(l.size());
            for (Object e : l) write(out, e, element);
        } else if (polymorphic(raw)) {
            out.writeUTF(v.getClass().getName());
            writeObject(out, v, v.getClass(), v.getClass());
        } else if (raw.isRecord()) {
            MemoryLayout layout = layout(raw);
            if (layout != null) {
                MemorySegment s = Mem.alloc(layout);
                invoke(method(raw, "write"), v, s);
                byte[] b = s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                out.writeInt(b.length);
                out.write(b);
                return;
            }
            for (RecordComponent c : raw.getRecordComponents())
                write(out, invoke(c.getAccessor(), v), c.getGenericType());
        } else {
            throw new IllegalArgumentException("cannot store a " + raw.getName());
        }
    }

    static Object read(DataInputStream in, Type type) throws IOException {
        Class<?> raw = raw(type);
        if (raw == int.class) return in.readInt();
        if (raw == long.class) return in.readLong();
        if (raw == boolean.class) return in.readBoolean();
        if (!in.readBoolean()) return null;
        return readObject(in, type, raw);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object readObject(DataInputStream in, Type type, Class<?> raw) throws IOException {
        if (raw == String.class) return in.readUTF();
        if (raw == Path.class) return Path.of(in.readUTF());
        if (raw.isEnum()) return Enum.valueOf((Class) raw, in.readUTF());
        if (raw == byte[].class) {
            byte[] a = new byte[length(in)];
            in.readFully(a);
            return a;
        }
        if (raw == int[].class) {
            int[] a = new int[length(in)];
            for (int i = 0; i < a.length; i++) a[i] = in.readInt();
            return a;
        }
        if (raw == long[].class) {
            long[] a = new long[length(in)];
            for (int i = 0; i < a.length; i++) a[i] = in.readLong();
            return a;
        }
        if (raw == List.class) {
            Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
            int n = length(in);
            List<Object> l = new ArrayList<>(Math.min(n, 1024));
            for (int i = 0; i < n; i++) l.add(read(in, element));
            return l;
        }
        if (polymorphic(raw)) {
            Class<?> actual = jkvmRecord(in.readUTF());
            if (!raw.isAssignableFrom(actual)) throw new IOException(actual.getName() + " is not a " + raw.getName());
            return readObject(in, actual, actual);
        }
        if (raw.isRecord()) return readRecord(in, raw);
        throw new IOException("cannot read a " + raw.getName());
    }

    private static Object readRecord(DataInputStream in, Class<?> raw) throws IOException {
        try {
            MemoryLayout layout = layout(raw);
            if (layout != null) {
                int n = length(in);
                if (n != layout.byteSize()) throw new IOException(raw.getSimpleName() + ": " + n + " bytes, layout has " + layout.byteSize());
                byte[] b = new byte[n];
                in.readFully(b);
                MemorySegment s = Mem.alloc(layout);
                MemorySegment.copy(b, 0, s, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, n);
                return invoke(raw.getMethod("read", MemorySegment.class), null, s);
            }
            RecordComponent[] cs = raw.getRecordComponents();
            Object[] args = new Object[cs.length];
            Class<?>[] types = new Class<?>[cs.length];
            for (int i = 0; i < cs.length; i++) {
                args[i] = read(in, cs[i].getGenericType());
                types[i] = cs[i].getType();
            }
            var ctor = raw.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException(raw.getSimpleName() + ": " + (e.getCause() != null ? e.getCause() : e), e);
        }
    }

    /** A length that a corrupt file cannot turn into a huge allocation. */
    private static int length(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1 << 24) throw new IOException("implausible length " + n);
        return n;
    }

    private static Class<?> jkvmRecord(String name) throws IOException {
        if (!name.startsWith("io.jkvm.")) throw new IOException("class " + name + " is not jkvm's");
        try {
            Class<?> c = Class.forName(name, false, RecordCodec.class.getClassLoader());
            if (!c.isRecord()) throw new IOException("class " + name + " is not a record");
            return c;
        } catch (ClassNotFoundException e) {
            throw new IOException("class " + name + " unknown to this jkvm");
        }
    }

    /** The record's {@code static LAYOUT} if it also has {@code read(MemorySegment)} and {@code write(MemorySegment)}. */
    private static MemoryLayout layout(Class<?> raw) {
        try {
            raw.getMethod("read", MemorySegment.class);
            raw.getMethod("write", MemorySegment.class);
            return (MemoryLayout) raw.getField("LAYOUT").get(null);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private static Method method(Class<?> raw, String name) throws IOException {
        try {
            return raw.getMethod(name, MemorySegment.class);
        } catch (NoSuchMethodException e) {
            throw new IOException(raw.getName() + " has no " + name + "(MemorySegment)", e);
        }
    }

    private static Object invoke(Method m, Object target, Object... args) throws IOException {
        try {
            m.setAccessible(true);
            return m.invoke(target, args);
        } catch (ReflectiveOperationException e) {
            throw new IOException(m + ": " + (e.getCause() != null ? e.getCause() : e), e);
        }
    }

    /** An interface or abstract type (IrqchipState, Record): the value's class is stored with it. */
    private static boolean polymorphic(Class<?> raw) {
        return raw.isInterface() || raw == Record.class;
    }

    private static Class<?> raw(Type t) {
        if (t instanceof Class<?> c) return c;
        if (t instanceof ParameterizedType p) return (Class<?>) p.getRawType();
        throw new IllegalArgumentException("unsupported type " + t);
    }
}
