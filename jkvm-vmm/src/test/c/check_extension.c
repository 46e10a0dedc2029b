/*
 * check_extension.c — the C probe InfoCommandTest compares `jkvm info` with: what /dev/kvm itself answers
 * to the system ioctls info reports, with nothing but ioctl(2) in between. Compiled with gcc at test time.
 *
 * Prints:  api N | mmap N | msrs N | cpuid N | cap NUMBER VALUE (for 0..260; VALUE is -errno on failure)
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>

int main(void) {
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) err(2, "/dev/kvm");
    printf("api %d\n", ioctl(kvm, KVM_GET_API_VERSION, 0));
    printf("mmap %d\n", ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0));

    /* nmsrs = 0: the kernel answers E2BIG and writes the real count back */
    struct kvm_msr_list probe = {.nmsrs = 0};
    if (ioctl(kvm, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG) err(2, "KVM_GET_MSR_INDEX_LIST");
    printf("msrs %u\n", probe.nmsrs);

    struct kvm_cpuid2 *cpuid = calloc(1, sizeof *cpuid + 256 * sizeof(struct kvm_cpuid_entry2));
    if (cpuid == NULL) err(2, "calloc");
    cpuid->nent = 256;
    if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) err(2, "KVM_GET_SUPPORTED_CPUID");
    printf("cpuid %u\n", cpuid->nent);

    for (int cap = 0; cap <= 260; cap++) {
        int r = ioctl(kvm, KVM_CHECK_EXTENSION, cap);
        printf("cap %d %d\n", cap, r < 0 ? -errno : r);
    }
    return 0;
}
