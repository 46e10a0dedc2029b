package io.jkvm.testkit.suite;

import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.uapi.Regs;
import io.jkvm.testkit.Gas;
import io.jkvm.testkit.TestVm;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two vCPUs of one VM, each run() on its own thread (seed 003 §1: one vcpu per thread). The guests
 * hand a token back and forth through shared memory, so the test passes only if both really run at
 * the same time.
 */
class SmpTest {

    static final long FLAG0 = 0x6000, FLAG1 = 0x6008, ROUNDS = 50, CODE1 = 0x3000;

    /**
     * vCPU {@code me}: for rounds 1..ROUNDS, wait until my flag reaches the round, then set the other's flag to
     * the round (vCPU 0) or the next round (vCPU 1); then report. vCPU 0 starts with its flag at 1.
     */
    static String pingPong(long mine, long theirs, int me) {
        return """
                .code64
                    mov $1, %%rcx
                1:  cmp %%rcx, 0x%x         # wait until my flag says it is round rcx
                    jb 1b
                    lea %d(%%rcx), %%rax
                    mov %%rax, 0x%x         # hand the token to the other vCPU
                    inc %%rcx
                    cmp $%d, %%rcx
                    jbe 1b
                    mov $0x%x, %%eax
                    out %%eax, $0x10
                    hlt
                """.formatted(mine, me, theirs, ROUNDS, 0xa0 + me);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void twoVcpusOnTwoThreads(String backend) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (TestVm t = vm(backend); Vcpu cpu0 = t.vm.createVcpu(0); Vcpu cpu1 = t.vm.createVcpu(1)) {
            assertEquals(0, cpu0.id());
            assertEquals(1, cpu1.id());
            t.loadAsm(pingPong(FLAG0, FLAG1, 0));
            t.load(CODE1, Gas.assemble(pingPong(FLAG1, FLAG0, 1), CODE1));
            t.u64(FLAG0, 1);  // vCPU 0 starts with the token
            t.longMode(cpu0, TestVm.CODE);
            t.longMode(cpu1, CODE1);
            cpu1.setRegs(cpu1.getRegs().withRsp(TestVm.STACK_TOP - 0x800));

            CompletableFuture<Integer> out0 = CompletableFuture.supplyAsync(() -> expectOut(cpu0, 0x10, 4), threads);
            CompletableFuture<Integer> out1 = CompletableFuture.supplyAsync(() -> expectOut(cpu1, 0x10, 4), threads);
            assertEquals(0xa0, out0.get());
            assertEquals(0xa1, out1.get());
            assertEquals(ROUNDS, t.u64(FLAG1), "vCPU 0 handed every round to vCPU 1");
            assertEquals(ROUNDS + 1, t.u64(FLAG0), "vCPU 1 handed every round back");

            // Each vCPU has its own registers: the other's run did not touch them.
            Regs r0 = cpu0.getRegs(), r1 = cpu1.getRegs();
            assertEquals(ROUNDS + 1, r0.rcx());
            assertEquals(ROUNDS + 1, r1.rcx());
            assertTrue(r0.rip() < CODE1 && r1.rip() > CODE1, "RIPs " + r0.rip() + " " + r1.rip());
            assertTrue(CompletableFuture.supplyAsync(() -> run(cpu0), threads).get() instanceof VcpuExit.Hlt);
        } finally {
            threads.shutdownNow();
        }
    }
}
