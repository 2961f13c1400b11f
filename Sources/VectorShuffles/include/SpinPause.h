// The spin-wait hint for Swift code, which has no intrinsic for it (x86 `pause`, Arm `yield`).
#ifndef ATKD_SPIN_PAUSE_H
#define ATKD_SPIN_PAUSE_H

/// One iteration's hint in a spin-wait loop: the core yields issue slots and power while it polls.
static inline void atkd_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
