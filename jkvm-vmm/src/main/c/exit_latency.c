/*
 * exit_latency.c — the C side of `jkvm bench exit-latency`.
 *
 * Times the KVM_RUN round trip of an IO exit on /dev/kvm with nothing but ioctl(2): the baseline the Java
 * side (jkvm's linux backend, through the jkvm API) is compared with. The VM is set up exactly as
 * io.jkvm.vmm.guest.RealModeMachine does it, and runs the same four guest bytes as OutLoopGuest:
 *
 *   1000: e6 10   out %al, $0x10    ; KVM_EXIT_IO
 *   1002: eb fc   jmp 0x1000
 *
 * Usage: exit_latency ITERATIONS WARMUP
 * Prints one line, the mean nanoseconds per exit over ITERATIONS exits after WARMUP untimed ones.
 * Compiled by jkvm with gcc at benchmark time; exits 2 when KVM is unusable, 3 on an unexpected exit.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#define RAM_SIZE 0x10000
#define CODE_GPA 0x1000

static const uint8_t guest[] = {0xe6, 0x10, 0xeb, 0xfc};

/* n round trips; a KVM_RUN interrupted by a signal is re-entered, as LinuxVcpu.run() does. */
static void run_exits(int vcpu, const struct kvm_run *run, long n) {
    for (long i = 0; i < n; i++) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN) { i--; continue; }
            err(3, "KVM_RUN");
        }
        if (run->exit_reason != KVM_EXIT_IO) errx(3, "unexpected exit_reason %u", run->exit_reason);
    }
}

static long arg(char **argv, int i, const char *what) {
    char *end;
    long v = strtol(argv[i], &end, 10);
    if (*argv[i] == '\0' || *end != '\0' || v < 0) errx(2, "%s must be a non-negative integer: '%s'", what, argv[i]);
    return v;
}

int main(int argc, char **argv) {
    if (argc != 3) errx(2, "usage: %s ITERATIONS WARMUP", argv[0]);
    long iterations = arg(argv, 1, "ITERATIONS"), warmup = arg(argv, 2, "WARMUP");
    if (iterations == 0) errx(2, "ITERATIONS must be at least 1");

    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) err(2, "/dev/kvm");
    if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) errx(2, "KVM_GET_API_VERSION is not 12");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) err(2, "KVM_CREATE_VM");

    uint8_t *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ram == MAP_FAILED) err(2, "mmap guest RAM");
    memcpy(ram + CODE_GPA, guest, sizeof guest);
    struct kvm_userspace_memory_region region = {
        .slot = 0, .flags = 0, .guest_phys_addr = 0, .memory_size = RAM_SIZE, .userspace_addr = (uintptr_t) ram,
    };
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) err(2, "KVM_SET_USER_MEMORY_REGION");

    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) err(2, "KVM_CREATE_VCPU");
    int mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (mmap_size < (int) sizeof(struct kvm_run)) err(2, "KVM_GET_VCPU_MMAP_SIZE");
    struct kvm_run *run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) err(2, "mmap kvm_run");

    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) err(2, "KVM_GET_SREGS");
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) err(2, "KVM_SET_SREGS");
    struct kvm_regs regs = {.rip = CODE_GPA, .rflags = 0x2};
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) err(2, "KVM_SET_REGS");

    run_exits(vcpu, run, warmup);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run_exits(vcpu, run, iterations);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
    printf("%.1f\n", ns / iterations);
    return 0;
}
