package io.jkvm.x86.jit;

import io.jkvm.x86.decode.Block;
import java.lang.classfile.ClassFile;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.constant.ClassDesc;
import java.lang.invoke.MethodHandles;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Entry point of the compiling tier: its switches and {@link #compile}. A block is compiled on the vCPU's
 * own thread once it has run {@link #threshold()} times interpreted; the class is a hidden class, so it is
 * unloaded once its block drops it (re-decoded or flushed). {@code -Djkvm.jit.stats=true} prints the
 * compiler's totals when the JVM exits.
 */
public final class Jit {
    private Jit() {}

    /** Executions a block is interpreted before it is compiled, unless {@code -Djkvm.jit.threshold} says otherwise. */
    public static final int DEFAULT_THRESHOLD = 64;

    /**
     * HotSpot does not compile methods above 8000 bytes of bytecode (HugeMethodLimit); a block whose code
     * would exceed this is rebuilt with fewer instructions inline (handler calls are much shorter).
     */
    static final int MAX_CODE = 7500;

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final AtomicLong COMPILED = new AtomicLong(), FAILURES = new AtomicLong(), NANOS = new AtomicLong();

    static {
        if (Boolean.getBoolean("jkvm.jit.stats")) Runtime.getRuntime().addShutdownHook(new Thread(() ->
                System.err.printf("jkvm jit: %d blocks compiled in %.1f ms (%.0f us each), %d failures%n", COMPILED.get(),
                        NANOS.get() / 1e6, NANOS.get() / 1e3 / Math.max(1, COMPILED.get()), FAILURES.get())));
    }

    /** False under {@code -Djkvm.jit=false}: every block stays interpreted. */
    public static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty("jkvm.jit", "true"));
    }

    /** {@code -Djkvm.jit.threshold=N}: compile after N interpreted executions (0 = at the first). */
    public static int threshold() {
        return Math.max(0, Integer.getInteger("jkvm.jit.threshold", DEFAULT_THRESHOLD));
    }

    /** Blocks compiled since the JVM started (all vCPUs). */
    public static long compiledBlocks() {
        return COMPILED.get();
    }

    /** Nanoseconds spent compiling (class building and definition), all vCPUs. */
    public static long compileNanos() {
        return NANOS.get();
    }

    /** Blocks the compiler failed on (a jkvm defect; they keep running interpreted). */
    public static long failures() {
        return FAILURES.get();
    }

    /**
     * Compiles {@code b} — with the warm blocks of its page that it leads to ({@link Region}; from
     * {@code src}, those run at least {@code minHits} times) — or returns null if the compiler fails on it:
     * the block then stays with the interpreter, and the failure is counted and reported once on stderr.
     * Under {@code -Djkvm.jit.strict=true} (the forced-compilation test runs) a failure throws instead, which
     * the run loop reports as a jkvm bug.
     */
    public static CompiledBlock compile(Block b, BlockSource src, int minHits) {
        long t0 = System.nanoTime();
        try {
            ClassDesc name = ClassDesc.of("io.jkvm.x86.jit.Block_" + Long.toHexString(b.pa));
            Region region = Region.gather(b, src, minHits, Region.MAX_BLOCKS);
            int limit = Block.MAX_INSNS;
            BlockCompiler.Output out = build(region, name, limit);
            while (out == null && region.blocks.size() > 1) {          // too big: fewer blocks first
                region = region.prefix(region.blocks.size() / 2);
                out = build(region, name, limit);
            }
            while (out == null) {                                      // then fewer instructions inline
                if (limit == 0) throw new IllegalStateException("a block of handler calls does not fit in a method");
                limit /= 2;
                out = build(region, name, limit);
            }
            MethodHandles.Lookup hidden = LOOKUP.defineHiddenClassWithClassData(out.bytes(), out.data(), true);
            CompiledBlock cb = (CompiledBlock) hidden.findConstructor(hidden.lookupClass(),
                    java.lang.invoke.MethodType.methodType(void.class)).invoke();
            COMPILED.incrementAndGet();
            NANOS.addAndGet(System.nanoTime() - t0);
            return cb;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            if (Boolean.getBoolean("jkvm.jit.strict"))       // tests: a compiler defect must fail them, not hide
                throw new IllegalStateException("jit: cannot compile the block at " + Long.toHexString(b.pa), t);
            if (FAILURES.getAndIncrement() == 0) {
                System.err.println("jkvm jit: cannot compile the block at " + Long.toHexString(b.pa) + " (it stays interpreted): " + t);
                t.printStackTrace();
            }
            return null;
        }
    }

    /** The class, or null when its method would be too big for HotSpot to compile (or for a class file). */
    private static BlockCompiler.Output build(Region region, ClassDesc name, int inlineLimit) {
        BlockCompiler.Output out;
        try {
            out = BlockCompiler.build(region, name, inlineLimit);
        } catch (IllegalArgumentException tooLong) {                // over the class file's 64 KiB per method
            if (tooLong.getMessage() == null || !tooLong.getMessage().startsWith("Code length")) throw tooLong;
            return null;
        }
        return codeLength(out.bytes()) <= MAX_CODE ? out : null;
    }

    private static int codeLength(byte[] bytes) {
        for (MethodModel m : ClassFile.of().parse(bytes).methods()) {
            if (m.methodName().equalsString("run")) return m.findAttribute(java.lang.classfile.Attributes.code())
                    .map(CodeAttribute::codeLength).orElse(0);
        }
        return 0;
    }
}
