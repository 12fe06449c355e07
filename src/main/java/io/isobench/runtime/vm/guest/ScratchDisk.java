package io.isobench.runtime.vm.guest;

import io.isobench.runtime.Scratch;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A guest's scratch storage: a sparse raw file on the host that the VMM attaches as the guest's first virtio-blk disk
 * ({@link #GUEST_DEVICE}); the guest's /init formats it ext2 and mounts it at /scratch before BEGIN
 * ({@link #KERNEL_PARAM}). {@code directIo}: the host file system accepts O_DIRECT (QEMU's cache=none needs it).
 */
public record ScratchDisk(Path file, boolean directIo) {
    /** The guest's device for the first virtio-blk disk. */
    public static final String GUEST_DEVICE = "vda";
    /** Tells the guest's /init to format and mount the disk. */
    public static final String KERNEL_PARAM = "isobench.scratch=" + GUEST_DEVICE;
    /** The virtio-blk serial a VMM that sets serials gives the disk (QEMU: {@code serial=}); the guest finds it by it. */
    public static final String SERIAL = "isobench-scratch";
    /** Tells the guest's /init to format and mount the disk with serial {@link #SERIAL}, whatever the order of disks. */
    public static final String SERIAL_PARAM = "isobench.scratch=serial:" + SERIAL;

    /**
     * Creates the sparse file of {@code bytes} rounded up to whole MiBs: with O_DIRECT a VMM may refuse an image whose
     * size is not a multiple of the host's request alignment (QEMU: "Cannot get 'write' permission without 'resize'").
     */
    public static ScratchDisk create(Path file, long bytes) throws IOException {
        try (var f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength((bytes + (1L << 20) - 1) & -(1L << 20));
        }
        return new ScratchDisk(file, supportsDirectIo(file));
    }

    /** Whether the host file system of {@code file} accepts O_DIRECT (tmpfs does not). */
    static boolean supportsDirectIo(Path file) {
        try (var ch = Files.newByteChannel(file, StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** "raw file on host ext4 (/dev/sda1)", for the recorded storage path. */
    public String hostFileSystem() {
        return Scratch.fileSystem(file);
    }

    public void delete() {
        GuestInitramfs.deleteQuietly(file);
    }
}
