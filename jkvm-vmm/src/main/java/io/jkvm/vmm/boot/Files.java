package io.jkvm.vmm.boot;

import java.io.IOException;
import java.nio.file.Path;

/** Reading boot inputs with errors that name the file and what kind of file it was meant to be. */
final class Files {
    private Files() {}

    static byte[] read(String kind, Path file, long max) {
        if (!java.nio.file.Files.exists(file)) throw new BootException(kind + " " + file + ": no such file");
        if (!java.nio.file.Files.isRegularFile(file)) throw new BootException(kind + " " + file + ": not a regular file");
        try {
            long size = java.nio.file.Files.size(file);
            if (size > max) throw new BootException(String.format("%s %s: %d bytes, larger than guest RAM can hold (%d)", kind, file, size, max));
            return java.nio.file.Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BootException(kind + " " + file + ": cannot read: " + e.getMessage());
        }
    }
}
