package io.jkvm.x86.jit;

import io.jkvm.x86.decode.Block;
import java.lang.classfile.ClassFile;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.constant.ClassDesc;
import java.lang.invoke.MethodHandles;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Entry point of the compiling tier: its switches, {@link #compile} and {@link #submit}. A block is
 * compiled (with its {@link Region}) once it has run {@link #threshold()} times interpreted — by a
 * background compiler thread while the vCPU goes on interpreting it, or on the vCPU's own thread at
 * threshold 0 and under {@code -Djkvm.jit.async=false}. The class is a hidden class, so it is unloaded once
 * no block holds it any more (re-decoded or flushed). Diagnostics: {@code -Djkvm.jit.stats=true} prints the
 * compiler's totals when the JVM exits, {@code -Djkvm.jit.dump=DIR} writes every class file there.
 */
public final class Jit {
    private Jit() {}

    /**
     * Executions a block is interpreted before it is compiled, unless {@code -Djkvm.jit.threshold} says
     * otherwise. High on purpose: a class costs far more than its own build — HotSpot compiles its method
     * twice more (C1 with profiling, then C2), some 10–50 ms of CPU, and runs it slower than the compiled
     * interpreter until then — so compiling code that runs only thousands of times loses (measured on a
     * guest of 300 small functions run 60 000 times each: up to 3x slower at a threshold of 2000), while a
     * loop that runs millions of times hardly notices when it starts.
     */
    public static final int DEFAULT_THRESHOLD = 50_000;

    /**
     * HotSpot does not compile methods above 8000 bytes of bytecode (HugeMethodLimit); a region whose code
     * would exceed this is rebuilt with fewer blocks, then with fewer instructions inline (a handler call is
     * much shorter).
     */
    static final int MAX_CODE = 7500;

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    /** {@code -Djkvm.jit.dump=DIR}: write each class file there too (for javap). */
    private static final String DUMP = System.getProperty("jkvm.jit.dump");
    private static final AtomicLong COMPILED = new AtomicLong(), FAILURES = new AtomicLong(), NANOS = new AtomicLong(),
            BYTECODE = new AtomicLong(), GUEST = new AtomicLong();

    static {
        if (Boolean.getBoolean("jkvm.jit.stats")) Runtime.getRuntime().addShutdownHook(new Thread(() ->
                System.err.printf("jkvm jit: %d classes compiled in %.1f ms (%.0f us each), %d failures; %d guest instructions as %d bytes of bytecode%n",
                        COMPILED.get(), NANOS.get() / 1e6, NANOS.get() / 1e3 / Math.max(1, COMPILED.get()), FAILURES.get(),
                        GUEST.get(), BYTECODE.get())));
    }

    /** False under {@code -Djkvm.jit=false}: every block stays interpreted. */
    public static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty("jkvm.jit", "true"));
    }

    /** {@code -Djkvm.jit.threshold=N}: compile after N interpreted executions (0 = at the first). */
    public static int threshold() {
        return Math.max(0, Integer.getInteger("jkvm.jit.threshold", DEFAULT_THRESHOLD));
    }

    /** Classes compiled since the JVM started (all vCPUs; one per region). */
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

    /** {@code -Djkvm.jit.async=false}: compile on the vCPU's thread, which waits (always so at threshold 0). */
    public static boolean async() {
        return !"false".equalsIgnoreCase(System.getProperty("jkvm.jit.async", "true"));
    }

    /**
     * Compiles {@code b} — with the warm blocks of its page that it leads to ({@link Region}; from
     * {@code src}, those run at least {@code minHits} times) — here and now. The job is done when this
     * returns; {@link CompileJob#install} gives the blocks their compiled code. If the compiler fails, the
     * failure is counted and reported once on stderr and the block stays interpreted; under
     * {@code -Djkvm.jit.strict=true} (the forced-compilation test runs) it is thrown by the install instead,
     * which the run loop reports as a jkvm bug.
     */
    public static CompileJob compile(Block b, BlockSource src, int minHits) {
        CompileJob job = new CompileJob(Region.gather(b, src, minHits, Region.MAX_BLOCKS), b.pa);
        run(job);
        return job;
    }

    /**
     * Hands {@code b}'s region (gathered now, on the calling vCPU's thread) to the compiler thread; null when
     * its queue is full. The caller polls the job ({@link CompileJob#done}) whenever it runs the block.
     */
    public static CompileJob submit(Block b, BlockSource src, int minHits) {
        CompileJob job = new CompileJob(Region.gather(b, src, minHits, Region.MAX_BLOCKS), b.pa);
        return Compiler.QUEUE.offer(job) ? job : null;
    }

    /** The compiler thread: one for the JVM, started when the first job arrives; a daemon. */
    private static final class Compiler {
        static final java.util.concurrent.BlockingQueue<CompileJob> QUEUE = new java.util.concurrent.ArrayBlockingQueue<>(1024);

        static {
            Thread t = new Thread(() -> {
                while (true) {
                    try {
                        run(QUEUE.take());
                    } catch (InterruptedException e) {
                        return;
                    } catch (Throwable t2) {          // run() reports its own failures; never let the thread die
                        t2.printStackTrace();
                    }
                }
            }, "jkvm-jit");
            t.setDaemon(true);
            t.setPriority(Thread.NORM_PRIORITY - 1);
            t.start();
        }
    }

    /** Builds and defines the class of {@code job}'s region; finishes the job with the instance or the failure. */
    private static void run(CompileJob job) {
        long t0 = System.nanoTime();
        Region region = job.region;
        try {
            ClassDesc name = ClassDesc.of("io.jkvm.x86.jit.Block_" + Long.toHexString(job.pa));
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
            if (DUMP != null) java.nio.file.Files.write(java.nio.file.Path.of(DUMP, "Block_" + Long.toHexString(job.pa) + ".class"), out.bytes());
            MethodHandles.Lookup hidden = LOOKUP.defineHiddenClassWithClassData(out.bytes(), out.data(), true);
            java.lang.invoke.MethodHandle ctor = hidden.findConstructor(hidden.lookupClass(),
                    java.lang.invoke.MethodType.methodType(void.class, int.class));
            CompiledBlock[] instances = new CompiledBlock[region.blocks.size()];
            for (int j = 0; j < instances.length; j++) instances[j] = (CompiledBlock) ctor.invoke(j);
            COMPILED.incrementAndGet();
            NANOS.addAndGet(System.nanoTime() - t0);
            BYTECODE.addAndGet(codeLength(out.bytes()));
            for (BlockImage i : region.blocks) GUEST.addAndGet(i.count);
            job.finish(region, instances, null);
        } catch (VirtualMachineError e) {
            job.finish(null, null, e);
            throw e;
        } catch (Throwable t) {
            if (FAILURES.getAndIncrement() == 0) {
                System.err.println("jkvm jit: cannot compile the block at " + Long.toHexString(job.pa) + " (it stays interpreted): " + t);
                t.printStackTrace();
            }
            job.finish(null, null, t);
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
