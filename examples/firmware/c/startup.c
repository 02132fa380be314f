/* Minimal Cortex-M4F start-up for QEMU mps2-an386: vector table, .data/.bss set-up, FPU
 * on (the library is built for thumbv7em-none-eabihf: hard-float ABI), SysTick as the tick
 * counter, semihosting exit on return from main() and on any fault. */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t __stack_top, __etext, __data_start, __data_end, __bss_start, __bss_end;
extern int main(void);
extern void initialise_monitor_handles(void);
void Reset_Handler(void);
void Fault_Handler(void);
void SysTick_Handler(void);

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))&__stack_top,
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    0, 0, 0, 0,
    Fault_Handler, /* SVCall */
    Fault_Handler, /* DebugMonitor */
    0,
    Fault_Handler, /* PendSV */
    SysTick_Handler,
};

/* Semihosting SYS_EXIT (ARM semihosting spec 6.5): ApplicationExit or RunTimeErrorUnknown,
 * which QEMU turns into exit status 0 or 1. */
__attribute__((noreturn)) void semihosting_exit(int ok) {
    uint32_t reason = ok ? 0x20026u : 0x20023u;
    register uint32_t r0 __asm__("r0") = 0x18;
    register uint32_t r1 __asm__("r1") = reason;
    __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
    for (;;) {
    }
}

void Fault_Handler(void) {
    static const char msg[] = "FAIL: fault exception (a panic in the library raises one)\n";
    register uint32_t r0 __asm__("r0") = 0x04; /* SYS_WRITE0 */
    register const char *r1 __asm__("r1") = msg;
    __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
    semihosting_exit(0);
}

void Reset_Handler(void) {
    uint32_t *src = &__etext;
    for (uint32_t *dst = &__data_start; dst < &__data_end;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = &__bss_start; dst < &__bss_end;) {
        *dst++ = 0;
    }
    /* CPACR: full access to CP10 and CP11 (the FPU). */
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
    __asm__ volatile("dsb\n isb");
    initialise_monitor_handles();
    int status = main();
    semihosting_exit(status == 0);
}
