/* 64 KiB -bios image: real mode -> protected mode -> long mode (paging) -> out 0xf4 */
#define BASE 0xFFFF0000
        .code16
        .text
start16:
        cli
        mov $'R', %al
        mov $0x3f8, %dx
        out %al, %dx
        xor %ax, %ax
        mov %ax, %ds
        mov %ax, %es
        mov $0x1000, %di          /* zero 0x1000..0x6fff */
        mov $0x3000, %cx
        rep stosw
        movl $0x2003, 0x1000      /* PML4[0] -> PDPT */
        movl $0x3003, 0x2000      /* PDPT[0] -> PD0 */
        movl $0x4003, 0x2018      /* PDPT[3] -> PD3 */
        movl $0x00000083, 0x3000  /* PD0[0]: 2M page @0 */
        movl $0xFFE00083, 0x4ff8  /* PD3[511]: 2M page @0xFFE00000 */
        movl $0x5003, 0x1ff8      /* PML4[511] -> PDPT_hi @0x5000 */
        movl $0x3003, 0x5ff0      /* PDPT_hi[510] -> PD0: 0xffffffff80000000 -> phys 0 */
        movl $0x4003, 0x5ff8      /* PDPT_hi[511] -> PD3: 0xffffffffffe00000 -> phys 0xffe00000 */
        /* GDT at 0x500 */
        movl $0, 0x500
        movl $0, 0x504
        movl $0x0000ffff, 0x508
        movl $0x00cf9b00, 0x50c   /* 0x08 code32 */
        movl $0x0000ffff, 0x510
        movl $0x00af9b00, 0x514   /* 0x10 code64 */
        movl $0x0000ffff, 0x518
        movl $0x00cf9300, 0x51c   /* 0x18 data */
        movw $31, 0x540
        movl $0x500, 0x542
        lgdtl 0x540
        mov %cr0, %eax
        or $1, %eax
        mov %eax, %cr0
        ljmpl $0x08, $(BASE + start32)
        .code32
start32:
        mov $0x18, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        mov $0x7000, %esp
        mov $'P', %al
        mov $0x3f8, %dx
        out %al, %dx
        mov %cr4, %eax
        or $0x20, %eax
        mov %eax, %cr4
        mov $0x1000, %eax
        mov %eax, %cr3
        mov $0xC0000080, %ecx
        rdmsr
        or $0x100, %eax
        wrmsr
        mov %cr0, %eax
        or $0x80000000, %eax
        mov %eax, %cr0
        ljmp $0x10, $(BASE + start64)
        .code64
start64:
        mov $'L', %al
        mov $0x3f8, %dx
        out %al, %dx
        movq $0x1234, 0x6000      /* memory write under paging */
        movabs $0xffffffff80006000, %rbx
        mov (%rbx), %rcx           /* read through high-half kernel-style mapping */
        cmp $0x1234, %rcx
        jne 1f
        mov $'H', %al
        mov $0x3f8, %dx
        out %al, %dx
        movabs $(0xFFFFFFFF00000000 + BASE + high64), %rax
        jmp *%rax                  /* execute from the top 2 MiB of the address space */
high64:
        mov $0x9000, %rsp
        movabs $(0xFFFFFFFF00000000 + BASE + loopsrc), %rsi
        mov $0x7000, %rdi
        mov $(loopend - loopsrc), %ecx
        rep movsb                  /* copy the busy loop to RAM @0x7000 */
        mov $0x7000, %rax
        call *%rax
        mov $'X', %al
        mov $0x3f8, %dx
        out %al, %dx
        mov $0x2a, %al
        out %al, $0xf4
1:      hlt
        jmp 1b
loopsrc:
        mov $LOOPS, %ecx           /* load/store loop on RAM, executed from RAM */
        mov $0x6000, %rbx
2:      mov (%rbx), %rax
        add %rcx, %rax
        mov %rax, (%rbx)
        dec %ecx
        jnz 2b
        ret
loopend:
        .code16
        .org 0xfff0
reset:
        jmp start16
        .org 0x10000
