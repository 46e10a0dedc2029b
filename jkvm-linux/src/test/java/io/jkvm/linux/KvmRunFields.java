package io.jkvm.linux;

import io.jkvm.api.KvmRun;
import io.jkvm.api.VcpuExit;
import java.util.List;
import java.util.function.ObjLongConsumer;
import java.util.function.ToLongFunction;

/**
 * The {@code struct kvm_run} members jkvm reads or writes, as C designators paired with the Java accessor
 * that reads (and, for in/out fields, writes) them. Getters return the value zero-extended, so a read of
 * the wrong width shows up as extra bytes.
 */
final class KvmRunFields {
    private KvmRunFields() {}

    record Field(String designator, ToLongFunction<KvmRun> get, ObjLongConsumer<KvmRun> set) {}

    static Field rw(String d, ToLongFunction<KvmRun> get, ObjLongConsumer<KvmRun> set) {
        return new Field(d, get, set);
    }

    static Field r(String d, ToLongFunction<KvmRun> get) {
        return new Field(d, get, null);
    }

    static long u(int v) {
        return Integer.toUnsignedLong(v);
    }

    static final List<Field> ALL = List.of(
            rw("request_interrupt_window", r -> u(r.request_interrupt_window()), (r, v) -> r.request_interrupt_window((int) v)),
            rw("immediate_exit", r -> u(r.immediate_exit()), (r, v) -> r.immediate_exit((int) v)),
            rw("exit_reason", r -> u(r.exit_reason()), (r, v) -> r.exit_reason((int) v)),
            rw("ready_for_interrupt_injection", r -> u(r.ready_for_interrupt_injection()), (r, v) -> r.ready_for_interrupt_injection((int) v)),
            rw("if_flag", r -> u(r.if_flag()), (r, v) -> r.if_flag((int) v)),
            rw("flags", r -> u(r.flags()), (r, v) -> r.flags((int) v)),
            rw("cr8", KvmRun::cr8, KvmRun::cr8),
            rw("apic_base", KvmRun::apic_base, KvmRun::apic_base),
            r("hw.hardware_exit_reason", KvmRun::hardware_exit_reason),
            r("fail_entry.hardware_entry_failure_reason", KvmRun::hardware_entry_failure_reason),
            r("fail_entry.cpu", r -> u(r.fail_entry_cpu())),
            r("ex.exception", r -> u(r.ex_exception())),
            r("ex.error_code", r -> u(r.ex_error_code())),
            r("io.direction", r -> u(r.io_direction())),
            r("io.size", r -> u(r.io_size())),
            r("io.port", r -> u(r.io_port())),
            r("io.count", r -> u(r.io_count())),
            r("io.data_offset", KvmRun::io_data_offset),
            r("debug.arch.exception", r -> u(r.debug_exception())),
            r("debug.arch.pc", KvmRun::debug_pc),
            r("debug.arch.dr6", KvmRun::debug_dr6),
            r("debug.arch.dr7", KvmRun::debug_dr7),
            r("mmio.phys_addr", KvmRun::mmio_phys_addr),
            rw("mmio.data", KvmRun::mmio_data, KvmRun::mmio_data),
            r("mmio.len", r -> u(r.mmio_len())),
            r("mmio.is_write", r -> u(r.mmio_is_write())),
            r("hypercall.nr", KvmRun::hypercall_nr),
            r("hypercall.args[0]", r -> r.hypercall_arg(0)),
            r("hypercall.args[5]", r -> r.hypercall_arg(5)),
            rw("hypercall.ret", KvmRun::hypercall_ret, KvmRun::hypercall_ret),
            r("hypercall.longmode", r -> u(r.hypercall_longmode())),
            r("tpr_access.rip", KvmRun::tpr_access_rip),
            r("tpr_access.is_write", r -> u(r.tpr_access_is_write())),
            r("internal.suberror", r -> u(r.internal_suberror())),
            r("internal.ndata", r -> u(r.internal_ndata())),
            r("internal.data[0]", r -> r.internal_data(0)),
            r("internal.data[15]", r -> r.internal_data(15)),
            r("emulation_failure.flags", KvmRun::emulation_failure_flags),
            r("emulation_failure.insn_size", r -> u(r.emulation_failure_insn_size())),
            r("system_event.type", r -> u(r.system_event_type())),
            r("system_event.ndata", r -> u(r.system_event_ndata())),
            r("system_event.data[0]", r -> r.system_event_data(0)),
            r("system_event.data[15]", r -> r.system_event_data(15)),
            r("eoi.vector", r -> u(r.eoi_vector())),
            rw("msr.error", r -> u(r.msr_error()), (r, v) -> r.msr_error((int) v)),
            r("msr.reason", r -> u(r.msr_reason())),
            r("msr.index", r -> u(r.msr_index())),
            rw("msr.data", KvmRun::msr_data, KvmRun::msr_data),
            r("notify.flags", r -> u(r.notify_flags())),
            // The exit views that read the union themselves (s390, powerpc, arm, riscv, hyperv, xen).
            r("s390_sieic.icptcode", r -> u(new VcpuExit.S390Sieic(r).icptcode())),
            r("s390_sieic.ipa", r -> u(new VcpuExit.S390Sieic(r).ipa())),
            r("s390_sieic.ipb", r -> u(new VcpuExit.S390Sieic(r).ipb())),
            r("s390_reset_flags", r -> new VcpuExit.S390Reset(r).s390_reset_flags()),
            r("s390_ucontrol.trans_exc_code", r -> new VcpuExit.S390Ucontrol(r).trans_exc_code()),
            r("s390_ucontrol.pgm_code", r -> u(new VcpuExit.S390Ucontrol(r).pgm_code())),
            r("dcr.dcrn", r -> u(new VcpuExit.Dcr(r).dcrn())),
            r("dcr.data", r -> u(new VcpuExit.Dcr(r).data())),
            r("dcr.is_write", r -> new VcpuExit.Dcr(r).is_write() ? 0x5a : 0),
            r("osi.gprs[0]", r -> new VcpuExit.Osi(r).gpr(0)),
            r("osi.gprs[31]", r -> new VcpuExit.Osi(r).gpr(31)),
            r("papr_hcall.nr", r -> new VcpuExit.PaprHcall(r).nr()),
            r("papr_hcall.ret", r -> new VcpuExit.PaprHcall(r).ret()),
            r("papr_hcall.args[0]", r -> new VcpuExit.PaprHcall(r).arg(0)),
            r("papr_hcall.args[8]", r -> new VcpuExit.PaprHcall(r).arg(8)),
            r("s390_tsch.subchannel_id", r -> u(new VcpuExit.S390Tsch(r).subchannel_id())),
            r("s390_tsch.subchannel_nr", r -> u(new VcpuExit.S390Tsch(r).subchannel_nr())),
            r("s390_tsch.io_int_parm", r -> u(new VcpuExit.S390Tsch(r).io_int_parm())),
            r("s390_tsch.io_int_word", r -> u(new VcpuExit.S390Tsch(r).io_int_word())),
            r("s390_tsch.ipb", r -> u(new VcpuExit.S390Tsch(r).ipb())),
            r("s390_tsch.dequeued", r -> u(new VcpuExit.S390Tsch(r).dequeued())),
            r("epr.epr", r -> u(new VcpuExit.Epr(r).epr())),
            r("s390_stsi.addr", r -> new VcpuExit.S390Stsi(r).addr()),
            r("s390_stsi.fc", r -> u(new VcpuExit.S390Stsi(r).fc())),
            r("hyperv.type", r -> u(new VcpuExit.Hyperv(r).type())),
            r("arm_nisv.esr_iss", r -> new VcpuExit.ArmNisv(r).esr_iss()),
            r("arm_nisv.fault_ipa", r -> new VcpuExit.ArmNisv(r).fault_ipa()),
            r("xen.type", r -> u(new VcpuExit.Xen(r).type())),
            r("riscv_sbi.extension_id", r -> new VcpuExit.RiscvSbi(r).extension_id()),
            r("riscv_sbi.function_id", r -> new VcpuExit.RiscvSbi(r).function_id()),
            r("riscv_csr.csr_num", r -> new VcpuExit.RiscvCsr(r).csr_num()));
}
